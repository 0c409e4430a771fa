//! `suppress`: holds a table's updates back in a change-logged buffer and
//! emits them later, as Kafka Streams' `KTableSuppressProcessor`.
//!
//! Each key has at most one entry: the latest update, the value downstream
//! last saw (the prior value, sent as the old value when asked), and the
//! buffer time, set by the key's first buffered update (its timestamp for a
//! time limit, its window end when waiting for windows to close) and kept by
//! later updates. After each update the processor's stream time advances,
//! and entries whose buffer time is at most `stream_time - delay` leave in
//! order of (buffer time, key bytes), each with its latest timestamp. Then,
//! if the buffer is over its limits, it emits its oldest entries early or
//! stops the application (the update that filled it stays buffered, so
//! nothing is lost).
//!
//! The buffer lives in an in-memory key-value store logged to a changelog:
//! after a restart or a move it is restored and rebuilt, so results are
//! neither lost nor repeated.

use std::collections::{BTreeMap, HashMap};

use state_stores::Stores;
use streams_core::serde::SharedSerde;
use streams_core::store::KeyValueStoreHandle;
use streams_core::{
    Payload, ProcessResult, Processor, ProcessorContext, Record, Serde, SerdeError, StreamsError, Topology,
    TopologyError,
};

use super::{KTable, OldValues};
use crate::change::Change;
use crate::graph::{LowerCtx, NodeKind};
use crate::materialize::or_default;
use crate::options::suppressed::{BufferTime, SuppressKind};
use crate::options::{BufferConfig, BufferFullStrategy, Suppressed};
use crate::{Data, SerdeData};

/// One key's buffered update.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BufferEntry<V> {
    buffer_time: i64,
    timestamp: i64,
    prior: Option<V>,
    new: Option<V>,
}

/// `buffer_time (8) | timestamp (8) | prior | new`, each value a 4-byte
/// big-endian length (-1 for none) and its bytes.
struct BufferEntrySerde<V>(SharedSerde<V>);

fn put_value<V: 'static>(
    serde: &SharedSerde<V>,
    topic: &str,
    v: &Option<V>,
    buf: &mut Vec<u8>,
) -> Result<(), SerdeError> {
    let at = buf.len();
    buf.extend_from_slice(&(-1i32).to_be_bytes());
    if let Some(v) = v
        && serde.serialize_into(topic, v, buf)? == Payload::Bytes
    {
        let len = buf.len() - at - 4;
        let len = i32::try_from(len).map_err(|_| SerdeError::Custom("buffered value over 2 GiB".into()))?;
        buf[at..at + 4].copy_from_slice(&len.to_be_bytes());
    }
    Ok(())
}

fn take<'a>(data: &mut &'a [u8], n: usize) -> Result<&'a [u8], SerdeError> {
    if data.len() < n {
        return Err(SerdeError::Truncated {
            type_name: "suppression buffer entry",
            needed: n,
            actual: data.len(),
        });
    }
    let (head, tail) = data.split_at(n);
    *data = tail;
    Ok(head)
}

fn take_i64(data: &mut &[u8]) -> Result<i64, SerdeError> {
    let mut b = [0u8; 8];
    b.copy_from_slice(take(data, 8)?);
    Ok(i64::from_be_bytes(b))
}

fn take_value<V: 'static>(serde: &SharedSerde<V>, topic: &str, data: &mut &[u8]) -> Result<Option<V>, SerdeError> {
    let mut b = [0u8; 4];
    b.copy_from_slice(take(data, 4)?);
    match usize::try_from(i32::from_be_bytes(b)) {
        Err(_) => Ok(None),
        Ok(len) => serde.deserialize(topic, Some(take(data, len)?)).map(Some),
    }
}

