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
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Bound;
use std::rc::Rc;

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap};

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

/// Bytes an entry is charged beyond its key and value: Kafka Streams'
/// estimate (`NamedCache.LRUNode.size` and `LRUCacheEntry`: three references
/// of 8, the dirty flag, and the record context's timestamp, offset and
/// partition), so that a budget holds as many entries here as there. Kafka
/// Streams also charges the source topic's name and the headers, which this
/// cache does not keep. Like Kafka's, the charge is an estimate: the maps
/// behind an entry take more than this.
const ENTRY_OVERHEAD: usize = 3 * 8 + 1 + 8 + 8 + 4;

/// No node: the end of a list.
const NIL: u32 = u32::MAX;

/// A node's place in one of the two intrusive lists.
#[derive(Clone, Copy)]
struct Link {
    prev: u32,
    next: u32,
}

const UNLINKED: Link = Link { prev: NIL, next: NIL };

/// One cached key: its entry and its places in the LRU and dirty orders.
struct Node {
    key: Rc<[u8]>,
    entry: CacheEntry,
    lru: Link,
    /// Meaningful while `entry.dirty`.
    dirty: Link,
}

#[derive(Clone, Copy)]
struct List {
    head: u32,
    tail: u32,
}

impl Default for List {
    fn default() -> Self {
        Self { head: NIL, tail: NIL }
    }
}

/// Which intrusive list an operation is about.
#[derive(Clone, Copy)]
enum Order {
    Lru,
    Dirty,
}

/// The entries of one store: a slab of nodes, found by key through a hash
/// table of slab indexes (reads and writes: 4 bytes a bucket, so that the
/// table of a large cache stays in the processor's caches) and in key order
/// through a B-tree (range scans) sharing the node's key; two doubly-linked lists thread the nodes in
/// least-recently-used order and in dirty (write) order, so that a touch or
/// a re-write moves a node in O(1).
#[derive(Default)]
struct NamedCache {
    find: HashTable<u32>,
    index: BTreeMap<Rc<[u8]>, u32>,
    nodes: Vec<Node>,
    free: Vec<u32>,
    lru: List,
    dirty: List,
    /// Nodes on the dirty list (a flush takes them in one allocation).
    dirty_len: usize,
    bytes: usize,
}

fn hash(key: &[u8]) -> u64 {
    FxBuildHasher.hash_one(key)
}

impl NamedCache {
    /// The slab index of `key`'s node.
    fn position(&self, key: &[u8]) -> Option<u32> {
        let nodes = &self.nodes;
        self.find.find(hash(key), |&i| *nodes[i as usize].key == *key).copied()
    }

    fn link(&mut self, order: Order, i: u32) -> &mut Link {
        let node = &mut self.nodes[i as usize];
        match order {
            Order::Lru => &mut node.lru,
            Order::Dirty => &mut node.dirty,
        }
    }

    fn list(&mut self, order: Order) -> &mut List {
        match order {
            Order::Lru => &mut self.lru,
            Order::Dirty => &mut self.dirty,
        }
    }

    fn unlink(&mut self, order: Order, i: u32) {
        if let Order::Dirty = order {
            self.dirty_len -= 1;
        }
        let Link { prev, next } = std::mem::replace(self.link(order, i), UNLINKED);
        match prev {
            NIL => self.list(order).head = next,
            p => self.link(order, p).next = next,
        }
        match next {
            NIL => self.list(order).tail = prev,
            n => self.link(order, n).prev = prev,
        }
    }

    fn push_back(&mut self, order: Order, i: u32) {
        if let Order::Dirty = order {
            self.dirty_len += 1;
        }
        let tail = self.list(order).tail;
        *self.link(order, i) = Link { prev: tail, next: NIL };
        match tail {
            NIL => self.list(order).head = i,
            t => self.link(order, t).next = i,
        }
        self.list(order).tail = i;
    }

    /// Marks node `i` most recently used.
    fn touch(&mut self, i: u32) {
        if self.lru.tail != i {
            self.unlink(Order::Lru, i);
            self.push_back(Order::Lru, i);
        }
    }

    /// Takes every dirty entry, oldest write first, and marks them clean.
    fn take_dirty(&mut self) -> Vec<DirtyEntry> {
        let expected = std::mem::take(&mut self.dirty_len);
        let mut out = Vec::with_capacity(expected);
        let mut i = std::mem::take(&mut self.dirty).head;
        while i != NIL {
            let node = &mut self.nodes[i as usize];
            let next = node.dirty.next;
            node.dirty = UNLINKED;
            node.entry.dirty = false;
            out.push(DirtyEntry {
                key: node.key.to_vec(),
                value: node.entry.value.clone(),
                timestamp: node.entry.timestamp,
            });
            i = next;
        }
        debug_assert_eq!(out.len(), expected, "the dirty count drifted from the dirty list");
        out
    }

