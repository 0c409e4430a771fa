//! Typed input and output topics of the driver.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::hash::Hash;
use std::rc::Rc;
use std::time::Duration;

use streams_core::serde::SharedSerde;
use streams_core::{Headers, Record, RecordPart};

use crate::collector::ProducedRecord;
use crate::driver::Inner;
use crate::error::DriverError;

/// Pipes typed records into one input topic of the driven topology.
///
/// Records piped without a timestamp get the topic's current time, which then
/// moves forward by the auto-advance (zero unless set with [`with_time`](Self::with_time)).
pub struct TestInputTopic<K, V> {
    inner: Rc<RefCell<Inner>>,
    topic: String,
    key_serde: SharedSerde<K>,
    value_serde: SharedSerde<V>,
    current_time: Cell<i64>,
    auto_advance: Cell<i64>,
}

/// Serialized key and value; `None` is Kafka's null.
type KeyValueBytes = (Option<Vec<u8>>, Option<Vec<u8>>);

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl<K: 'static, V: 'static> TestInputTopic<K, V> {
    pub(crate) fn new(
        inner: Rc<RefCell<Inner>>,
        topic: &str,
        key_serde: SharedSerde<K>,
        value_serde: SharedSerde<V>,
        start: i64,
    ) -> Self {
        Self {
            inner,
            topic: topic.to_owned(),
            key_serde,
            value_serde,
            current_time: Cell::new(start),
            auto_advance: Cell::new(0),
        }
    }

    /// Sets the time of the next record without a timestamp, and how much the
    /// time moves forward after each such record.
    #[must_use]
    pub fn with_time(self, start_ms: i64, auto_advance: Duration) -> Self {
        self.current_time.set(start_ms);
        self.auto_advance.set(millis(auto_advance));
        self
    }

    /// Moves this topic's time forward.
    pub fn advance_time(&self, advance: Duration) {
        self.current_time
            .set(self.current_time.get().saturating_add(millis(advance)));
    }

    /// The topic name.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    fn next_time(&self) -> i64 {
        let t = self.current_time.get();
        self.current_time.set(t.saturating_add(self.auto_advance.get()));
        t
    }

    fn encode(&self, key: &K, value: &V) -> Result<KeyValueBytes, DriverError> {
        let err = |part, source| DriverError::Serialization {
            topic: self.topic.clone(),
            part,
            source,
        };
        let k = self
            .key_serde
            .serialize(&self.topic, key)
            .map_err(|e| err(RecordPart::Key, e))?;
        let v = self
            .value_serde
            .serialize(&self.topic, value)
            .map_err(|e| err(RecordPart::Value, e))?;
        Ok((k, v))
    }

    /// Pipes one record at the topic's current time, and processes it (and
    /// everything it feeds back) to completion.
    pub fn pipe_input(&self, key: K, value: V) -> Result<(), DriverError> {
        let t = self.next_time();
        self.pipe_input_with_timestamp(key, value, t)
    }

    /// Pipes one record with an explicit timestamp.
    pub fn pipe_input_with_timestamp(&self, key: K, value: V, timestamp: i64) -> Result<(), DriverError> {
        self.pipe_record(Record::new(key, value, timestamp))
    }

    /// Pipes one record with its timestamp and headers.
    pub fn pipe_record(&self, record: Record<K, V>) -> Result<(), DriverError> {
        let (k, v) = self.encode(&record.key, &record.value)?;
        self.inner
            .borrow_mut()
            .pipe(&self.topic, k, v, record.timestamp, record.headers)
    }

    /// Pipes raw bytes, bypassing the serdes (to test how the topology handles
    /// payloads it cannot read).
    pub fn pipe_raw(&self, key: Option<Vec<u8>>, value: Option<Vec<u8>>, timestamp: i64) -> Result<(), DriverError> {
        self.inner
            .borrow_mut()
            .pipe(&self.topic, key, value, timestamp, Headers::new())
    }

    /// Pipes each pair at the topic's current time (auto-advancing between them).
    pub fn pipe_key_value_list(&self, pairs: impl IntoIterator<Item = (K, V)>) -> Result<(), DriverError> {
        for (k, v) in pairs {
            self.pipe_input(k, v)?;
        }
        Ok(())
    }
}

