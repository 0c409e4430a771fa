//! The Kafka runtime: runs a [`Topology`](crate::Topology) on a Kafka
//! cluster with the same task engine the test driver drives.
//!
//! # Layout
//!
//! - [`KafkaStreams`] (`kafka_streams.rs`): the client: start-up checks,
//!   stream threads, the lifecycle [`State`] (`state.rs`), failure handling.
//! - `thread.rs`: a stream thread: the group consumer, rebalance callbacks,
//!   the poll / process / commit loop, and its tasks.
//! - `restore.rs`: bringing stores up to their changelog's end before their
//!   task processes, and the [`StateRestoreListener`].
//! - `collector.rs`: [`KafkaCollector`], the record collector over an rdkafka
//!   producer, sending through `native_produce.rs` (topic handles held open).
//! - `topics.rs`: the start-up [`TopicPlan`] (source topics checked, internal
//!   topics created) behind the [`ClusterAdmin`] trait.
//! - `topic_ready.rs`: waiting until the topics are in the cluster's
//!   metadata with every partition led, before any thread subscribes.
//! - `embedded.rs`: the [`EmbeddedBroker`], librdkafka's in-process mock
//!   cluster, whose limits stay behind `ClusterAdmin`.
//! - `metadata.rs`: which instance hosts a key ([`KeyQueryMetadata`]).
//! - `metrics.rs`: [`ThreadMetrics`] snapshots.
//! - `wake.rs`: the flag the stream threads raise at each state change, on
//!   which the client's supervisor sleeps.
//! - `queries.rs`: interactive queries, read-only views of the local stores
//!   ([`ReadOnlyKeyValueStore`] and the window and session views).
//!
//! Processing is at-least-once: offsets are committed after the stores and
//! the producer are flushed, every `commit.interval.ms` and on revocation and
//! clean shutdown.

mod collector;
mod embedded;
mod kafka_streams;
mod metadata;
mod metrics;
mod native_produce;
mod queries;
mod restore;
mod state;
mod thread;
mod topic_ready;
mod topics;
mod wake;

pub use collector::KafkaCollector;
pub use embedded::EmbeddedBroker;
pub use kafka_streams::KafkaStreams;
pub use metadata::{GroupMember, HostInfo, KeyQueryMetadata, default_partition};
pub use metrics::{TaskMetricsSnapshot, ThreadMetrics};
pub use queries::{ReadOnlyKeyValueStore, ReadOnlySessionStore, ReadOnlyWindowStore};
pub use restore::StateRestoreListener;
pub use state::{State, ThreadFailureResponse};
pub use thread::{MAIN_CONSUMER_FETCH_QUEUE_BACKOFF_MS, MAIN_CONSUMER_QUEUED_MIN_MESSAGES, ThreadState};
pub use topics::{ClusterAdmin, KafkaAdmin, NewTopic, TopicPlan};
