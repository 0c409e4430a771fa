//! One input partition's queue of raw records.
//!
//! The queue is typed by its source node's key and value types, so the
//! deserialized head record is kept as it is, not boxed; the task sees queues
//! through [`ErasedQueue`]. The head is deserialized (and its timestamp
//! extracted) as soon as it becomes the head, because the partition group
//! orders queues by head timestamp. A head that cannot be read goes to the
//! deserialization handler and, if skipped, the next record becomes the head.

use std::collections::VecDeque;
use std::rc::Rc;

use super::shared::{Current, TaskShared};
use super::{RawRecord, TopicPartition};
use crate::error::StreamsError;
use crate::record::Record;
use crate::topology::node::SourceNode;

pub(crate) trait ErasedQueue {
    /// Records queued, head included.
    fn len(&self) -> usize;
    fn push(&mut self, raw: RawRecord);
    /// The head's timestamp, reading the next valid record into the head if needed.
    fn head_timestamp(&mut self) -> Result<Option<i64>, StreamsError>;
    /// Processes the head through the source node; returns its offset.
    fn process_head(&mut self) -> Result<Option<i64>, StreamsError>;
}

pub(crate) struct RecordQueue<K, V> {
    index: usize,
    tp: TopicPartition,
    raw: VecDeque<RawRecord>,
    head: Option<(Record<K, V>, RawRecord)>,
    /// Largest valid timestamp read from this partition, or -1.
    partition_time: i64,
    source: Rc<SourceNode<K, V>>,
    shared: Rc<TaskShared>,
}

impl<K, V> RecordQueue<K, V> {
    pub(crate) fn new(index: usize, tp: TopicPartition, source: Rc<SourceNode<K, V>>, shared: Rc<TaskShared>) -> Self {
        Self {
            index,
            tp,
            raw: VecDeque::new(),
            head: None,
            partition_time: -1,
            source,
            shared,
        }
    }
}

impl<K: Clone + 'static, V: Clone + 'static> ErasedQueue for RecordQueue<K, V> {
    fn len(&self) -> usize {
        self.raw.len() + usize::from(self.head.is_some())
    }

    fn push(&mut self, raw: RawRecord) {
        self.raw.push_back(raw);
    }

    #[inline]
    fn head_timestamp(&mut self) -> Result<Option<i64>, StreamsError> {
        while self.head.is_none() {
            let Some(raw) = self.raw.pop_front() else {
                return Ok(None);
            };
            match self
                .source
                .decode(&self.tp, &raw, self.partition_time, &*self.shared.clock)
            {
                Ok(record) => {
                    self.partition_time = self.partition_time.max(record.timestamp);
                    self.head = Some((record, raw));
                }
                Err(error) => self.shared.on_deserialization_error(self.index, &raw, error)?,
            }
        }
        Ok(self.head.as_ref().map(|(r, _)| r.timestamp))
    }

    fn process_head(&mut self) -> Result<Option<i64>, StreamsError> {
        let Some((record, raw)) = self.head.take() else {
            return Ok(None);
        };
        let offset = raw.offset;
        self.shared.current.set(Some(Current {
            queue: self.index,
            offset,
        }));
        *self.shared.current_raw.borrow_mut() = Some(raw);
        self.source.forward(record)?;
        Ok(Some(offset))
    }
}
