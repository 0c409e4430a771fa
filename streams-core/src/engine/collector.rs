//! Where sinks write: the producer side of Kafka behind a trait.

use crate::error::{BoxError, StreamsError};
use crate::record::Headers;

/// A serialized record on its way out.
#[derive(Debug, Clone, Copy)]
pub struct OutgoingRecord<'a> {
    /// Destination topic.
    pub topic: &'a str,
    /// Destination partition, if a partitioner chose one; otherwise the
    /// collector partitions by key as Kafka's default partitioner does.
    pub partition: Option<i32>,
    /// Key bytes; `None` is null.
    pub key: Option<&'a [u8]>,
    /// Value bytes; `None` is null.
    pub value: Option<&'a [u8]>,
    /// Record timestamp.
    pub timestamp: i64,
    /// Headers.
    pub headers: &'a Headers,
}

/// Accepts the records a task produces (sinks, change-logs, dead letters).
///
/// Called on the task's thread. `send` must copy what it keeps: the slices are
/// reused for the next record. `flush` is called at every commit and must not
/// return until every record sent so far is acknowledged (or has failed).
pub trait RecordCollector {
    /// Queues one record for sending.
    fn send(&mut self, record: OutgoingRecord<'_>) -> Result<(), BoxError>;
    /// The number of partitions of `topic`, if known (used by custom partitioners).
    fn partition_count(&self, topic: &str) -> Option<u32>;
    /// Waits until everything sent so far is acknowledged.
    fn flush(&mut self) -> Result<(), BoxError>;
    /// The offset of the last acknowledged record sent to `topic`-`partition`
    /// (after a `flush`), if the collector knows it. Tasks checkpoint their
    /// changelogs with it.
    fn last_offset(&self, topic: &str, partition: i32) -> Option<i64> {
        let _ = (topic, partition);
        None
    }
}

/// Flushes `collector` for a commit; a failure is a production error (the
/// collector's message names the topic partition that failed).
pub(crate) fn flush_for_commit(collector: &mut (impl RecordCollector + ?Sized)) -> Result<(), StreamsError> {
    collector.flush().map_err(|source| StreamsError::Production {
        topic: "*".into(),
        source,
    })
}
