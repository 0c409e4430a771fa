//! Errors of `streams-core`.
//!
//! Two enums: [`TopologyError`] for wiring mistakes found while a topology is
//! built (before any record flows), and [`StreamsError`] for everything that can
//! go wrong while records flow. Both name the topic, partition, offset, node or
//! store concerned. [`SerdeError`] is what a serde returns; the engine wraps it
//! with the record's coordinates.

use std::fmt;

use crate::engine::TaskId;

/// A boxed error, as returned by user code (processors, custom serdes).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Which part of a record an error concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordPart {
    /// The record key.
    Key,
    /// The record value.
    Value,
}

impl fmt::Display for RecordPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RecordPart::Key => "key",
            RecordPart::Value => "value",
        })
    }
}

/// An error from a [`Serde`](crate::serde::Serde): the bytes do not decode, or a
/// value cannot be encoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SerdeError {
    /// A fixed-width type received a payload of the wrong size.
    #[error("{type_name} expects {expected} bytes, got {actual}")]
    InvalidLength {
        /// The Rust type being decoded.
        type_name: &'static str,
        /// The size the type's Kafka encoding has.
        expected: usize,
        /// The size of the payload received.
        actual: usize,
    },
    /// A Kafka null payload arrived for a type that cannot be null (use `Option<T>`).
    #[error("null payload for non-nullable type {type_name} (use Option<{type_name}>)")]
    UnexpectedNull {
        /// The Rust type being decoded.
        type_name: &'static str,
    },
    /// The void serde (unit type) received a non-null payload.
    #[error("the unit serde only accepts null payloads, got {len} bytes")]
    UnexpectedPayload {
        /// Length of the payload received.
        len: usize,
    },
    /// A string payload is not valid UTF-8.
    #[error("invalid UTF-8: {0}")]
    Utf8(#[from] std::str::Utf8Error),
    /// A payload is shorter than its fixed-width parts (a windowed key
    /// without its window times).
    #[error("{type_name} needs at least {needed} bytes, got {actual}")]
    Truncated {
        /// The Rust type being decoded.
        type_name: &'static str,
        /// The smallest valid size.
        needed: usize,
        /// The size of the payload received.
        actual: usize,
    },
    /// A boolean payload is neither 0 nor 1.
    #[error("invalid boolean byte {0:#04x} (expected 0x00 or 0x01)")]
    InvalidBoolean(u8),
    /// JSON encoding or decoding failed.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// bincode decoding failed.
    #[error("bincode decode: {0}")]
    BincodeDecode(#[from] bincode::error::DecodeError),
    /// bincode encoding failed.
    #[error("bincode encode: {0}")]
    BincodeEncode(#[from] bincode::error::EncodeError),
    /// An error from a user-written serde.
    #[error("{0}")]
    Custom(BoxError),
}

/// A wiring mistake found while a [`Topology`](crate::topology::Topology) is built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TopologyError {
    /// A node or store name is empty.
    #[error("a node or store name must not be empty")]
    EmptyName,
    /// `add_stages` was given no stages.
    #[error("stage node {node} needs at least one stage")]
    EmptyStageChain {
        /// The node.
        node: String,
    },
    /// Two nodes share one name.
    #[error("a node named {name} already exists in the topology")]
    DuplicateNode {
        /// The duplicated name.
        name: String,
    },
    /// Two stores share one name.
    #[error("a state store named {name} already exists in the topology")]
    DuplicateStore {
        /// The duplicated name.
        name: String,
    },
    /// A node names a parent that does not exist.
    #[error("node {node} names parent {parent}, which is not in the topology")]
    UnknownParent {
        /// The node being added.
        node: String,
        /// The missing parent.
        parent: String,
    },
    /// A processor or sink was added without any parent.
    #[error("node {node} must have at least one parent")]
    NoParents {
        /// The node being added.
        node: String,
    },
    /// A sink was named as a parent; sinks have no children.
    #[error("node {node} names sink {sink} as its parent, but sinks cannot have children")]
    SinkAsParent {
        /// The node being added.
        node: String,
        /// The sink named as parent.
        sink: String,
    },
    /// The output type of a parent does not match the input type of its child.
    #[error(
        "type mismatch: {parent} forwards ({parent_key}, {parent_value}) but its child {child} \
         takes ({child_key}, {child_value})"
    )]
    TypeMismatch {
        /// The parent node.
        parent: String,
        /// Key type the parent forwards.
        parent_key: &'static str,
        /// Value type the parent forwards.
        parent_value: &'static str,
        /// The child node.
        child: String,
        /// Key type the child accepts.
        child_key: &'static str,
        /// Value type the child accepts.
        child_value: &'static str,
    },
    /// A source was added with no topic.
    #[error("source {source_node} must subscribe to at least one topic or a pattern")]
    NoTopics {
        /// The source node.
        source_node: String,
    },
    /// A topic is read by two sources.
    #[error("topic {topic} is already read by source {existing}; source {source_node} cannot read it too")]
    TopicAlreadyRegistered {
        /// The topic.
        topic: String,
        /// The source already reading it.
        existing: String,
        /// The source being added.
        source_node: String,
    },
    /// A source pattern is not a valid regular expression.
    #[error("source {source_node} has an invalid topic pattern {pattern}: {reason}")]
    InvalidPattern {
        /// The source node.
        source_node: String,
        /// The pattern text.
        pattern: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A store is connected to a node that is not a processor, or does not exist.
    #[error("store {store} cannot be connected to {node}: no processor of that name")]
    UnknownProcessor {
        /// The store.
        store: String,
        /// The node named.
        node: String,
    },
    /// A processor is connected to a store that was never added.
    #[error("processor {node} is connected to store {store}, which was never added")]
    UnknownStore {
        /// The processor.
        node: String,
        /// The missing store.
        store: String,
    },
    /// A store was added that no processor uses.
    #[error("state store {store} is not connected to any processor")]
    UnusedStore {
        /// The store.
        store: String,
    },
    /// A sub-topology has no source.
    #[error("the topology has no source node")]
    NoSources,
    /// A DSL operation cannot be applied where it is (for example a
    /// suppression until window close on a table that is not windowed).
    #[error("{node}: {reason}")]
    InvalidOperation {
        /// The node the operation adds.
        node: String,
        /// What is wrong.
        reason: String,
    },
    /// A store's definition cannot be built (for example a window store
    /// whose retention is shorter than its windows).
    #[error("state store {store} is invalid: {reason}")]
    InvalidStore {
        /// The store.
        store: String,
        /// What is wrong.
        reason: String,
    },
}

