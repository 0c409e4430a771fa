//! The typed key-value facade.

use std::sync::Arc;

use streams_core::StreamsError;
use streams_core::serde::SharedSerde;
use streams_core::store::{FlushListener, FlushedRecord, KeyValueIter, KeyValueStore};

use super::metered::{Codec, Meter, Op, metered_lifecycle};
use crate::bytes::{BytesIter, BytesStore, Scan};

/// A typed key-value store over a bytes store, counting every operation.
pub struct MeteredKeyValueStore<K, V> {
    inner: Box<dyn BytesStore>,
    name: String,
    topic: String,
    keys: Codec<K>,
    values: Codec<V>,
    meter: Meter,
}

impl<K: 'static, V: 'static> MeteredKeyValueStore<K, V> {
    /// `inner` with serdes for keys and values.
    pub fn new(inner: Box<dyn BytesStore>, key_serde: SharedSerde<K>, value_serde: SharedSerde<V>) -> Self {
        let name = inner.name().to_owned();
        Self {
            topic: name.clone(),
            name,
            inner,
            keys: Codec::new(key_serde),
            values: Codec::new(value_serde),
            meter: Meter::default(),
        }
    }

    fn decode_pairs<'a>(&'a self, iter: BytesIter<'a>) -> KeyValueIter<'a, K, V> {
        Box::new(iter.map(move |item| {
            let (k, v) = item?;
            Ok((
                self.keys.decode(&self.name, &self.topic, &k)?,
                self.values.decode(&self.name, &self.topic, &v)?,
            ))
        }))
    }

    fn decode_value(&self, bytes: Option<Vec<u8>>) -> Result<Option<V>, StreamsError> {
        bytes
            .map(|b| self.values.decode(&self.name, &self.topic, &b))
            .transpose()
    }

    fn scan(&self, from: Option<&K>, to: Option<&K>, reverse: bool) -> Result<KeyValueIter<'_, K, V>, StreamsError> {
        self.meter.time(Op::Range, || {
            let from = from.map(|k| self.keys.to_vec(&self.name, &self.topic, k)).transpose()?;
            let to = to.map(|k| self.keys.to_vec(&self.name, &self.topic, k)).transpose()?;
            let iter = self.inner.scan(Scan::keys(from.as_deref(), to.as_deref(), reverse))?;
            Ok(self.decode_pairs(iter))
        })
    }
}

metered_lifecycle!(MeteredKeyValueStore);

impl<K: 'static, V: 'static> KeyValueStore<K, V> for MeteredKeyValueStore<K, V> {
    fn get(&self, key: &K) -> Result<Option<V>, StreamsError> {
        self.meter.time(Op::Get, || {
            // Decoded where the value lies (cache or RocksDB), not copied out first.
            let mut value = None;
            self.keys.with_bytes(&self.name, &self.topic, key, |k| {
                self.inner.get_with(k, &mut |bytes| {
                    value = bytes.map(|b| self.values.decode(&self.name, &self.topic, b));
                })
            })?;
            value.transpose()
        })
    }

    fn put(&mut self, key: &K, value: &V) -> Result<(), StreamsError> {
        let Self {
            inner,
            name,
            topic,
            keys,
            values,
            meter,
        } = self;
        meter.time(Op::Put, || {
            keys.with_bytes(name, topic, key, |k| {
                values.with_bytes(name, topic, value, |v| inner.put(k, Some(v)))
            })
        })
    }

    fn put_if_absent(&mut self, key: &K, value: &V) -> Result<Option<V>, StreamsError> {
        let k = self.keys.to_vec(&self.name, &self.topic, key)?;
        if let Some(existing) = self.meter.time(Op::Get, || self.inner.get(&k))? {
            return self.values.decode(&self.name, &self.topic, &existing).map(Some);
        }
        let v = self.values.to_vec(&self.name, &self.topic, value)?;
        let inner = &mut self.inner;
        self.meter.time(Op::Put, || inner.put(&k, Some(&v)))?;
        Ok(None)
    }

    fn put_all(&mut self, entries: &[(K, V)]) -> Result<(), StreamsError> {
        let mut batch = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            batch.push((
                self.keys.to_vec(&self.name, &self.topic, k)?,
                Some(self.values.to_vec(&self.name, &self.topic, v)?),
            ));
        }
        let batch: Vec<_> = batch.iter().map(|(k, v)| (k.as_slice(), v.as_deref())).collect();
        let inner = &mut self.inner;
        self.meter.time(Op::PutAll, || inner.put_all(&batch))
    }

    fn delete(&mut self, key: &K) -> Result<Option<V>, StreamsError> {
        let k = self.keys.to_vec(&self.name, &self.topic, key)?;
        let inner = &mut self.inner;
        let old = self.meter.time(Op::Put, || {
            let old = inner.get(&k)?;
            inner.put(&k, None)?;
            Ok::<_, StreamsError>(old)
        })?;
        self.decode_value(old)
    }

    fn range(&self, from: Option<&K>, to: Option<&K>) -> Result<KeyValueIter<'_, K, V>, StreamsError> {
        self.scan(from, to, false)
    }

    fn reverse_range(&self, from: Option<&K>, to: Option<&K>) -> Result<KeyValueIter<'_, K, V>, StreamsError> {
        self.scan(from, to, true)
    }

    fn prefix_scan(&self, prefix: &[u8]) -> Result<KeyValueIter<'_, K, V>, StreamsError> {
        self.meter
            .time(Op::Range, || Ok(self.decode_pairs(self.inner.prefix_scan(prefix)?)))
    }

    fn approximate_num_entries(&self) -> Result<u64, StreamsError> {
        self.inner.approximate_num_entries()
    }

    fn set_flush_listener(&mut self, mut listener: FlushListener<K, V>, send_old_values: bool) -> bool {
        let keys = Arc::clone(&self.keys.serde);
        let values = Arc::clone(&self.values.serde);
        let (name, topic) = (self.name.clone(), self.topic.clone());
        let err = move |e| crate::bytes::store_error(&name, e);
        self.inner.set_flush_listener(
            Box::new(move |flushed| {
                let decode = |b: Option<&[u8]>| b.map(|b| values.deserialize(&topic, Some(b))).transpose();
                listener(FlushedRecord {
                    key: keys.deserialize(&topic, Some(flushed.key)).map_err(&err)?,
                    new_value: decode(flushed.new_value).map_err(&err)?,
                    old_value: decode(flushed.old_value).map_err(&err)?,
                    timestamp: flushed.timestamp,
                })
            }),
            send_old_values,
        )
    }
}
