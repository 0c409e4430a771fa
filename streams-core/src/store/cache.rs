//! The record cache of a stream thread, shared by the caching layers of every
//! store of every task on that thread.
//!
//! One byte budget (`statestore.cache.max.bytes`) for the whole thread. Each
//! store has its own namespace of entries ordered by key bytes, with
//! least-recently-used order for eviction and arrival order for dirty
//! entries. As in Kafka Streams, when the thread's cache is over budget the
//! store being written to evicts its own least-recently-used entries; evicting
//! a dirty entry first flushes every dirty entry of that store. Evicted and
//! flushed dirty entries are handed back to the caller (the caching layer),
//! which writes them to the store underneath and forwards them.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Bound;
use std::rc::Rc;

/// A cached value (`None`: a pending delete) and the time of the write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEntry {
    /// The value bytes; `None` is a tombstone.
    pub value: Option<Vec<u8>>,
    /// Timestamp of the record that wrote it.
    pub timestamp: i64,
    /// Whether the store underneath has not seen it yet.
    pub dirty: bool,
}

/// A dirty entry on its way to the store underneath.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirtyEntry {
    /// Key bytes.
    pub key: Vec<u8>,
    /// Value bytes; `None` is a delete.
    pub value: Option<Vec<u8>>,
    /// Timestamp of the record that last wrote it.
    pub timestamp: i64,
}

/// Bytes an entry is charged beyond its key and value (map nodes, ordering
/// indexes, the entry itself).
const ENTRY_OVERHEAD: usize = 96;

struct Slot {
    entry: CacheEntry,
    lru_seq: u64,
    dirty_seq: Option<u64>,
}

#[derive(Default)]
struct NamedCache {
    entries: BTreeMap<Vec<u8>, Slot>,
    lru: BTreeMap<u64, Vec<u8>>,
    dirty: BTreeMap<u64, Vec<u8>>,
    bytes: usize,
}

fn charge(key: &[u8], value: Option<&Vec<u8>>) -> usize {
    key.len() + value.map_or(0, Vec::len) + ENTRY_OVERHEAD
}

#[derive(Default)]
struct Inner {
    max_bytes: usize,
    bytes: usize,
    seq: u64,
    caches: HashMap<String, NamedCache>,
    hits: u64,
    misses: u64,
    evictions: u64,
}

impl Inner {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }
}

impl NamedCache {
    /// Takes every dirty entry, oldest write first, and marks them clean.
    fn take_dirty(&mut self) -> Vec<DirtyEntry> {
        let dirty = std::mem::take(&mut self.dirty);
        let mut out = Vec::with_capacity(dirty.len());
        for key in dirty.into_values() {
            if let Some(slot) = self.entries.get_mut(&key) {
                slot.entry.dirty = false;
                slot.dirty_seq = None;
                out.push(DirtyEntry {
                    value: slot.entry.value.clone(),
                    timestamp: slot.entry.timestamp,
                    key,
                });
            }
        }
        out
    }

    fn remove(&mut self, key: &[u8]) -> Option<(Slot, usize)> {
        let slot = self.entries.remove(key)?;
        self.lru.remove(&slot.lru_seq);
        if let Some(d) = slot.dirty_seq {
            self.dirty.remove(&d);
        }
        let size = charge(key, slot.entry.value.as_ref());
        self.bytes -= size;
        Some((slot, size))
    }
}

/// The record cache of one stream thread. Cheap to clone (shared handle);
/// not `Send`: it lives on its thread.
#[derive(Clone)]
pub struct ThreadCache(Rc<RefCell<Inner>>);

impl ThreadCache {
    /// A cache holding at most `max_bytes` (0 disables caching: every write
    /// is evicted, hence forwarded, at once).
    pub fn new(max_bytes: usize) -> Self {
        Self(Rc::new(RefCell::new(Inner {
            max_bytes,
            ..Inner::default()
        })))
    }

    /// The byte budget.
    pub fn max_bytes(&self) -> usize {
        self.0.borrow().max_bytes
    }

    /// Bytes charged now, over all namespaces.
    pub fn size_bytes(&self) -> usize {
        self.0.borrow().bytes
    }

    /// Entries held in `namespace`.
    pub fn len(&self, namespace: &str) -> usize {
        self.0.borrow().caches.get(namespace).map_or(0, |c| c.entries.len())
    }

    /// Whether `namespace` holds no entry.
    pub fn is_empty(&self, namespace: &str) -> bool {
        self.len(namespace) == 0
    }

    /// (hits, misses, evictions) so far.
    pub fn stats(&self) -> (u64, u64, u64) {
        let inner = self.0.borrow();
        (inner.hits, inner.misses, inner.evictions)
    }

