//! A table store that uses its source topic as its changelog (the
//! reuse-source-topic optimization): it writes no changelog of its own, and
//! restores from the source topic, adding the timestamp the stored layout
//! carries (`8-byte timestamp ++ value`) to each value read back.

use state_stores::{KeyValueStoreBuilder, MeteredKeyValueStore};
use streams_core::engine::RawRecord;
use streams_core::store::{FlushListener, KeyValueIter, StateStoreContext, StoreMetrics, ValueAndTimestamp};
use streams_core::{BuiltStore, KeyValueStore, StateStore, StoreBuilder, StreamsError};

use crate::Data;

/// Builds [`SourceChangelogStore`]s.
pub(crate) struct SourceChangelogBuilder<K, V> {
    inner: KeyValueStoreBuilder<K, ValueAndTimestamp<V>>,
    topic: String,
}

impl<K, V> SourceChangelogBuilder<K, V> {
    /// `inner` must have logging disabled; `topic` is the table's source.
    pub(crate) fn new(inner: KeyValueStoreBuilder<K, ValueAndTimestamp<V>>, topic: String) -> Self {
        Self { inner, topic }
    }
}

impl<K: Data, V: Data> StoreBuilder for SourceChangelogBuilder<K, V> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn changelog(&self) -> Option<streams_core::ChangelogSpec> {
        Some(streams_core::ChangelogSpec::Source {
            topic: self.topic.clone(),
        })
    }

    fn build(&self) -> BuiltStore {
        BuiltStore::key_value(SourceChangelogStore {
            inner: self.inner.build_store(),
            topic: self.topic.clone(),
        })
    }
}

/// A table store restored from its source topic.
pub(crate) struct SourceChangelogStore<K, V> {
    inner: MeteredKeyValueStore<K, ValueAndTimestamp<V>>,
    topic: String,
}

impl<K: Data, V: Data> StateStore for SourceChangelogStore<K, V> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn init(&mut self, context: &StateStoreContext) -> Result<(), StreamsError> {
        self.inner.init(context)
    }

    fn flush(&mut self) -> Result<(), StreamsError> {
        self.inner.flush()
    }

    fn flush_cache(&mut self) -> Result<(), StreamsError> {
        self.inner.flush_cache()
    }

    fn close(&mut self) -> Result<(), StreamsError> {
        self.inner.close()
    }

    fn persistent(&self) -> bool {
        self.inner.persistent()
    }

    fn is_open(&self) -> bool {
        self.inner.is_open()
    }

    fn changelog_topic(&self) -> Option<&str> {
        Some(&self.topic)
    }

    fn restore(&mut self, records: &[RawRecord]) -> Result<(), StreamsError> {
        // A null key never reached the table (the table source skips it).
        let converted: Vec<RawRecord> = records
            .iter()
            .filter(|r| r.key.is_some())
            .map(|r| RawRecord {
                offset: r.offset,
                timestamp: r.timestamp,
                key: r.key.clone(),
                value: r.value.as_ref().map(|v| {
                    let mut stored = Vec::with_capacity(8 + v.len());
                    stored.extend_from_slice(&r.timestamp.to_be_bytes());
                    stored.extend_from_slice(v);
                    stored
                }),
                headers: r.headers.clone(),
            })
            .collect();
        self.inner.restore(&converted)
    }

    fn metrics(&self) -> Option<StoreMetrics> {
        self.inner.metrics()
    }
}

impl<K: Data, V: Data> KeyValueStore<K, ValueAndTimestamp<V>> for SourceChangelogStore<K, V> {
    fn get(&self, key: &K) -> Result<Option<ValueAndTimestamp<V>>, StreamsError> {
        self.inner.get(key)
    }

    fn put(&mut self, key: &K, value: &ValueAndTimestamp<V>) -> Result<(), StreamsError> {
        self.inner.put(key, value)
    }

    fn put_if_absent(
        &mut self,
        key: &K,
        value: &ValueAndTimestamp<V>,
    ) -> Result<Option<ValueAndTimestamp<V>>, StreamsError> {
        self.inner.put_if_absent(key, value)
    }

    fn put_all(&mut self, entries: &[(K, ValueAndTimestamp<V>)]) -> Result<(), StreamsError> {
        self.inner.put_all(entries)
    }

    fn delete(&mut self, key: &K) -> Result<Option<ValueAndTimestamp<V>>, StreamsError> {
        self.inner.delete(key)
    }

    fn range(
        &self,
        from: Option<&K>,
        to: Option<&K>,
    ) -> Result<KeyValueIter<'_, K, ValueAndTimestamp<V>>, StreamsError> {
        self.inner.range(from, to)
    }

    fn prefix_scan(&self, prefix: &[u8]) -> Result<KeyValueIter<'_, K, ValueAndTimestamp<V>>, StreamsError> {
        self.inner.prefix_scan(prefix)
    }

    fn reverse_range(
        &self,
        from: Option<&K>,
        to: Option<&K>,
    ) -> Result<KeyValueIter<'_, K, ValueAndTimestamp<V>>, StreamsError> {
        self.inner.reverse_range(from, to)
    }

    fn approximate_num_entries(&self) -> Result<u64, StreamsError> {
        self.inner.approximate_num_entries()
    }

    fn set_flush_listener(&mut self, listener: FlushListener<K, ValueAndTimestamp<V>>, send_old_values: bool) -> bool {
        self.inner.set_flush_listener(listener, send_old_values)
    }
}
