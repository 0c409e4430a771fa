//! The caching layer: writes land in the stream thread's record cache, which
//! keeps only the latest value per key; dirty entries reach the store
//! underneath (and the flush listener) when the store flushes (every commit)
//! or when the cache evicts them. Reads see the cache first.
//!
//! Segmented (window and session) stores cache under `segment id ++ key`, so
//! the cache orders entries exactly as the segmented store underneath does and
//! scans merge the two in one pass.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::iter::Peekable;
use std::ops::Bound;

use streams_core::StreamsError;
use streams_core::store::{CacheEntry, DirtyBatch, RecordTime, StateStore, StateStoreContext, ThreadCache};

use super::delegate_lifecycle;
use crate::bytes::{BytesFlushListener, BytesFlushed, BytesIter, BytesStore, Scan, Segmenting, in_bounds, store_error};

pub(crate) struct Caching {
    inner: Box<dyn BytesStore>,
    cache: Option<ThreadCache>,
    namespace: String,
    listener: Option<BytesFlushListener>,
    send_old_values: bool,
    segmenting: Option<Segmenting>,
    observed: i64,
    time: Option<RecordTime>,
}

impl Caching {
    pub(crate) fn new(inner: Box<dyn BytesStore>) -> Self {
        Self {
            inner,
            cache: None,
            namespace: String::new(),
            listener: None,
            send_old_values: false,
            segmenting: None,
            observed: -1,
            time: None,
        }
    }

    fn cache(&self) -> Result<&ThreadCache, StreamsError> {
        self.cache
            .as_ref()
            .ok_or_else(|| store_error(self.inner.name(), "store is not open"))
    }

    fn timestamp(&self, seg: &Segmenting, key: &[u8]) -> Result<i64, StreamsError> {
        seg.schema
            .segment_timestamp(key)
            .filter(|ts| *ts >= 0)
            .ok_or_else(|| store_error(self.inner.name(), "stored key without a valid timestamp"))
    }

    /// The cache key: the stored key itself (not copied), or behind its
    /// segment id for segmented stores.
    fn cache_key<'k>(&self, key: &'k [u8]) -> Result<Cow<'k, [u8]>, StreamsError> {
        match &self.segmenting {
            None => Ok(Cow::Borrowed(key)),
            Some(seg) => {
                self.timestamp(seg, key)?;
                Ok(Cow::Owned(order_key(self.segmenting, key)))
            }
        }
    }

    fn own_live_from(&self) -> i64 {
        match &self.segmenting {
            None => i64::MIN,
            Some(seg) => seg.live_from(self.observed).max(self.inner.live_from()),
        }
    }

    /// Writes dirty entries underneath as one batch, then hands each (with
    /// the value it replaced, when the listener asked for old values) to the
    /// listener, in write order. As in Kafka Streams, the old value is read
    /// only for deletes and for listeners that want it, and with a listener
    /// set a delete of a key the store never held is dropped: it is neither
    /// written nor forwarded.
    fn write_through(&mut self, dirty: &DirtyBatch) -> Result<(), StreamsError> {
        if dirty.is_empty() {
            return Ok(());
        }
        let segmenting = self.segmenting;
        let Some(listener) = &mut self.listener else {
            let batch: Vec<_> = dirty
                .iter()
                .map(|e| (strip_segment(segmenting, e.key), e.value))
                .collect();
            return self.inner.put_all(&batch);
        };
        // The writes, and beside each its timestamp and the value it
        // replaced (when asked for).
        let mut batch = Vec::with_capacity(dirty.len());
        let mut context = Vec::with_capacity(dirty.len());
        for e in dirty.iter() {
            let key = strip_segment(segmenting, e.key);
            let old = if e.value.is_none() || self.send_old_values {
                self.inner.get(key)?
            } else {
                None
            };
            if e.value.is_none() && old.is_none() {
                continue;
            }
            batch.push((key, e.value));
            context.push((e.timestamp, if self.send_old_values { old } else { None }));
        }
        if batch.is_empty() {
            return Ok(());
        }
        self.inner.put_all(&batch)?;
        for ((key, new), (timestamp, old)) in batch.into_iter().zip(context) {
            listener(BytesFlushed {
                key,
                new_value: new,
                old_value: old.as_deref(),
                timestamp,
            })?;
        }
        Ok(())
    }

    /// Flushes the cache's dirty entries of this store through
    /// [`write_through`](Self::write_through).
    fn write_through_cache(&mut self) -> Result<(), StreamsError> {
        match &self.cache {
            Some(cache) => self.write_through(&cache.flush(&self.namespace)),
            None => Ok(()),
        }
    }
}