/// Reads typed records the topology wrote to one topic.
pub struct TestOutputTopic<K, V> {
    inner: Rc<RefCell<Inner>>,
    topic: String,
    key_serde: SharedSerde<K>,
    value_serde: SharedSerde<V>,
}

impl<K: 'static, V: 'static> TestOutputTopic<K, V> {
    pub(crate) fn new(
        inner: Rc<RefCell<Inner>>,
        topic: &str,
        key_serde: SharedSerde<K>,
        value_serde: SharedSerde<V>,
    ) -> Self {
        Self {
            inner,
            topic: topic.to_owned(),
            key_serde,
            value_serde,
        }
    }

    fn next(&self) -> Result<ProducedRecord, DriverError> {
        self.inner
            .borrow_mut()
            .take_output(&self.topic)
            .ok_or_else(|| DriverError::NoRecord {
                topic: self.topic.clone(),
            })
    }

    fn decode(&self, r: ProducedRecord) -> Result<Record<K, V>, DriverError> {
        let err = |part, source| DriverError::Deserialization {
            topic: self.topic.clone(),
            part,
            source,
        };
        let key = self
            .key_serde
            .deserialize(&self.topic, r.key.as_deref())
            .map_err(|e| err(RecordPart::Key, e))?;
        let value = self
            .value_serde
            .deserialize(&self.topic, r.value.as_deref())
            .map_err(|e| err(RecordPart::Value, e))?;
        Ok(Record {
            key,
            value,
            timestamp: r.timestamp,
            headers: r.headers,
        })
    }

    /// Reads the next record (key, value, timestamp, headers).
    pub fn read_record(&self) -> Result<Record<K, V>, DriverError> {
        let raw = self.next()?;
        self.decode(raw)
    }

    /// Reads the next record's value.
    pub fn read_value(&self) -> Result<V, DriverError> {
        self.read_record().map(|r| r.value)
    }

    /// Reads the next record's key and value.
    pub fn read_key_value(&self) -> Result<(K, V), DriverError> {
        self.read_record().map(|r| (r.key, r.value))
    }

    /// Reads every remaining record.
    pub fn read_records_to_list(&self) -> Result<Vec<Record<K, V>>, DriverError> {
        let mut out = Vec::new();
        while !self.is_empty() {
            out.push(self.read_record()?);
        }
        Ok(out)
    }

    /// Reads every remaining value.
    pub fn read_values_to_list(&self) -> Result<Vec<V>, DriverError> {
        Ok(self.read_records_to_list()?.into_iter().map(|r| r.value).collect())
    }

    /// Reads every remaining key and value.
    pub fn read_key_values_to_list(&self) -> Result<Vec<(K, V)>, DriverError> {
        Ok(self
            .read_records_to_list()?
            .into_iter()
            .map(|r| (r.key, r.value))
            .collect())
    }

    /// Whether no record is left to read.
    pub fn is_empty(&self) -> bool {
        self.queue_size() == 0
    }

    /// Records left to read.
    pub fn queue_size(&self) -> usize {
        self.inner.borrow().output_size(&self.topic)
    }

    /// The topic name.
    pub fn topic(&self) -> &str {
        &self.topic
    }
}

impl<K: Eq + Hash + 'static, V: 'static> TestOutputTopic<K, V> {
    /// Reads every remaining record into a map: the last value per key wins.
    pub fn read_key_values_to_map(&self) -> Result<HashMap<K, V>, DriverError> {
        Ok(self.read_key_values_to_list()?.into_iter().collect())
    }
}