    fn remove(&mut self, key: &[u8]) -> Option<usize> {
        let nodes = &self.nodes;
        let (i, _) = self
            .find
            .find_entry(hash(key), |&i| *nodes[i as usize].key == *key)
            .ok()?
            .remove();
        self.index.remove(key);
        self.unlink(Order::Lru, i);
        if self.nodes[i as usize].entry.dirty {
            self.unlink(Order::Dirty, i);
        }
        let node = &mut self.nodes[i as usize];
        let size = charge(&node.key, node.entry.value.as_ref());
        node.key = Rc::from(&[][..]);
        node.entry.value = None;
        node.entry.dirty = false;
        self.free.push(i);
        self.bytes -= size;
        Some(size)
    }

    fn insert(&mut self, key: &[u8], entry: CacheEntry) -> u32 {
        let dirty = entry.dirty;
        let key: Rc<[u8]> = Rc::from(key);
        let node = Node {
            key: Rc::clone(&key),
            entry,
            lru: UNLINKED,
            dirty: UNLINKED,
        };
        let i = match self.free.pop() {
            Some(i) => {
                self.nodes[i as usize] = node;
                i
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        };
        let nodes = &self.nodes;
        self.find
            .insert_unique(hash(&key), i, |&j| hash(&nodes[j as usize].key));
        self.index.insert(key, i);
        self.push_back(Order::Lru, i);
        if dirty {
            self.push_back(Order::Dirty, i);
        }
        i
    }
}

/// A value on its way into the cache.
enum Value<'a> {
    Owned(Option<Vec<u8>>),
    Borrowed(Option<&'a [u8]>),
}

impl Value<'_> {
    fn len(&self) -> usize {
        match self {
            Value::Owned(v) => v.as_ref().map_or(0, Vec::len),
            Value::Borrowed(v) => v.map_or(0, <[u8]>::len),
        }
    }

    fn into_owned(self) -> Option<Vec<u8>> {
        match self {
            Value::Owned(v) => v,
            Value::Borrowed(v) => v.map(<[u8]>::to_vec),
        }
    }

    /// Replaces `slot`, copying borrowed bytes into its buffer when it has one.
    fn write_into(self, slot: &mut Option<Vec<u8>>) {
        match (self, slot.as_mut()) {
            (Value::Borrowed(Some(bytes)), Some(buf)) => {
                buf.clear();
                buf.extend_from_slice(bytes);
            }
            (value, _) => *slot = value.into_owned(),
        }
    }
}

fn charge(key: &[u8], value: Option<&Vec<u8>>) -> usize {
    key.len() + value.map_or(0, Vec::len) + ENTRY_OVERHEAD
}

#[derive(Default)]
struct Inner {
    max_bytes: usize,
    bytes: usize,
    /// Looked up per read and write: a fast hasher.
    caches: FxHashMap<String, NamedCache>,
    hits: u64,
    misses: u64,
    evictions: u64,
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
        self.0.borrow().caches.get(namespace).map_or(0, |c| c.find.len())
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

