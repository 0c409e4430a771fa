//! In-memory backends: ordered maps of serialized bytes, so they order keys
//! exactly as RocksDB does and behave the same under every layer.

use std::collections::BTreeMap;
use std::ops::Bound;

use streams_core::StreamsError;
use streams_core::engine::RawRecord;
use streams_core::store::{StateStore, StateStoreContext};

use crate::bytes::{BytesIter, BytesStore, Scan, empty_bounds, store_error};
use crate::segmented::SegmentBackend;

fn range<'a>(
    map: &'a BTreeMap<Vec<u8>, Vec<u8>>,
    from: Option<&[u8]>,
    to: Option<&[u8]>,
    reverse: bool,
) -> BytesIter<'a> {
    if empty_bounds(from, to) {
        return Box::new(std::iter::empty());
    }
    let lo = from.map_or(Bound::Unbounded, Bound::Included);
    let hi = to.map_or(Bound::Unbounded, Bound::Included);
    let items = map.range::<[u8], _>((lo, hi)).map(|(k, v)| Ok((k.clone(), v.clone())));
    if reverse {
        Box::new(items.rev())
    } else {
        Box::new(items)
    }
}

/// An in-memory key-value bytes store.
pub struct InMemoryKeyValueBytes {
    name: String,
    map: BTreeMap<Vec<u8>, Vec<u8>>,
    open: bool,
}

impl InMemoryKeyValueBytes {
    /// An empty store.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            map: BTreeMap::new(),
            open: false,
        }
    }

    fn ensure_open(&self) -> Result<(), StreamsError> {
        if self.open {
            Ok(())
        } else {
            Err(store_error(&self.name, "store is not open"))
        }
    }
}

impl StateStore for InMemoryKeyValueBytes {
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

    fn restore(&mut self, records: &[RawRecord]) -> Result<(), StreamsError> {
        for r in records {
            let Some(key) = &r.key else {
                return Err(store_error(
                    &self.name,
                    format!("changelog record at offset {} has a null key", r.offset),
                ));
            };
            match &r.value {
                Some(v) => self.map.insert(key.clone(), v.clone()),
                None => self.map.remove(key),
            };
        }
        Ok(())
    }
}

impl BytesStore for InMemoryKeyValueBytes {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StreamsError> {
        self.ensure_open()?;
        Ok(self.map.get(key).cloned())
    }

    fn get_with(&self, key: &[u8], read: &mut dyn FnMut(Option<&[u8]>)) -> Result<(), StreamsError> {
        self.ensure_open()?;
        read(self.map.get(key).map(Vec::as_slice));
        Ok(())
    }

    fn put(&mut self, key: &[u8], value: Option<&[u8]>) -> Result<(), StreamsError> {
        self.ensure_open()?;
        match value {
            Some(v) => self.map.insert(key.to_vec(), v.to_vec()),
            None => self.map.remove(key),
        };
        Ok(())
    }

    fn put_all(&mut self, entries: &[(&[u8], Option<&[u8]>)]) -> Result<(), StreamsError> {
        for &(k, v) in entries {
            self.put(k, v)?;
        }
        Ok(())
    }

    fn scan(&self, scan: Scan<'_>) -> Result<BytesIter<'_>, StreamsError> {
        self.ensure_open()?;
        Ok(range(&self.map, scan.from, scan.to, scan.reverse))
    }

    fn approximate_num_entries(&self) -> Result<u64, StreamsError> {
        self.ensure_open()?;
        Ok(self.map.len() as u64)
    }
}

/// In-memory segments: one ordered map per segment.
#[derive(Default)]
pub(crate) struct InMemorySegments {
    segments: BTreeMap<i64, BTreeMap<Vec<u8>, Vec<u8>>>,
}

impl SegmentBackend for InMemorySegments {
    fn open(&mut self, _name: &str, _context: &StateStoreContext) -> Result<Vec<i64>, StreamsError> {
        Ok(self.segments.keys().copied().collect())
    }

    fn get(&self, segment: i64, key: &[u8]) -> Result<Option<Vec<u8>>, StreamsError> {
        Ok(self.segments.get(&segment).and_then(|s| s.get(key)).cloned())
    }

    fn write(&mut self, segment: i64, batch: &[(&[u8], Option<&[u8]>)], _durable: bool) -> Result<(), StreamsError> {
        let seg = self.segments.entry(segment).or_default();
        for &(k, v) in batch {
            match v {
                Some(v) => seg.insert(k.to_vec(), v.to_vec()),
                None => seg.remove(k),
            };
        }
        Ok(())
    }

    fn scan(
        &self,
        segment: i64,
        from: Option<&[u8]>,
        to: Option<&[u8]>,
        reverse: bool,
    ) -> Result<BytesIter<'_>, StreamsError> {
        Ok(match self.segments.get(&segment) {
            Some(map) => range(map, from, to, reverse),
            None => Box::new(std::iter::empty()),
        })
    }

    fn drop_segment(&mut self, segment: i64) -> Result<(), StreamsError> {
        self.segments.remove(&segment);
        Ok(())
    }

    fn count(&self) -> Result<u64, StreamsError> {
        Ok(self.segments.values().map(|s| s.len() as u64).sum())
    }

    fn flush(&mut self) -> Result<(), StreamsError> {
        Ok(())
    }

    fn close(&mut self) -> Result<(), StreamsError> {
        self.segments.clear();
        Ok(())
    }

    fn persistent(&self) -> bool {
        false
    }
}