impl StateStore for Caching {
    delegate_lifecycle!();

    // The changelog is the logging layer's underneath: without this a cached
    // store would report none, and the runtime would never restore it.
    fn changelog_topic(&self) -> Option<&str> {
        self.inner.changelog_topic()
    }

    fn init(&mut self, context: &StateStoreContext) -> Result<(), StreamsError> {
        self.inner.init(context)?;
        self.segmenting = self.inner.segmenting();
        self.observed = -1;
        self.namespace = format!("{}-{}", context.task_id, self.inner.name());
        self.cache = Some(
            context
                .cache
                .clone()
                .unwrap_or_else(|| ThreadCache::new(context.config.cache_max_bytes())),
        );
        self.time = Some(context.time.clone());
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StreamsError> {
        self.flush_cache()?;
        self.inner.flush()
    }

    fn flush_cache(&mut self) -> Result<(), StreamsError> {
        self.write_through_cache()?;
        self.inner.flush_cache()
    }

    fn close(&mut self) -> Result<(), StreamsError> {
        let written = self.write_through_cache();
        if let Some(cache) = self.cache.take() {
            cache.close_namespace(&self.namespace);
        }
        written?;
        self.inner.close()
    }
}

impl BytesStore for Caching {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StreamsError> {
        if let Some(seg) = &self.segmenting
            && self.timestamp(seg, key)? < self.own_live_from()
        {
            return Ok(None);
        }
        match self.cache()?.get(&self.namespace, &self.cache_key(key)?) {
            Some(entry) => Ok(entry.value),
            None => self.inner.get(key),
        }
    }

    fn get_with(&self, key: &[u8], read: &mut dyn FnMut(Option<&[u8]>)) -> Result<(), StreamsError> {
        let live = match &self.segmenting {
            Some(seg) => self.timestamp(seg, key)? >= self.own_live_from(),
            None => true,
        };
        if !live {
            read(None);
            return Ok(());
        }
        let cached = self
            .cache()?
            .get_with(&self.namespace, &self.cache_key(key)?, &mut *read);
        if cached { Ok(()) } else { self.inner.get_with(key, read) }
    }

    fn put(&mut self, key: &[u8], value: Option<&[u8]>) -> Result<(), StreamsError> {
        // An expired entry is cached too, as Kafka Streams' caching window
        // and session stores do: its flush still reaches the listener (so an
        // aggregation forwards it), and the store underneath drops the write.
        if let Some(seg) = self.segmenting {
            let ts = self.timestamp(&seg, key)?;
            self.observed = self.observed.max(ts);
        }
        let timestamp = self.time.as_ref().map_or(0, RecordTime::now);
        let evicted = self
            .cache()?
            .put_bytes(&self.namespace, &self.cache_key(key)?, value, timestamp, true);
        self.write_through(&evicted)
    }

    fn put_all(&mut self, entries: &[(&[u8], Option<&[u8]>)]) -> Result<(), StreamsError> {
        for &(k, v) in entries {
            self.put(k, v)?;
        }
        Ok(())
    }

