//! A simple in-memory key-value store: a `BTreeMap` of serialized bytes, so it
//! orders keys exactly as RocksDB does.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use super::{BuiltStore, KeyValueIter, KeyValueStore, StateStore, StateStoreContext, StoreBuilder};
use crate::error::{BoxError, StreamsError};
use crate::serde::{DefaultSerde, Payload, SharedSerde};

/// Inclusive byte bounds of a range; `None` when the range is empty.
type ByteBounds = (Bound<Vec<u8>>, Bound<Vec<u8>>);

/// An in-memory key-value store over serialized keys and values.
pub struct InMemoryKeyValueStore<K, V> {
    name: String,
    key_serde: SharedSerde<K>,
    value_serde: SharedSerde<V>,
    map: BTreeMap<Vec<u8>, Vec<u8>>,
    open: bool,
}

impl<K: 'static, V: 'static> InMemoryKeyValueStore<K, V> {
    /// An empty, unopened store.
    pub fn new(name: impl Into<String>, key_serde: SharedSerde<K>, value_serde: SharedSerde<V>) -> Self {
        Self {
            name: name.into(),
            key_serde,
            value_serde,
            map: BTreeMap::new(),
            open: false,
        }
    }

    fn err(&self, e: impl Into<BoxError>) -> StreamsError {
        StreamsError::Store {
            store: self.name.clone(),
            source: e.into(),
        }
    }

    fn key_bytes(&self, key: &K) -> Result<Vec<u8>, StreamsError> {
        let mut buf = Vec::new();
        match self
            .key_serde
            .serialize_into(&self.name, key, &mut buf)
            .map_err(|e| self.err(e))?
        {
            Payload::Bytes => Ok(buf),
            Payload::Null => Err(self.err("keys must not serialize to null")),
        }
    }

    fn value_bytes(&self, value: &V) -> Result<Vec<u8>, StreamsError> {
        let mut buf = Vec::new();
        match self
            .value_serde
            .serialize_into(&self.name, value, &mut buf)
            .map_err(|e| self.err(e))?
        {
            Payload::Bytes => Ok(buf),
            Payload::Null => Err(self.err("values must not serialize to null (use delete)")),
        }
    }

    fn decode_value(&self, bytes: &[u8]) -> Result<V, StreamsError> {
        self.value_serde
            .deserialize(&self.name, Some(bytes))
            .map_err(|e| self.err(e))
    }

    fn decode_pair(&self, k: &[u8], v: &[u8]) -> Result<(K, V), StreamsError> {
        let key = self
            .key_serde
            .deserialize(&self.name, Some(k))
            .map_err(|e| self.err(e))?;
        Ok((key, self.decode_value(v)?))
    }

    fn ensure_open(&self) -> Result<(), StreamsError> {
        if self.open {
            Ok(())
        } else {
            Err(self.err("store is not open"))
        }
    }

    fn bounds(&self, from: Option<&K>, to: Option<&K>) -> Result<Option<ByteBounds>, StreamsError> {
        let lo = from.map(|k| self.key_bytes(k)).transpose()?;
        let hi = to.map(|k| self.key_bytes(k)).transpose()?;
        if let (Some(lo), Some(hi)) = (&lo, &hi)
            && lo > hi
        {
            return Ok(None);
        }
        Ok(Some((
            lo.map_or(Bound::Unbounded, Bound::Included),
            hi.map_or(Bound::Unbounded, Bound::Included),
        )))
    }
}

impl<K: 'static, V: 'static> StateStore for InMemoryKeyValueStore<K, V> {
    fn name(&self) -> &str {
        &self.name
    }

    fn init(&mut self, _context: &StateStoreContext) -> Result<(), StreamsError> {
        self.open = true;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StreamsError> {
        Ok(())
    }

    fn close(&mut self) -> Result<(), StreamsError> {
        self.open = false;
        self.map.clear();
        Ok(())
    }

    fn persistent(&self) -> bool {
        false
    }

    fn is_open(&self) -> bool {
        self.open
    }
}

impl<K: 'static, V: 'static> KeyValueStore<K, V> for InMemoryKeyValueStore<K, V> {
    fn get(&self, key: &K) -> Result<Option<V>, StreamsError> {
        self.ensure_open()?;
        let k = self.key_bytes(key)?;
        self.map.get(&k).map(|v| self.decode_value(v)).transpose()
    }

    fn put(&mut self, key: &K, value: &V) -> Result<(), StreamsError> {
        self.ensure_open()?;
        let (k, v) = (self.key_bytes(key)?, self.value_bytes(value)?);
        self.map.insert(k, v);
        Ok(())
    }

    fn put_if_absent(&mut self, key: &K, value: &V) -> Result<Option<V>, StreamsError> {
        self.ensure_open()?;
        let k = self.key_bytes(key)?;
        if let Some(existing) = self.map.get(&k) {
            return self.decode_value(existing).map(Some);
        }
        let v = self.value_bytes(value)?;
        self.map.insert(k, v);
        Ok(None)
    }

    fn put_all(&mut self, entries: &[(K, V)]) -> Result<(), StreamsError> {
        for (k, v) in entries {
            self.put(k, v)?;
        }
        Ok(())
    }

