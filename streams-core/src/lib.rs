//! Core of Kafka Streams for Rust: records, serdes, the Processor API,
//! topologies, state-store traits and the task engine.
//!
//! # Layout
//!
//! - [`record`]: [`Record`], [`Headers`] and [`RecordMetadata`].
//! - [`serde`]: the [`Serde`] trait and Kafka-compatible built-in serdes.
//! - [`time`]: the [`Clock`] trait and [`TimestampExtractor`].
//! - [`processor`]: [`Processor`], [`ProcessorContext`] and punctuation.
//! - [`store`]: the [`StateStore`] and [`KeyValueStore`] traits, store
//!   builders and handles, and a simple in-memory key-value store.
//! - [`topology`]: [`Topology`], built with `add_source` / `add_processor` /
//!   `add_sink` / `add_state_store`, and its Kafka-format `describe()`.
//! - [`engine`]: [`StreamTask`](engine::StreamTask), the one task engine that
//!   the test driver and the Kafka runtime both drive, and the
//!   [`RecordCollector`](engine::RecordCollector) trait it writes through.
//! - [`handler`]: error handlers (skip with a metric, fail, dead-letter topic).
//! - [`config`]: [`StreamsConfig`], with Kafka Streams' key names, from code,
//!   `.properties` files or environment variables.
//! - [`runtime`]: [`KafkaStreams`](runtime::KafkaStreams), which runs a
//!   topology on Kafka (stream threads, consumer group, changelogs, restore),
//!   and the [`EmbeddedBroker`](runtime::EmbeddedBroker) for zero-setup runs.
//! - [`error`]: [`StreamsError`], [`TopologyError`], [`SerdeError`].
//!
//! Applications need only `use streams_core::prelude::*;`.

pub mod config;
pub mod engine;
pub mod error;
pub mod handler;
pub mod processor;
pub mod record;
pub mod runtime;
pub mod serde;
pub mod state;
pub mod store;
pub mod time;
pub mod topology;

pub use config::StreamsConfig;
pub use error::{BoxError, RecordPart, SerdeError, StreamsError, TopologyError};
pub use handler::{ErrorContext, ErrorHandler, ErrorStage, HandlerResponse, LogAndContinue, LogAndFail};
pub use processor::{
    Cancellable, ProcessResult, Processor, ProcessorContext, Punctuation, PunctuationType, ScheduleId,
};
pub use record::{Data, Header, Headers, Record, RecordMetadata};
pub use serde::{Bincode, DefaultSerde, Json, OptionSerde, Payload, Serde, SharedSerde};
pub use store::{
    BuiltStore, ChangelogSpec, InMemoryKeyValueStore, InMemoryKeyValueStoreBuilder, KeyValueIter, KeyValueStore,
    KeyValueStoreHandle, StateStore, StateStoreContext, StoreBuilder, StoreHandle,
};
pub use time::{Clock, MockClock, SystemClock, TimestampExtractor};
pub use topology::{
    OffsetReset, Sink, SinkSpec, SinkTopic, Source, SourceSpec, Subscription, Topology, TopologyDescription,
};

/// Everything an application needs.
pub mod prelude {
    pub use crate::config::StreamsConfig;
    pub use crate::error::{StreamsError, TopologyError};
    pub use crate::handler::{LogAndContinue, LogAndFail};
    pub use crate::processor::{Cancellable, ProcessResult, Processor, ProcessorContext, Punctuation, PunctuationType};
    pub use crate::record::{Headers, Record};
    pub use crate::serde::{Bincode, DefaultSerde, Json, OptionSerde, Serde};
    pub use crate::store::{InMemoryKeyValueStoreBuilder, KeyValueStore, KeyValueStoreHandle, StoreBuilder};
    pub use crate::time::TimestampExtractor;
    pub use crate::topology::{Sink, SinkTopic, Source, Subscription, Topology};
}