impl<V: 'static> Serde<BufferEntry<V>> for BufferEntrySerde<V> {
    fn serialize_into(&self, topic: &str, e: &BufferEntry<V>, buf: &mut Vec<u8>) -> Result<Payload, SerdeError> {
        buf.extend_from_slice(&e.buffer_time.to_be_bytes());
        buf.extend_from_slice(&e.timestamp.to_be_bytes());
        put_value(&self.0, topic, &e.prior, buf)?;
        put_value(&self.0, topic, &e.new, buf)?;
        Ok(Payload::Bytes)
    }

    fn deserialize(&self, topic: &str, data: Option<&[u8]>) -> Result<BufferEntry<V>, SerdeError> {
        let mut data = data.ok_or_else(|| SerdeError::UnexpectedNull {
            type_name: "suppression buffer entry",
        })?;
        let buffer_time = take_i64(&mut data)?;
        let timestamp = take_i64(&mut data)?;
        let prior = take_value(&self.0, topic, &mut data)?;
        let new = take_value(&self.0, topic, &mut data)?;
        Ok(BufferEntry {
            buffer_time,
            timestamp,
            prior,
            new,
        })
    }
}

pub(crate) struct SuppressProcessor<K, V> {
    store_name: String,
    time: BufferTime<K>,
    /// Entries leave once `buffer_time <= stream_time - delay`.
    delay: i64,
    drop_tombstones: bool,
    buffer: BufferConfig,
    key_serde: SharedSerde<K>,
    entry_serde: BufferEntrySerde<V>,
    send_old_values: bool,
    store: Option<KeyValueStoreHandle<K, BufferEntry<V>>>,
    /// Keys in emit order: (buffer time, key bytes).
    order: BTreeMap<(i64, Vec<u8>), K>,
    /// Key bytes -> (buffer time, entry size in bytes).
    entries: HashMap<Vec<u8>, (i64, u64)>,
    bytes: u64,
    observed: i64,
}

impl<K: Data, V: Data> SuppressProcessor<K, V> {
    fn key_bytes(&self, ctx: &ProcessorContext<K, Change<V>>, key: &K) -> Result<Vec<u8>, StreamsError> {
        let topic = ctx.node_name();
        self.key_serde
            .serialize(topic, key)
            .map_err(|e| store_error(&self.store_name, e))
            .map(Option::unwrap_or_default)
    }

    fn entry_size(&self, key_bytes: &[u8], entry: &BufferEntry<V>) -> Result<u64, StreamsError> {
        let mut buf = Vec::new();
        self.entry_serde
            .serialize_into(&self.store_name, entry, &mut buf)
            .map_err(|e| store_error(&self.store_name, e))?;
        Ok((key_bytes.len() + buf.len()) as u64)
    }

    fn track(&mut self, key: K, key_bytes: Vec<u8>, buffer_time: i64, size: u64) {
        if let Some((old_time, old_size)) = self.entries.insert(key_bytes.clone(), (buffer_time, size)) {
            self.order.remove(&(old_time, key_bytes.clone()));
            self.bytes -= old_size;
        }
        self.bytes += size;
        self.order.insert((buffer_time, key_bytes), key);
    }

    fn over_capacity(&self) -> bool {
        self.buffer
            .max_records_limit()
            .is_some_and(|n| self.order.len() as u64 > n)
            || self.buffer.max_bytes_limit().is_some_and(|n| self.bytes > n)
    }

    /// Emits the oldest entry.
    fn emit_first(&mut self, ctx: &ProcessorContext<K, Change<V>>) -> ProcessResult {
        let Some(((_, key_bytes), key)) = self.order.pop_first() else {
            return Ok(());
        };
        if let Some((_, size)) = self.entries.remove(&key_bytes) {
            self.bytes -= size;
        }
        let store = self.store()?;
        let Some(entry) = store.delete(&key)? else {
            return Ok(());
        };
        if self.drop_tombstones && entry.new.is_none() {
            return Ok(());
        }
        let old = if self.send_old_values { entry.prior } else { None };
        ctx.forward(Record::new(key, Change::new(entry.new, old), entry.timestamp))?;
        Ok(())
    }

    fn store(&self) -> Result<&KeyValueStoreHandle<K, BufferEntry<V>>, StreamsError> {
        self.store.as_ref().ok_or_else(|| StreamsError::StoreNotConnected {
            node: "suppress".into(),
            store: self.store_name.clone(),
        })
    }
}