    fn scan(&self, scan: Scan<'_>) -> Result<BytesIter<'_>, StreamsError> {
        let cache = self.cache()?;
        let live_from = match &self.segmenting {
            Some(seg) => seg.floor(self.own_live_from(), scan.by_segment),
            None => self.own_live_from(),
        };
        let mut cached = match &self.segmenting {
            None => {
                if matches!((scan.from, scan.to), (Some(f), Some(t)) if f > t) {
                    Vec::new()
                } else {
                    let lo = scan.from.map_or(Bound::Unbounded, Bound::Included);
                    let hi = scan.to.map_or(Bound::Unbounded, Bound::Included);
                    cache.range(&self.namespace, lo, hi)
                }
            }
            Some(seg) => {
                if scan.time_to < scan.time_from || scan.time_to < live_from {
                    Vec::new()
                } else {
                    let lo = seg.segment_id(scan.time_from.max(live_from).max(0)).to_be_bytes();
                    let hi = seg.segment_id(scan.time_to.max(0)).saturating_add(1).to_be_bytes();
                    let schema = seg.schema;
                    cache
                        .range(&self.namespace, Bound::Included(&lo[..]), Bound::Excluded(&hi[..]))
                        .into_iter()
                        .filter(|(k, _)| {
                            let stored = &k[8..];
                            in_bounds(stored, scan.from, scan.to)
                                && schema.segment_timestamp(stored).is_some_and(|ts| ts >= live_from)
                        })
                        .collect()
                }
            }
        };
        if scan.reverse {
            cached.reverse();
        }
        Ok(Box::new(Merge {
            cached: cached.into_iter().peekable(),
            under: self.inner.scan(scan)?.peekable(),
            reverse: scan.reverse,
            segmenting: self.segmenting,
            live_from,
        }))
    }

    fn approximate_num_entries(&self) -> Result<u64, StreamsError> {
        let cached = self.cache()?.len(&self.namespace) as u64;
        Ok(self.inner.approximate_num_entries()? + cached)
    }

    fn segmenting(&self) -> Option<Segmenting> {
        self.segmenting
    }

    fn live_from(&self) -> i64 {
        self.own_live_from()
    }

    fn expired_dropped(&self) -> u64 {
        self.inner.expired_dropped()
    }

    fn set_flush_listener(&mut self, listener: BytesFlushListener, send_old_values: bool) -> bool {
        self.listener = Some(listener);
        self.send_old_values = send_old_values;
        true
    }
}

/// Merges cached entries (which win, and whose tombstones hide entries
/// underneath) with the store underneath, both in the same order.
struct Merge<'a> {
    cached: Peekable<std::vec::IntoIter<(Vec<u8>, CacheEntry)>>,
    under: Peekable<BytesIter<'a>>,
    reverse: bool,
    segmenting: Option<Segmenting>,
    live_from: i64,
}

/// The merge order of a stored key: itself, behind its segment id for
/// segmented stores (the cache's key layout).
fn order_key(segmenting: Option<Segmenting>, stored: &[u8]) -> Vec<u8> {
    match segmenting {
        None => stored.to_vec(),
        Some(seg) => {
            let ts = seg.schema.segment_timestamp(stored).unwrap_or(0);
            let mut out = seg.segment_id(ts).to_be_bytes().to_vec();
            out.extend_from_slice(stored);
            out
        }
    }
}

fn is_live(segmenting: Option<Segmenting>, live_from: i64, stored: &[u8]) -> bool {
    match segmenting {
        None => true,
        Some(seg) => seg.schema.segment_timestamp(stored).is_some_and(|ts| ts >= live_from),
    }
}

fn strip_segment(segmenting: Option<Segmenting>, cache_key: &[u8]) -> &[u8] {
    match segmenting {
        // A segmented store's cache keys all start with the segment id.
        Some(_) => cache_key.get(8..).unwrap_or_default(),
        None => cache_key,
    }
}

/// [`strip_segment`] of a key the caller owns, in place.
fn strip_segment_owned(segmenting: Option<Segmenting>, mut cache_key: Vec<u8>) -> Vec<u8> {
    let prefix = cache_key.len() - strip_segment(segmenting, &cache_key).len();
    cache_key.drain(..prefix);
    cache_key
}

impl Iterator for Merge<'_> {
    type Item = Result<(Vec<u8>, Vec<u8>), StreamsError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let order = match (self.cached.peek(), self.under.peek()) {
                (None, None) => return None,
                (_, Some(Err(_))) => return self.under.next(),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some((ck, _)), Some(Ok((uk, _)))) => {
                    let o = ck.as_slice().cmp(&order_key(self.segmenting, uk));
                    if self.reverse { o.reverse() } else { o }
                }
            };
            if order != Ordering::Less {
                let Some(Ok((k, v))) = self.under.next() else { continue };
                if order == Ordering::Greater {
                    if is_live(self.segmenting, self.live_from, &k) {
                        return Some(Ok((k, v)));
                    }
                    continue;
                }
            }
            if order != Ordering::Greater {
                let Some((ck, entry)) = self.cached.next() else {
                    continue;
                };
                if let Some(v) = entry.value {
                    return Some(Ok((strip_segment_owned(self.segmenting, ck), v)));
                }
            }
        }
    }
}