    /// The node of `key` in `namespace`, marked most recently used; counts
    /// the hit or miss.
    fn lookup<'a>(inner: &'a mut Inner, namespace: &str, key: &[u8]) -> Option<&'a Node> {
        let found = inner.caches.get_mut(namespace).and_then(|cache| {
            let i = cache.position(key)?;
            cache.touch(i);
            Some(&cache.nodes[i as usize])
        });
        match found {
            Some(_) => inner.hits += 1,
            None => inner.misses += 1,
        }
        found
    }

    /// The entry for `key`, marking it most recently used.
    pub fn get(&self, namespace: &str, key: &[u8]) -> Option<CacheEntry> {
        let mut inner = self.0.borrow_mut();
        Self::lookup(&mut inner, namespace, key).map(|node| node.entry.clone())
    }

    /// Runs `read` on the value of `key` where it lies (`None` inside: a
    /// cached delete), marking it most recently used; `false` without calling
    /// `read` when the key is not cached. `read` must not use this cache.
    pub fn get_with(&self, namespace: &str, key: &[u8], read: impl FnOnce(Option<&[u8]>)) -> bool {
        let mut inner = self.0.borrow_mut();
        match Self::lookup(&mut inner, namespace, key) {
            Some(node) => {
                read(node.entry.value.as_deref());
                true
            }
            None => false,
        }
    }

    /// Stores an entry (dirty for a write, clean for a read-through), then
    /// evicts least-recently-used entries of `namespace` while the thread is
    /// over budget. Returns the dirty entries that eviction flushed, in write
    /// order: the caller must write them underneath.
    pub fn put(&self, namespace: &str, key: &[u8], entry: CacheEntry) -> Vec<DirtyEntry> {
        self.store(namespace, key, Value::Owned(entry.value), entry.timestamp, entry.dirty)
    }

    /// [`put`](Self::put) from borrowed bytes: an update of a cached key
    /// copies the value into the entry's own buffer, without allocating.
    pub fn put_bytes(
        &self,
        namespace: &str,
        key: &[u8],
        value: Option<&[u8]>,
        timestamp: i64,
        dirty: bool,
    ) -> Vec<DirtyEntry> {
        self.store(namespace, key, Value::Borrowed(value), timestamp, dirty)
    }

    fn store(&self, namespace: &str, key: &[u8], value: Value<'_>, timestamp: i64, dirty: bool) -> Vec<DirtyEntry> {
        let mut guard = self.0.borrow_mut();
        let inner = &mut *guard;
        // One lookup per put; the name is copied only the first time.
        let cache = match inner.caches.get_mut(namespace) {
            Some(cache) => cache,
            None => inner.caches.entry(namespace.to_owned()).or_default(),
        };
        let size = key.len() + value.len() + ENTRY_OVERHEAD;
        let freed = match cache.position(key) {
            // An update of a cached key (the common case for aggregations):
            // moves the node to the back of its lists and overwrites the
            // value in place.
            Some(i) => {
                cache.touch(i);
                let was_dirty = cache.nodes[i as usize].entry.dirty;
                if was_dirty {
                    cache.unlink(Order::Dirty, i);
                }
                if dirty {
                    cache.push_back(Order::Dirty, i);
                }
                let entry = &mut cache.nodes[i as usize].entry;
                let freed = charge(key, entry.value.as_ref());
                value.write_into(&mut entry.value);
                entry.timestamp = timestamp;
                entry.dirty = dirty;
                freed
            }
            None => {
                let entry = CacheEntry {
                    value: value.into_owned(),
                    timestamp,
                    dirty,
                };
                cache.insert(key, entry);
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
            let eldest = cache.lru.head;
            if eldest == NIL {
                break;
            }
            if cache.nodes[eldest as usize].entry.dirty {
                flushed.extend(cache.take_dirty());
            }
            let key = Rc::clone(&cache.nodes[eldest as usize].key);
            if let Some(size) = cache.remove(&key) {
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
            .index
            .range::<[u8], _>((from, to))
            .map(|(k, &i)| (k.to_vec(), cache.nodes[i as usize].entry.clone()))
            .collect()
    }

    /// Drops `key` from `namespace` without flushing it.
    pub fn invalidate(&self, namespace: &str, key: &[u8]) {
        let mut inner = self.0.borrow_mut();
        if let Some(size) = inner.caches.get_mut(namespace).and_then(|c| c.remove(key)) {
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
    fn borrowed_puts_overwrite_in_place_and_keep_the_accounting() {
        let cache = ThreadCache::new(1 << 20);
        assert!(cache.put_bytes("s", b"k", Some(b"12345678"), 1, true).is_empty());
        assert!(cache.put_bytes("s", b"k", Some(b"abc"), 2, true).is_empty());
        assert_eq!(cache.size_bytes(), ENTRY_OVERHEAD + 1 + 3);
        let mut seen = None;
        assert!(cache.get_with("s", b"k", |v| seen = v.map(<[u8]>::to_vec)));
        assert_eq!(seen.as_deref(), Some(&b"abc"[..]));
        assert!(!cache.get_with("s", b"other", |_| panic!("not cached")));
        assert_eq!(cache.stats(), (1, 1, 0), "one hit, one miss");
        // A delete, then a value again.
        assert!(cache.put_bytes("s", b"k", None, 3, true).is_empty());
        assert_eq!(cache.size_bytes(), ENTRY_OVERHEAD + 1);
        assert!(cache.get_with("s", b"k", |v| assert_eq!(v, None)));
        assert!(cache.put_bytes("s", b"k", Some(b"z"), 4, true).is_empty());
        let flushed = cache.flush("s");
        assert_eq!(
            flushed,
            [DirtyEntry {
                key: b"k".to_vec(),
                value: Some(b"z".to_vec()),
                timestamp: 4
            }]
        );
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