fn store_error(store: &str, e: impl std::error::Error + Send + Sync + 'static) -> StreamsError {
    StreamsError::Store {
        store: store.to_owned(),
        source: Box::new(e),
    }
}

impl<K: Data, V: Data> Processor<K, Change<V>> for SuppressProcessor<K, V> {
    fn init(&mut self, ctx: &mut ProcessorContext<K, Change<V>>) -> ProcessResult {
        let store = ctx.key_value_store::<K, BufferEntry<V>>(&self.store_name)?;
        // Rebuild the emit order from what the store holds (restored from
        // its changelog after a restart).
        self.order.clear();
        self.entries.clear();
        self.bytes = 0;
        for (key, entry) in store.all()? {
            let key_bytes = self.key_bytes(ctx, &key)?;
            let size = self.entry_size(&key_bytes, &entry)?;
            self.track(key, key_bytes, entry.buffer_time, size);
        }
        self.store = Some(store);
        Ok(())
    }

    fn process(&mut self, ctx: &mut ProcessorContext<K, Change<V>>, record: Record<K, Change<V>>) -> ProcessResult {
        self.observed = self.observed.max(record.timestamp);
        let key_bytes = self.key_bytes(ctx, &record.key)?;
        let store = self.store()?.clone();
        // Only a key already buffered has an entry to update.
        let previous = if self.entries.contains_key(&key_bytes) {
            store.get(&record.key)?
        } else {
            None
        };
        let entry = match previous {
            Some(previous) => BufferEntry {
                timestamp: record.timestamp,
                new: record.value.new,
                ..previous
            },
            None => BufferEntry {
                buffer_time: (self.time)(&record.key, record.timestamp),
                timestamp: record.timestamp,
                prior: record.value.old,
                new: record.value.new,
            },
        };
        let size = self.entry_size(&key_bytes, &entry)?;
        store.put(&record.key, &entry)?;
        self.track(record.key, key_bytes, entry.buffer_time, size);
        let expiry = self.observed.saturating_sub(self.delay);
        while self.order.first_key_value().is_some_and(|((t, _), _)| *t <= expiry) {
            self.emit_first(ctx)?;
        }
        if self.over_capacity() {
            match self.buffer.full_strategy() {
                BufferFullStrategy::EmitEarly => {
                    while self.over_capacity() {
                        self.emit_first(ctx)?;
                    }
                }
                BufferFullStrategy::ShutDown => {
                    return Err(Box::new(StreamsError::BufferFull {
                        node: ctx.node_name().to_owned(),
                        task: ctx.task_id(),
                        records: self.order.len() as u64,
                        bytes: self.bytes,
                        max_records: self.buffer.max_records_limit(),
                        max_bytes: self.buffer.max_bytes_limit(),
                    }));
                }
            }
        }
        Ok(())
    }
}

