//! State store implementations for Kafka Streams for Rust.
//!
//! Three shapes (key-value, window, session), each a typed facade over a
//! store of bytes, on two backends (in memory, and RocksDB), with the layers
//! Kafka Streams composes over them. Start from [`Stores`]:
//!
//! ```
//! use state_stores::Stores;
//! use streams_core::serde::{I64Serde, StringSerde};
//!
//! let counts = Stores::key_value_store_builder(
//!     Stores::persistent_key_value_store("counts"),
//!     StringSerde,
//!     I64Serde,
//! )
//! .with_caching_enabled();
//! # let _ = counts;
//! ```
//!
//! Layout:
//! - [`bytes`]: the bytes-level trait every backend and layer implements.
//! - [`schema`]: Kafka's window and session key layouts.
//! - `memory`, `rocks`: the backends; `segmented`: retention and expiry of
//!   window and session stores, shared by both backends.
//! - `layers`: metered (typed), caching and change-logging.
//! - `builders`: [`Stores`] and the store builders.

mod builders;
pub mod bytes;
mod layers;
mod memory;
mod rocks;
pub mod schema;
mod segmented;

pub use builders::{
    Backend, KeyValueStoreBuilder, KeyValueSupplier, SegmentedSupplier, SessionStoreBuilder, Stores, WindowStoreBuilder,
};
pub use layers::{MeteredKeyValueStore, MeteredSessionStore, MeteredWindowStore};
pub use memory::InMemoryKeyValueBytes;
pub use rocks::{
    DEFAULT_MEMORY_BYTES, ROCKSDB_MEMORY_BYTES, RocksDbConfigSetter, RocksDbKeyValueBytes, RocksDbSettings,
    SharedMemory, rocksdb_options,
};
/// The RocksDB crate, for [`RocksDbConfigSetter`] implementations.
pub use rocksdb;