/// Anything that goes wrong while records flow through a task.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamsError {
    /// A record's key or value did not deserialize.
    #[error("cannot deserialize the {part} of the record at {topic}-{partition} offset {offset}: {source}")]
    Deserialization {
        /// The topic the record came from.
        topic: String,
        /// Its partition.
        partition: i32,
        /// Its offset.
        offset: i64,
        /// Key or value.
        part: RecordPart,
        /// What the serde said.
        #[source]
        source: SerdeError,
    },
    /// The timestamp extractor returned a negative (invalid) timestamp.
    #[error("invalid timestamp {timestamp} for the record at {topic}-{partition} offset {offset}")]
    InvalidTimestamp {
        /// The topic the record came from.
        topic: String,
        /// Its partition.
        partition: i32,
        /// Its offset.
        offset: i64,
        /// The timestamp extracted.
        timestamp: i64,
    },
    /// A sink could not serialize a record's key or value.
    #[error("sink {node} cannot serialize the {part} of a record for topic {topic}: {source}")]
    Serialization {
        /// The sink node.
        node: String,
        /// The destination topic.
        topic: String,
        /// Key or value.
        part: RecordPart,
        /// What the serde said.
        #[source]
        source: SerdeError,
    },
    /// A sink was asked to write a record with a negative timestamp.
    #[error("sink {node} cannot write a record with negative timestamp {timestamp} to topic {topic}")]
    NegativeOutputTimestamp {
        /// The sink node.
        node: String,
        /// The destination topic.
        topic: String,
        /// The offending timestamp.
        timestamp: i64,
    },
    /// A processor returned an error.
    #[error("processor {node} in task {task} failed: {source}")]
    Processing {
        /// The processor node.
        node: String,
        /// The task it runs in.
        task: TaskId,
        /// The processor's error.
        #[source]
        source: BoxError,
    },
    /// The record collector (producer) failed to accept a record.
    #[error("cannot send a record to topic {topic}: {source}")]
    Production {
        /// The destination topic.
        topic: String,
        /// The collector's error.
        #[source]
        source: BoxError,
    },
    /// A state store operation failed.
    #[error("state store {store}: {source}")]
    Store {
        /// The store.
        store: String,
        /// The cause.
        #[source]
        source: BoxError,
    },
    /// A task's state directory, lock or checkpoint failed.
    #[error(transparent)]
    State(#[from] crate::state::StateError),
    /// A store is already borrowed (a processor kept a read or write guard while forwarding).
    #[error("state store {store} is in use elsewhere (a guard was held across a forward)")]
    StoreBusy {
        /// The store.
        store: String,
    },
    /// A processor asked for a store that is not connected to it.
    #[error("processor {node} asked for store {store}, which is not connected to it")]
    StoreNotConnected {
        /// The processor.
        node: String,
        /// The store asked for.
        store: String,
    },
    /// A processor asked for a store with types that do not match the store's.
    #[error("processor {node} asked for store {store} as {requested}, which it is not")]
    StoreTypeMismatch {
        /// The processor.
        node: String,
        /// The store.
        store: String,
        /// The type requested.
        requested: &'static str,
    },
    /// `forward_to` named a node that is not a child.
    #[error("processor {node} has no child named {child}")]
    UnknownChild {
        /// The forwarding processor.
        node: String,
        /// The name given.
        child: String,
    },
    /// A punctuation was scheduled with an interval under one millisecond.
    #[error("processor {node} scheduled a punctuation with interval {interval_ms} ms (must be >= 1 ms)")]
    InvalidPunctuationInterval {
        /// The processor.
        node: String,
        /// The interval asked for.
        interval_ms: u128,
    },
    /// Records were given to a task for a partition it does not own.
    #[error("task {task} does not own partition {topic}-{partition}")]
    UnknownPartition {
        /// The task.
        task: TaskId,
        /// The topic.
        topic: String,
        /// The partition.
        partition: i32,
    },
    /// A task was asked to do something its lifecycle state forbids.
    #[error("task {task} cannot go from {from} to {to}")]
    IllegalTaskState {
        /// The task.
        task: TaskId,
        /// Its state.
        from: &'static str,
        /// The state asked for.
        to: &'static str,
    },
    /// The topology is not valid (see [`TopologyError`]).
    #[error(transparent)]
    Topology(#[from] TopologyError),
    /// A configuration value is missing or invalid.
    #[error("invalid configuration {key}: {reason}")]
    Config {
        /// The configuration key.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A suppression buffer configured to shut down when full is full. Never
    /// handed to the processing exception handler: continuing would lose the
    /// record.
    #[error(
        "suppression buffer of {node} in task {task} is full ({records} records, {bytes} bytes; limits: {max_records:?} records, {max_bytes:?} bytes) and is configured to shut down when full"
    )]
    BufferFull {
        /// The suppress processor.
        node: String,
        /// The task.
        task: TaskId,
        /// Records buffered.
        records: u64,
        /// Bytes buffered.
        bytes: u64,
        /// The record limit, if any.
        max_records: Option<u64>,
        /// The byte limit, if any.
        max_bytes: Option<u64>,
    },
    /// A call to a Kafka client (consumer, producer, admin) failed.
    #[error("kafka: {operation}: {source}")]
    Kafka {
        /// What was being done, naming the topic or partition concerned.
        operation: String,
        /// The client's error.
        source: BoxError,
    },
    /// Source topics of the topology do not exist.
    #[error("source topics do not exist: {} (create them before starting the application)", topics.join(", "))]
    MissingSourceTopics {
        /// The missing topics.
        topics: Vec<String>,
    },
    /// Topics the application reads or restores from did not show in the
    /// cluster's metadata, with all their partitions led, in time.
    #[error("topics not ready in the cluster's metadata within {timeout_ms} ms: {}", topics.join(", "))]
    TopicsNotReady {
        /// Each topic not ready, with why (missing, partitions missing, no leader).
        topics: Vec<String>,
        /// How long was waited.
        timeout_ms: u64,
    },
    /// Topics read by one sub-topology have different partition counts, so
    /// partition p of each cannot be processed together.
    #[error(
        "co-partitioned topics must have the same number of partitions, but {}",
        describe_counts(counts)
    )]
    CoPartitioning {
        /// Each topic and its partition count.
        counts: Vec<(String, i32)>,
    },
    /// An internal topic exists with another partition count than the
    /// application needs.
    #[error(
        "internal topic {topic} has {actual} partitions, but the application needs {expected} (reset the application or delete the topic)"
    )]
    InternalTopicPartitions {
        /// The topic.
        topic: String,
        /// Partitions needed.
        expected: i32,
        /// Partitions it has.
        actual: i32,
    },
    /// Something did not complete in time.
    #[error("{what} did not complete within {timeout_ms} ms")]
    Timeout {
        /// What was waited for.
        what: String,
        /// The timeout.
        timeout_ms: u64,
    },
    /// A `KafkaStreams` client was asked for a state change its state forbids.
    #[error("KafkaStreams cannot go from {from} to {to}")]
    IllegalClientState {
        /// Its state.
        from: &'static str,
        /// The state asked for.
        to: &'static str,
    },
    /// A stream thread stopped on an error.
    #[error("stream thread {thread} failed: {source}")]
    StreamThread {
        /// The thread's name.
        thread: String,
        /// Why.
        source: Box<StreamsError>,
    },
}

