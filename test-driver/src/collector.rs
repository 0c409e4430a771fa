//! The in-memory record collector that captures what tasks produce.

use streams_core::engine::{OutgoingRecord, RecordCollector};
use streams_core::{BoxError, Headers};

/// A record as a sink (or change-logger, or dead-letter queue) produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducedRecord {
    /// Topic.
    pub topic: String,
    /// Partition chosen by a partitioner, if any.
    pub partition: Option<i32>,
    /// Key bytes; `None` is null.
    pub key: Option<Vec<u8>>,
    /// Value bytes; `None` is null.
    pub value: Option<Vec<u8>>,
    /// Timestamp.
    pub timestamp: i64,
    /// Headers.
    pub headers: Headers,
}

/// Keeps every record sent until the driver takes them.
#[derive(Debug, Default)]
pub(crate) struct CapturingCollector {
    pub(crate) records: Vec<ProducedRecord>,
    /// Records sent per topic so far: the next offset of its one partition.
    sent: std::collections::HashMap<String, i64>,
}

impl RecordCollector for CapturingCollector {
    fn send(&mut self, record: OutgoingRecord<'_>) -> Result<(), BoxError> {
        *self.sent.entry(record.topic.to_owned()).or_default() += 1;
        self.records.push(ProducedRecord {
            topic: record.topic.to_owned(),
            partition: record.partition,
            key: record.key.map(<[u8]>::to_vec),
            value: record.value.map(<[u8]>::to_vec),
            timestamp: record.timestamp,
            headers: record.headers.clone(),
        });
        Ok(())
    }

    /// Every topic has one partition in the driver, as in Kafka's.
    fn partition_count(&self, _topic: &str) -> Option<u32> {
        Some(1)
    }

    fn flush(&mut self) -> Result<(), BoxError> {
        Ok(())
    }

    fn last_offset(&self, topic: &str, _partition: i32) -> Option<i64> {
        self.sent.get(topic).map(|n| n - 1)
    }
}