    /// The entry for `key`, marking it most recently used.
    pub fn get(&self, namespace: &str, key: &[u8]) -> Option<CacheEntry> {
        let mut inner = self.0.borrow_mut();
        let seq = inner.next_seq();
        let found = inner.caches.get_mut(namespace).and_then(|cache| {
            let slot = cache.entries.get_mut(key)?;
            let old = std::mem::replace(&mut slot.lru_seq, seq);
            let entry = slot.entry.clone();
            if let Some(k) = cache.lru.remove(&old) {
                cache.lru.insert(seq, k);
            }
            Some(entry)
        });
        if found.is_some() {
            inner.hits += 1;
        } else {
            inner.misses += 1;
        }
        found
    }

    /// Stores an entry (dirty for a write, clean for a read-through), then
    /// evicts least-recently-used entries of `namespace` while the thread is
    /// over budget. Returns the dirty entries that eviction flushed, in write
    /// order: the caller must write them underneath.
    pub fn put(&self, namespace: &str, key: &[u8], entry: CacheEntry) -> Vec<DirtyEntry> {
        let mut guard = self.0.borrow_mut();
        let inner = &mut *guard;
        let lru_seq = inner.next_seq();
        let dirty_seq = entry.dirty.then(|| inner.next_seq());
        // One lookup per put; the name is copied only the first time.
        let cache = match inner.caches.get_mut(namespace) {
            Some(cache) => cache,
            None => inner.caches.entry(namespace.to_owned()).or_default(),
        };
        let size = charge(key, entry.value.as_ref());
        let freed = match cache.entries.get_mut(key) {
            // An update of a cached key (the common case for aggregations):
            // moves the key's index entries to their new sequence numbers,
            // reusing their allocations.
            Some(slot) => {
                let freed = charge(key, slot.entry.value.as_ref());
                let lru_key = cache.lru.remove(&slot.lru_seq).unwrap_or_else(|| key.to_vec());
                cache.lru.insert(lru_seq, lru_key);
                let old_dirty = slot.dirty_seq.and_then(|d| cache.dirty.remove(&d));
                if let Some(d) = dirty_seq {
                    cache.dirty.insert(d, old_dirty.unwrap_or_else(|| key.to_vec()));
                }
                *slot = Slot {
                    entry,
                    lru_seq,
                    dirty_seq,
                };
                freed
            }
            None => {
                cache.lru.insert(lru_seq, key.to_vec());
                if let Some(d) = dirty_seq {
                    cache.dirty.insert(d, key.to_vec());
                }
                cache.entries.insert(
                    key.to_vec(),
                    Slot {
                        entry,
                        lru_seq,
                        dirty_seq,
                    },
                );
                0
            }
        };
        cache.bytes = cache.bytes - freed + size;
        inner.bytes = inner.bytes - freed + size;
        Self::evict(inner, namespace)
    }

    fn evict(inner: &mut Inner, namespace: &str) -> Vec<DirtyEntry> {
        let mut flushed = Vec::new();
        while inner.bytes > inner.max_bytes {
            let Some(cache) = inner.caches.get_mut(namespace) else {
                break;
            };
            let Some((_, eldest)) = cache.lru.first_key_value() else {
                break;
            };
            let eldest = eldest.clone();
            if cache.entries.get(&eldest).is_some_and(|s| s.entry.dirty) {
                flushed.extend(cache.take_dirty());
            }
            if let Some((_, size)) = cache.remove(&eldest) {
                inner.bytes -= size;
                inner.evictions += 1;
            }
        }
        flushed
    }

    /// Takes every dirty entry of `namespace`, in write order, leaving them
    /// cached and clean.
    pub fn flush(&self, namespace: &str) -> Vec<DirtyEntry> {
        self.0
            .borrow_mut()
            .caches
            .get_mut(namespace)
            .map(NamedCache::take_dirty)
            .unwrap_or_default()
    }