impl<K: SerdeData, V: SerdeData> KTable<K, V> {
    /// Holds updates back as `suppressed` says: until a time limit passes
    /// (rate limiting), or until windows close (one final result per window).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use streams_dsl::options::{BufferConfig, Suppressed};
    /// use streams_dsl::prelude::*;
    /// use streams_dsl::windows::TimeWindows;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .stream::<String, String>("clicks")
    ///     .group_by_key()
    ///     .windowed_by(TimeWindows::of_size_and_grace(Duration::from_millis(10), Duration::from_millis(2))?)
    ///     .count()
    ///     .suppress(Suppressed::until_window_closes(BufferConfig::unbounded()))
    ///     .to_stream()
    ///     .map(|k, v| (k.to_string(), v.unwrap_or(0)))
    ///     .to("final-counts");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, String>("clicks");
    /// for t in [1, 4, 11, 12] {
    ///     input.pipe_input_with_timestamp("a".into(), "x".into(), t)?;
    /// }
    /// // [0,10) closes at stream time 12 (end + grace): one final count.
    /// let out = driver.create_output_topic::<String, i64>("final-counts");
    /// assert_eq!(out.read_key_values_to_list()?, [("[a@0/10]".to_string(), 2)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn suppress(&self, suppressed: Suppressed<K>) -> KTable<K, V> {
        let (name, store_name) = {
            let mut g = self.graph.borrow_mut();
            let name = g
                .names
                .user_or_processor(suppressed.name.as_deref(), "KTABLE-SUPPRESS-");
            let store = match &suppressed.name {
                Some(n) => format!("{n}-store"),
                None => g.names.store("KTABLE-SUPPRESS-"),
            };
            (name, store)
        };
        let key_serde = or_default(self.key_serde.clone());
        let value_serde = or_default(self.value_serde.clone());
        // As Kafka Streams' suppress processor, ask the parent for old values
        // (which materializes a source table that would not be otherwise).
        self.old_values.enable();
        let old_values = OldValues::child_of(&self.old_values);
        let downstream_old_values = old_values.clone();
        let close_delay = self.window_close_delay;
        let buffer = suppressed.buffer;
        let node_name = name.clone();
        let (time, delay, drop_tombstones) = match suppressed.kind {
            SuppressKind::TimeLimit { limit, time } => (time, Some(limit), false),
            SuppressKind::WindowClose { time } => (time, close_delay, true),
        };
        let lower = Box::new(move |topology: &mut Topology, ctx: &LowerCtx<'_>| {
            let Some(delay) = delay else {
                return Err(TopologyError::InvalidOperation {
                    node: node_name.clone(),
                    reason: "suppression until windows close needs a table made by a windowed aggregation \
                             (its grace period decides when windows close)"
                        .into(),
                });
            };
            let builder = Stores::key_value_store_builder(
                Stores::in_memory_key_value_store(store_name.clone()),
                key_serde.clone(),
                BufferEntrySerde(value_serde.clone()),
            )
            .with_caching_disabled()
            .with_logging_enabled(Default::default());
            let send_old_values = old_values.enabled();
            let (store_name, time, key_serde, value_serde) =
                (store_name.clone(), time.clone(), key_serde.clone(), value_serde.clone());
            topology.add_processor(
                ctx.name,
                move || SuppressProcessor {
                    store_name: store_name.clone(),
                    time: time.clone(),
                    delay,
                    drop_tombstones,
                    buffer,
                    key_serde: key_serde.clone(),
                    entry_serde: BufferEntrySerde(value_serde.clone()),
                    send_old_values,
                    store: None,
                    order: BTreeMap::new(),
                    entries: HashMap::new(),
                    bytes: 0,
                    observed: -1,
                },
                ctx.parents(),
            )?;
            topology.add_state_store(builder, &[ctx.name])?;
            Ok(())
        });
        let node = self
            .graph
            .borrow_mut()
            .add(name, vec![self.node], NodeKind::Processor { lower });
        KTable::new(
            std::rc::Rc::clone(&self.graph),
            node,
            self.key_serde.clone(),
            self.value_serde.clone(),
            downstream_old_values,
            None,
        )
        .with_window_close_delay(self.window_close_delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use streams_core::serde::StringSerde;

    #[test]
    fn buffer_entries_round_trip_and_reject_short_bytes() {
        let serde = BufferEntrySerde::<String>(std::sync::Arc::new(StringSerde));
        for entry in [
            BufferEntry {
                buffer_time: 5,
                timestamp: 9,
                prior: None,
                new: Some("x".to_string()),
            },
            BufferEntry {
                buffer_time: -1,
                timestamp: 0,
                prior: Some(String::new()),
                new: None,
            },
        ] {
            let bytes = serde.serialize("t", &entry).unwrap().unwrap();
            assert_eq!(serde.deserialize("t", Some(&bytes)).unwrap(), entry);
            assert!(matches!(
                serde.deserialize("t", Some(&bytes[..bytes.len() - 1])),
                Err(SerdeError::Truncated { .. })
            ));
        }
        assert!(serde.deserialize("t", None).is_err());
    }
}