fn describe_counts(counts: &[(String, i32)]) -> String {
    counts
        .iter()
        .map(|(t, n)| format!("{t} has {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl StreamsError {
    /// A short name of the error's kind, e.g. `Deserialization` (used in the
    /// dead-letter headers).
    pub fn kind(&self) -> &'static str {
        match self {
            StreamsError::Deserialization { .. } => "Deserialization",
            StreamsError::InvalidTimestamp { .. } => "InvalidTimestamp",
            StreamsError::Serialization { .. } => "Serialization",
            StreamsError::NegativeOutputTimestamp { .. } => "NegativeOutputTimestamp",
            StreamsError::Processing { .. } => "Processing",
            StreamsError::Production { .. } => "Production",
            StreamsError::Store { .. } => "Store",
            StreamsError::StoreBusy { .. } => "StoreBusy",
            StreamsError::State(_) => "State",
            StreamsError::StoreNotConnected { .. } => "StoreNotConnected",
            StreamsError::StoreTypeMismatch { .. } => "StoreTypeMismatch",
            StreamsError::UnknownChild { .. } => "UnknownChild",
            StreamsError::InvalidPunctuationInterval { .. } => "InvalidPunctuationInterval",
            StreamsError::UnknownPartition { .. } => "UnknownPartition",
            StreamsError::IllegalTaskState { .. } => "IllegalTaskState",
            StreamsError::Topology(_) => "Topology",
            StreamsError::Config { .. } => "Config",
            StreamsError::BufferFull { .. } => "BufferFull",
            StreamsError::Kafka { .. } => "Kafka",
            StreamsError::MissingSourceTopics { .. } => "MissingSourceTopics",
            StreamsError::TopicsNotReady { .. } => "TopicsNotReady",
            StreamsError::CoPartitioning { .. } => "CoPartitioning",
            StreamsError::InternalTopicPartitions { .. } => "InternalTopicPartitions",
            StreamsError::Timeout { .. } => "Timeout",
            StreamsError::IllegalClientState { .. } => "IllegalClientState",
            StreamsError::StreamThread { .. } => "StreamThread",
        }
    }
}
