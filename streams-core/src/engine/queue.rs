//! One input partition's queue of raw records.
//!
//! The queue is typed by its source node's key and value types, so a decoded
//! record is kept as it is, not boxed; the task sees queues through
//! [`ErasedQueue`]. With several input partitions the partition group needs
//! each queue's head timestamp, so the head is decoded (and its timestamp
//! extracted) as soon as it becomes the head; a task with one input partition
//! decodes and processes each record in one go. A record that cannot be read
//! goes to the deserialization handler and, if skipped, the next one is read.

use std::collections::VecDeque;
use std::rc::Rc;

use super::shared::{Current, TaskShared};
use super::{RawRecord, TopicPartition};
use crate::error::{RecordPart, SerdeError, StreamsError};
use crate::record::Record;
use crate::serde::Serde;
use crate::topology::node::SourceNode;

pub(crate) trait ErasedQueue {
    /// Records queued, head included.
    fn len(&self) -> usize;
    /// Appends a batch of raw records (one bulk copy).
    fn extend(&mut self, records: Vec<RawRecord>);
    /// Appends one raw record.
    fn push(&mut self, record: RawRecord);
    /// The head's timestamp, reading the next valid record into the head if needed.
    fn head_timestamp(&mut self) -> Result<Option<i64>, StreamsError>;
    /// Processes the head through the source node; returns its offset.
    fn process_head(&mut self) -> Result<Option<i64>, StreamsError>;
    /// Reads, and processes at once, the next valid record, advancing stream
    /// time first; returns its offset. The path of a task with one input
    /// partition, where no head needs to be kept for ordering.
    fn process_next(&mut self) -> Result<Option<i64>, StreamsError>;
    /// Processes up to `max` records in a row with [`process_next`], stopping
    /// early after the record that brings stream time to `stop_at`. Returns
    /// how many were processed and the offset of the last one.
    ///
    /// [`process_next`]: ErasedQueue::process_next
    fn process_run(&mut self, max: usize, stop_at: i64) -> Result<(usize, Option<i64>), StreamsError>;
}

/// A decoded record and the raw record it came from.
type Head<K, V> = (Record<K, V>, RawRecord);

pub(crate) struct RecordQueue<K, V, KS, VS> {
    index: usize,
    tp: TopicPartition,
    raw: VecDeque<RawRecord>,
    head: Option<Head<K, V>>,
    /// Largest valid timestamp read from this partition, or -1.
    partition_time: i64,
    /// Whether source bytes are kept for a dead-letter topic (fixed by the
    /// configuration, so read once rather than per record).
    keep_source_bytes: bool,
    source: Rc<SourceNode<K, V, KS, VS>>,
    shared: Rc<TaskShared>,
}

impl<K, V, KS, VS> RecordQueue<K, V, KS, VS> {
    pub(crate) fn new(
        index: usize,
        tp: TopicPartition,
        source: Rc<SourceNode<K, V, KS, VS>>,
        shared: Rc<TaskShared>,
    ) -> Self {
        Self {
            index,
            tp,
            raw: VecDeque::new(),
            head: None,
            partition_time: -1,
            keep_source_bytes: shared.keeps_source_bytes(),
            source,
            shared,
        }
    }
}

impl<K: Clone + 'static, V: Clone + 'static, KS: Serde<K>, VS: Serde<V>> RecordQueue<K, V, KS, VS> {
    /// Reads the next raw record that decodes and hands it, with its raw
    /// record, to `then`. Records that do not decode, or whose timestamp is
    /// invalid, go to the deserialization handler, which skips them or fails.
    ///
    /// Both paths (one-partition processing and the partition group's head)
    /// read through here. The continuation takes the record directly:
    /// returning it inside a `Result` first costs more than the rest of this
    /// loop (measured in the stateless_chain benchmark).
    #[inline(always)]
    fn read_with<R>(
        &mut self,
        then: impl FnOnce(&mut Self, Record<K, V>, RawRecord) -> R,
    ) -> Result<Option<R>, StreamsError> {
        let keep = self.keep_source_bytes;
        while let Some(mut raw) = self.raw.pop_front() {
            let source = &*self.source;
            // Without a dead-letter topic the source bytes are not needed
            // after decoding: serdes that can keep them (strings, bytes) take
            // them over instead of copying.
            let key = if keep {
                source.key_serde.deserialize(&self.tp.topic, raw.key.as_deref())
            } else {
                source.key_serde.deserialize_owned(&self.tp.topic, raw.key.take())
            };
            let key = match key {
                Ok(key) => key,
                Err(e) => {
                    self.skip_undecodable(&raw, RecordPart::Key, e)?;
                    continue;
                }
            };
            let value = if keep {
                source.value_serde.deserialize(&self.tp.topic, raw.value.as_deref())
            } else {
                source.value_serde.deserialize_owned(&self.tp.topic, raw.value.take())
            };
            let value = match value {
                Ok(value) => value,
                Err(e) => {
                    self.skip_undecodable(&raw, RecordPart::Value, e)?;
                    continue;
                }
            };
            // The headers move into the record unless the raw record is kept for a dead-letter topic.
            let headers = if keep {
                raw.headers.clone()
            } else {
                std::mem::take(&mut raw.headers)
            };
            let mut record = Record {
                key,
                value,
                timestamp: raw.timestamp,
                headers,
            };
            let timestamp = source
                .extractor
                .extract(&record, self.partition_time, &*self.shared.clock);
            if timestamp < 0 {
                raw.headers = record.headers;
                self.skip_invalid_timestamp(&raw, timestamp)?;
                continue;
            }
            record.timestamp = timestamp;
            self.partition_time = self.partition_time.max(timestamp);
            return Ok(Some(then(self, record, raw)));
        }
        Ok(None)
    }

