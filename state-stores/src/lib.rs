//! State store implementations for Kafka Streams for Rust.
//!
//! This crate will hold the store *implementations* behind the traits that
//! `streams-core` defines: key-value, window and session stores, in memory and
//! on RocksDB, and the layers Kafka Streams composes over them (metered,
//! caching, change-logging), plus the `Stores` builders.
//!
//! It is empty for now: the foundation ships only the simple in-memory
//! key-value store in `streams_core::store`, which the engine's own tests use.