    /// Entries of `namespace` with keys in the given bounds, ascending, copied
    /// out (the cache may change while the caller iterates).
    pub fn range(&self, namespace: &str, from: Bound<&[u8]>, to: Bound<&[u8]>) -> Vec<(Vec<u8>, CacheEntry)> {
        let inner = self.0.borrow();
        let Some(cache) = inner.caches.get(namespace) else {
            return Vec::new();
        };
        // `BTreeMap::range` panics on an inverted range (or an empty one with
        // an excluded end): those hold nothing.
        let empty = match (from, to) {
            (Bound::Included(a), Bound::Included(b)) => a > b,
            (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => a >= b,
            _ => false,
        };
        if empty {
            return Vec::new();
        }
        cache
            .entries
            .range::<[u8], _>((from, to))
            .map(|(k, s)| (k.clone(), s.entry.clone()))
            .collect()
    }

    /// Drops `key` from `namespace` without flushing it.
    pub fn invalidate(&self, namespace: &str, key: &[u8]) {
        let mut inner = self.0.borrow_mut();
        if let Some((_, size)) = inner.caches.get_mut(namespace).and_then(|c| c.remove(key)) {
            inner.bytes -= size;
        }
    }

    /// Drops a whole namespace without flushing it (when its store closes).
    pub fn close_namespace(&self, namespace: &str) {
        let mut inner = self.0.borrow_mut();
        if let Some(cache) = inner.caches.remove(namespace) {
            inner.bytes -= cache.bytes;
        }
    }
}

impl fmt::Debug for ThreadCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.0.borrow();
        f.debug_struct("ThreadCache")
            .field("max_bytes", &inner.max_bytes)
            .field("bytes", &inner.bytes)
            .field("namespaces", &inner.caches.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirty(v: &[u8], ts: i64) -> CacheEntry {
        CacheEntry {
            value: Some(v.to_vec()),
            timestamp: ts,
            dirty: true,
        }
    }

    #[test]
    fn an_update_in_place_keeps_the_accounting_and_the_orders() {
        let cache = ThreadCache::new(1 << 20);
        assert!(cache.put("s", b"a", dirty(b"1", 1)).is_empty());
        assert!(cache.put("s", b"b", dirty(b"2", 2)).is_empty());
        // Grow, then overwrite with a clean read-through value.
        assert!(cache.put("s", b"a", dirty(b"0123456789", 3)).is_empty());
        assert_eq!(cache.size_bytes(), 2 * ENTRY_OVERHEAD + 2 + 10 + 1);
        let clean = CacheEntry {
            value: Some(b"xy".to_vec()),
            timestamp: 4,
            dirty: false,
        };
        assert!(cache.put("s", b"b", clean).is_empty());
        assert_eq!(cache.size_bytes(), 2 * ENTRY_OVERHEAD + 2 + 10 + 2);
        // Only `a` is still dirty; `b` became clean in place.
        let flushed: Vec<_> = cache.flush("s").into_iter().map(|d| (d.key, d.timestamp)).collect();
        assert_eq!(flushed, vec![(b"a".to_vec(), 3)]);
        // `a` was written again after `b`, so `b` is the least recently used.
        let small = ThreadCache::new(2 * (ENTRY_OVERHEAD + 2));
        assert!(small.put("s", b"a", dirty(b"1", 1)).is_empty());
        assert!(small.put("s", b"b", dirty(b"2", 2)).is_empty());
        assert!(small.put("s", b"a", dirty(b"3", 3)).is_empty());
        let evicted = small.put("s", b"c", dirty(b"4", 4));
        assert_eq!(
            evicted.iter().map(|d| d.key.clone()).collect::<Vec<_>>(),
            vec![b"b".to_vec(), b"a".to_vec(), b"c".to_vec()],
            "evicting the least recently used `b` flushes every dirty entry in write order"
        );
        assert_eq!(small.len("s"), 2);
    }

    #[test]
    fn updates_to_one_key_are_deduplicated_and_flushed_in_write_order() {
        let cache = ThreadCache::new(1 << 20);
        assert!(cache.put("s", b"b", dirty(b"1", 1)).is_empty());
        assert!(cache.put("s", b"a", dirty(b"2", 2)).is_empty());
        assert!(cache.put("s", b"b", dirty(b"3", 3)).is_empty());
        let flushed = cache.flush("s");
        let keys: Vec<_> = flushed.iter().map(|e| (e.key.clone(), e.value.clone())).collect();
        assert_eq!(
            keys,
            [
                (b"a".to_vec(), Some(b"2".to_vec())),
                (b"b".to_vec(), Some(b"3".to_vec()))
            ]
        );
        assert!(cache.flush("s").is_empty(), "flushed entries are clean");
        assert_eq!(cache.get("s", b"b").unwrap().value, Some(b"3".to_vec()));
    }

    #[test]
    fn eviction_flushes_the_namespace_being_written_and_respects_the_budget() {
        let budget = 3 * (ENTRY_OVERHEAD + 2);
        let cache = ThreadCache::new(budget);
        cache.put("s", b"a", dirty(b"1", 1));
        cache.put("s", b"b", dirty(b"2", 2));
        cache.put("s", b"c", dirty(b"3", 3));
        assert!(cache.size_bytes() <= budget);
        let flushed = cache.put("s", b"d", dirty(b"4", 4));
        assert_eq!(flushed.len(), 4, "evicting a dirty entry flushes every dirty entry");
        assert!(cache.size_bytes() <= budget);
        assert!(cache.get("s", b"a").is_none(), "least recently used went first");
        assert_eq!(cache.stats().2, 1);
    }

    #[test]
    fn ranges_and_invalidation() {
        let cache = ThreadCache::new(1 << 20);
        for k in [b"a", b"b", b"c"] {
            cache.put("s", k, dirty(k, 0));
        }
        let got: Vec<_> = cache
            .range("s", Bound::Included(b"b"), Bound::Unbounded)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(got, [b"b".to_vec(), b"c".to_vec()]);
        cache.invalidate("s", b"b");
        assert_eq!(cache.len("s"), 2);
        cache.close_namespace("s");
        assert_eq!(cache.size_bytes(), 0);
    }
}
