//! Errors of the test driver.

use streams_core::{RecordPart, SerdeError, StreamsError};

/// What can go wrong when driving a topology in a test.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriverError {
    /// The driver's temporary state directory could not be created.
    #[error("cannot create the test driver's state directory: {0}")]
    StateDir(std::io::Error),
    /// A record was piped into a topic no source of the topology reads.
    #[error("unknown input topic {topic}: no source of the topology reads it")]
    UnknownTopic {
        /// The topic.
        topic: String,
    },
    /// A read found no record left on the topic.
    #[error("no record to read on topic {topic}")]
    NoRecord {
        /// The topic.
        topic: String,
    },
    /// An output record did not deserialize with the output topic's serdes.
    #[error("cannot read the {part} of a record on topic {topic} with the given serde: {source}")]
    Deserialization {
        /// The topic.
        topic: String,
        /// Key or value.
        part: RecordPart,
        /// What the serde said.
        #[source]
        source: SerdeError,
    },
    /// A piped key or value did not serialize with the input topic's serdes.
    #[error("cannot serialize the {part} of a record piped into {topic}: {source}")]
    Serialization {
        /// The topic.
        topic: String,
        /// Key or value.
        part: RecordPart,
        /// What the serde said.
        #[source]
        source: SerdeError,
    },
    /// No store of that name (and handle type) exists in the topology.
    #[error("no state store named {name} with handle type {handle}")]
    UnknownStore {
        /// The store name.
        name: String,
        /// The handle type asked for.
        handle: &'static str,
    },
    /// Records fed back into the topology's own topics kept producing more
    /// records past the depth limit (the topology loops on itself).
    #[error("records fed back into topic {topic} nested deeper than {limit} levels: the topology loops on itself")]
    FeedbackLoop {
        /// The topic being fed back.
        topic: String,
        /// The nesting limit.
        limit: usize,
    },
    /// The task engine failed (a handler chose to fail, or the topology is invalid).
    #[error(transparent)]
    Streams(#[from] StreamsError),
    /// The driver was closed.
    #[error("the test driver is closed")]
    Closed,
}