    #[cold]
    #[inline(never)]
    fn skip_undecodable(&self, raw: &RawRecord, part: RecordPart, source: SerdeError) -> Result<(), StreamsError> {
        let error = StreamsError::Deserialization {
            topic: self.tp.topic.to_string(),
            partition: self.tp.partition,
            offset: raw.offset,
            part,
            source,
        };
        self.shared.on_deserialization_error(self.index, raw, error)
    }

    #[cold]
    #[inline(never)]
    fn skip_invalid_timestamp(&self, raw: &RawRecord, timestamp: i64) -> Result<(), StreamsError> {
        let error = StreamsError::InvalidTimestamp {
            topic: self.tp.topic.to_string(),
            partition: self.tp.partition,
            offset: raw.offset,
            timestamp,
        };
        self.shared.on_deserialization_error(self.index, raw, error)
    }

    /// Makes `record` the current one and sends it through the source node.
    #[inline(always)]
    fn forward(&mut self, record: Record<K, V>, raw: RawRecord) -> Result<i64, StreamsError> {
        let offset = raw.offset;
        self.shared.current_timestamp.set(record.timestamp);
        self.shared.current.set(Some(Current {
            queue: self.index,
            offset,
        }));
        // The source bytes are only needed to dead-letter a record that fails downstream.
        if self.keep_source_bytes {
            *self.shared.current_raw.borrow_mut() = Some(raw);
        } else {
            // Freed before the record goes down: the chain's own allocations
            // then reuse these chunks (measured faster than freeing after).
            drop(raw);
        }
        self.source.forward(record)?;
        Ok(offset)
    }
}

impl<K: Clone + 'static, V: Clone + 'static, KS: Serde<K>, VS: Serde<V>> ErasedQueue for RecordQueue<K, V, KS, VS> {
    fn len(&self) -> usize {
        self.raw.len() + usize::from(self.head.is_some())
    }

    fn extend(&mut self, records: Vec<RawRecord>) {
        self.raw.extend(records);
    }

    fn push(&mut self, record: RawRecord) {
        self.raw.push_back(record);
    }

    fn head_timestamp(&mut self) -> Result<Option<i64>, StreamsError> {
        if let Some((record, _)) = &self.head {
            return Ok(Some(record.timestamp));
        }
        self.read_with(|queue, record, raw| {
            let timestamp = record.timestamp;
            queue.head = Some((record, raw));
            timestamp
        })
    }

    fn process_head(&mut self) -> Result<Option<i64>, StreamsError> {
        let Some((record, raw)) = self.head.take() else {
            return Ok(None);
        };
        self.forward(record, raw).map(Some)
    }

    #[inline]
    fn process_next(&mut self) -> Result<Option<i64>, StreamsError> {
        if let Some((record, raw)) = self.head.take() {
            self.shared.advance_stream_time(record.timestamp);
            return self.forward(record, raw).map(Some);
        }
        let processed = self.read_with(|queue, record, raw| {
            queue.shared.advance_stream_time(record.timestamp);
            queue.forward(record, raw)
        })?;
        processed.transpose()
    }

    fn process_run(&mut self, max: usize, stop_at: i64) -> Result<(usize, Option<i64>), StreamsError> {
        let mut processed = 0;
        let mut last = None;
        while processed < max {
            let Some(offset) = self.process_next()? else { break };
            processed += 1;
            last = Some(offset);
            if self.shared.stream_time.get() >= stop_at {
                break;
            }
        }
        Ok((processed, last))
    }
}
