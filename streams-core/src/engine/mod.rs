//! The task engine: one implementation, driven by the test driver and by the
//! Kafka runtime alike.
//!
//! This module is for those two drivers, not for applications. A
//! [`StreamTask`] is one sub-topology on one partition: it owns fresh processor
//! instances, its stores, and a partition group (one queue per input partition;
//! the next record processed is the queued one with the smallest timestamp, and
//! stream time is the largest timestamp processed so far). A driver feeds it
//! raw records with [`StreamTask::add_records`], calls [`StreamTask::process`],
//! the punctuation checks and [`StreamTask::prepare_commit`], and gives it a
//! [`RecordCollector`] to write outputs to and a [`Clock`](crate::time::Clock).
//! Kafka itself never appears here, so both drivers run identical task code.

pub(crate) mod collector;
mod punctuation;
pub(crate) mod queue;
pub(crate) mod shared;
mod task;

use std::fmt;
use std::sync::Arc;

pub use collector::{OutgoingRecord, RecordCollector};
pub use task::{ChangelogPartition, RestoreProgress, StreamTask, TaskEnv, TaskMetrics, TaskState};

use crate::record::Headers;

/// A task's id: `<sub-topology>_<partition>`, as Kafka Streams prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId {
    /// The sub-topology.
    pub subtopology: u32,
    /// The partition of its input topics.
    pub partition: i32,
}

impl TaskId {
    /// The task of `subtopology` on `partition`.
    pub fn new(subtopology: u32, partition: i32) -> Self {
        Self { subtopology, partition }
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.subtopology, self.partition)
    }
}

/// A topic and a partition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartition {
    /// Topic name.
    pub topic: Arc<str>,
    /// Partition number.
    pub partition: i32,
}

impl TopicPartition {
    /// `topic`-`partition`.
    pub fn new(topic: impl Into<Arc<str>>, partition: i32) -> Self {
        Self {
            topic: topic.into(),
            partition,
        }
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// A record as the consumer delivers it: bytes, not yet deserialized. Its
/// topic and partition are those of the queue it is added to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawRecord {
    /// Offset in the partition.
    pub offset: i64,
    /// The Kafka record timestamp.
    pub timestamp: i64,
    /// Key bytes; `None` is null.
    pub key: Option<Vec<u8>>,
    /// Value bytes; `None` is null.
    pub value: Option<Vec<u8>>,
    /// Headers.
    pub headers: Headers,
}