    fn delete(&mut self, key: &K) -> Result<Option<V>, StreamsError> {
        self.ensure_open()?;
        let k = self.key_bytes(key)?;
        self.map.remove(&k).map(|v| self.decode_value(&v)).transpose()
    }

    fn range(&self, from: Option<&K>, to: Option<&K>) -> Result<KeyValueIter<'_, K, V>, StreamsError> {
        self.ensure_open()?;
        Ok(match self.bounds(from, to)? {
            None => Box::new(std::iter::empty()),
            Some(b) => Box::new(self.map.range(b).map(|(k, v)| self.decode_pair(k, v))),
        })
    }

    fn reverse_range(&self, from: Option<&K>, to: Option<&K>) -> Result<KeyValueIter<'_, K, V>, StreamsError> {
        self.ensure_open()?;
        Ok(match self.bounds(from, to)? {
            None => Box::new(std::iter::empty()),
            Some(b) => Box::new(self.map.range(b).rev().map(|(k, v)| self.decode_pair(k, v))),
        })
    }

    fn prefix_scan(&self, prefix: &[u8]) -> Result<KeyValueIter<'_, K, V>, StreamsError> {
        self.ensure_open()?;
        let prefix = prefix.to_vec();
        Ok(Box::new(
            self.map
                .range((Bound::Included(prefix.clone()), Bound::Unbounded))
                .take_while(move |(k, _)| k.starts_with(&prefix))
                .map(|(k, v)| self.decode_pair(k, v)),
        ))
    }

    fn approximate_num_entries(&self) -> Result<u64, StreamsError> {
        self.ensure_open()?;
        Ok(self.map.len() as u64)
    }
}

/// Builds an [`InMemoryKeyValueStore`] for each task.
pub struct InMemoryKeyValueStoreBuilder<K, V> {
    name: String,
    key_serde: SharedSerde<K>,
    value_serde: SharedSerde<V>,
}

impl<K: 'static, V: 'static> InMemoryKeyValueStoreBuilder<K, V> {
    /// A builder with explicit serdes.
    pub fn new(name: impl Into<String>, key_serde: SharedSerde<K>, value_serde: SharedSerde<V>) -> Self {
        Self {
            name: name.into(),
            key_serde,
            value_serde,
        }
    }
}

impl<K: DefaultSerde, V: DefaultSerde> InMemoryKeyValueStoreBuilder<K, V> {
    /// A builder with the default serdes of `K` and `V`.
    pub fn with_default_serdes(name: impl Into<String>) -> Self {
        Self::new(name, K::default_serde(), V::default_serde())
    }
}

impl<K: 'static, V: 'static> StoreBuilder for InMemoryKeyValueStoreBuilder<K, V> {
    fn name(&self) -> &str {
        &self.name
    }

    fn build(&self) -> BuiltStore {
        BuiltStore::key_value(InMemoryKeyValueStore::new(
            self.name.clone(),
            Arc::clone(&self.key_serde),
            Arc::clone(&self.value_serde),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::TaskId;

    fn open_store() -> InMemoryKeyValueStore<String, i64> {
        let mut s = InMemoryKeyValueStore::new("s", String::default_serde(), i64::default_serde());
        s.init(&StateStoreContext::new("app", TaskId::new(0, 0), std::env::temp_dir()))
            .unwrap();
        s
    }

    fn keys(it: KeyValueIter<'_, String, i64>) -> Vec<String> {
        it.map(|r| r.unwrap().0).collect()
    }

    #[test]
    fn crud_and_ranges() {
        let mut s = open_store();
        for (i, k) in ["b", "a", "d", "c"].iter().enumerate() {
            s.put(&k.to_string(), &(i as i64)).unwrap();
        }
        assert_eq!(s.get(&"a".into()).unwrap(), Some(1));
        assert_eq!(s.put_if_absent(&"a".into(), &9).unwrap(), Some(1));
        assert_eq!(s.put_if_absent(&"e".into(), &9).unwrap(), None);
        assert_eq!(s.delete(&"e".into()).unwrap(), Some(9));
        assert_eq!(s.delete(&"e".into()).unwrap(), None);
        assert_eq!(keys(s.range(Some(&"b".into()), Some(&"c".into())).unwrap()), ["b", "c"]);
        assert_eq!(keys(s.reverse_range(Some(&"b".into()), None).unwrap()), ["d", "c", "b"]);
        assert!(keys(s.range(Some(&"c".into()), Some(&"b".into())).unwrap()).is_empty());
        assert_eq!(keys(s.all().unwrap()), ["a", "b", "c", "d"]);
        s.put(&"ab".to_string(), &7).unwrap();
        assert_eq!(keys(s.prefix_scan(b"a").unwrap()), ["a", "ab"]);
        assert_eq!(s.approximate_num_entries().unwrap(), 5);
    }

    #[test]
    fn closed_store_is_an_error() {
        let s = InMemoryKeyValueStore::<String, i64>::new("s", String::default_serde(), i64::default_serde());
        let err = s.get(&"a".into()).unwrap_err();
        assert!(err.to_string().contains("state store s"), "{err}");
    }
}
