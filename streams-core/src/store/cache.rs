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
use smallvec::SmallVec;

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

/// A dirty entry on its way to the store underneath, borrowed from the
/// [`DirtyBatch`] that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dirty<'a> {
    /// Key bytes.
    pub key: &'a [u8],
    /// Value bytes; `None` is a delete.
    pub value: Option<&'a [u8]>,
    /// Timestamp of the record that last wrote it.
    pub timestamp: i64,
}

/// Where one entry's bytes lie in [`DirtyBatch::bytes`]: the key in
/// `start..split`, the value (unless it is a delete) in `split..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    split: usize,
    end: usize,
    delete: bool,
    timestamp: i64,
}

/// Dirty entries taken from the cache, in write order, their keys and values
/// copied side by side into one buffer. A flush copies every dirty entry out
/// (the cache keeps them, clean, while the store underneath and the
/// listeners, which may use the cache again, see the copies): one buffer a
/// batch rather than two allocations an entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirtyBatch {
    bytes: Vec<u8>,
    spans: Vec<Span>,
}

impl DirtyBatch {
    /// Appends an entry (`value` `None`: a delete).
    pub fn push(&mut self, key: &[u8], value: Option<&[u8]>, timestamp: i64) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(key);
        let split = self.bytes.len();
        if let Some(value) = value {
            self.bytes.extend_from_slice(value);
        }
        self.spans.push(Span {
            start,
            split,
            end: self.bytes.len(),
            delete: value.is_none(),
            timestamp,
        });
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether it holds no entry.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The entries, in the order they were pushed.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Dirty<'_>> + '_ {
        self.spans.iter().map(|s| Dirty {
            key: &self.bytes[s.start..s.split],
            value: (!s.delete).then(|| &self.bytes[s.split..s.end]),
            timestamp: s.timestamp,
        })
    }
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

/// A node's places in the LRU and dirty orders, kept apart from the nodes:
/// relinking a node writes its neighbours' links, which with many keys lie
/// anywhere, and 16 bytes a node stay in the processor's caches where the
/// nodes themselves do not.
#[derive(Clone, Copy)]
struct Links {
    lru: Link,
    /// Meaningful while the node is dirty.
    dirty: Link,
}

const NO_LINKS: Links = Links {
    lru: UNLINKED,
    dirty: UNLINKED,
};

/// Key or value bytes, inline up to 16 bytes (an aggregation's key and
/// its timestamped count or sum fit): a lookup that finds its node then
/// reads the key and the value from the node itself, where a heap block
/// each would cost a cache miss each once the cache holds many keys.
type Inline = SmallVec<[u8; 16]>;

/// One cached key and its entry: one cache line, read whole by a lookup.
#[repr(align(64))]
struct Node {
    key: Inline,
    /// The value bytes; empty for a delete.
    value: Inline,
    /// Timestamp of the record that wrote it.
    timestamp: i64,
    /// Whether the value is a pending delete (a tombstone).
    deleted: bool,
    /// Whether the store underneath has not seen it yet.
    is_dirty: bool,
}

// A node that outgrew its line would straddle two.
const _: () = assert!(std::mem::size_of::<Node>() == 64);

impl Node {
    fn value(&self) -> Option<&[u8]> {
        (!self.deleted).then_some(&self.value[..])
    }

    /// Overwrites the value, in the node's own buffer where it fits.
    fn set_value(&mut self, value: Option<&[u8]>) {
        self.value.clear();
        match value {
            Some(bytes) => self.value.extend_from_slice(bytes),
            None => self.value.shrink_to_fit(),
        }
        self.deleted = value.is_none();
    }

    fn entry(&self) -> CacheEntry {
        CacheEntry {
            value: self.value().map(<[u8]>::to_vec),
            timestamp: self.timestamp,
            dirty: self.is_dirty,
        }
    }

    /// The bytes the budget charges it.
    fn charge(&self) -> usize {
        charge(&self.key, self.value())
    }
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
/// through a B-tree of key copies (range scans); two doubly-linked lists
/// (their links in an array beside the slab) thread the nodes in
/// least-recently-used order and in dirty (write) order, so that a touch or
/// a re-write moves a node in O(1).
#[derive(Default)]
struct NamedCache {
    find: HashTable<u32>,
    index: BTreeMap<Box<[u8]>, u32>,
    nodes: Vec<Node>,
    /// The links of `nodes[i]` at `links[i]`.
    links: Vec<Links>,
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
        self.find
            .find(hash(key), |&i| nodes[i as usize].key[..] == *key)
            .copied()
    }

    fn link(&mut self, order: Order, i: u32) -> &mut Link {
        let links = &mut self.links[i as usize];
        match order {
            Order::Lru => &mut links.lru,
            Order::Dirty => &mut links.dirty,
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

    /// Appends every dirty entry to `out`, oldest write first, and marks
    /// them clean.
    fn take_dirty(&mut self, out: &mut DirtyBatch) {
        let expected = std::mem::take(&mut self.dirty_len);
        let before = out.len();
        out.spans.reserve(expected);
        let mut i = std::mem::take(&mut self.dirty).head;
        while i != NIL {
            let next = std::mem::replace(&mut self.links[i as usize].dirty, UNLINKED).next;
            let node = &mut self.nodes[i as usize];
            node.is_dirty = false;
            out.push(&node.key, node.value(), node.timestamp);
            i = next;
        }
        debug_assert_eq!(
            out.len() - before,
            expected,
            "the dirty count drifted from the dirty list"
        );
    }

    /// Drops `key`'s node; returns the bytes it was charged.
    fn remove(&mut self, key: &[u8]) -> Option<usize> {
        let i = self.position(key)?;
        Some(self.remove_at(i))
    }

    /// Drops node `i`; returns the bytes it was charged.
    fn remove_at(&mut self, i: u32) -> usize {
        let node = &self.nodes[i as usize];
        if let Ok(found) = self.find.find_entry(hash(&node.key), |&j| j == i) {
            found.remove();
        }
        self.index.remove(&node.key[..]);
        self.unlink(Order::Lru, i);
        if self.nodes[i as usize].is_dirty {
            self.unlink(Order::Dirty, i);
        }
        let node = &mut self.nodes[i as usize];
        let size = node.charge();
        node.key = Inline::new();
        node.value = Inline::new();
        node.is_dirty = false;
        self.free.push(i);
        self.bytes -= size;
        size
    }

    fn insert(&mut self, key: &[u8], value: Option<&[u8]>, timestamp: i64, dirty: bool) -> u32 {
        let mut node = Node {
            key: Inline::from_slice(key),
            value: Inline::new(),
            timestamp,
            deleted: false,
            is_dirty: dirty,
        };
        node.set_value(value);
        let i = match self.free.pop() {
            Some(i) => {
                self.nodes[i as usize] = node;
                self.links[i as usize] = NO_LINKS;
                i
            }
            None => {
                self.nodes.push(node);
                self.links.push(NO_LINKS);
                (self.nodes.len() - 1) as u32
            }
        };
        let nodes = &self.nodes;
        self.find.insert_unique(hash(key), i, |&j| hash(&nodes[j as usize].key));
        self.index.insert(Box::from(key), i);
        self.push_back(Order::Lru, i);
        if dirty {
            self.push_back(Order::Dirty, i);
        }
        i
    }
}

fn charge(key: &[u8], value: Option<&[u8]>) -> usize {
    key.len() + value.map_or(0, <[u8]>::len) + ENTRY_OVERHEAD
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
        Self::lookup(&mut inner, namespace, key).map(Node::entry)
    }

    /// Runs `read` on the value of `key` where it lies (`None` inside: a
    /// cached delete), marking it most recently used; `false` without calling
    /// `read` when the key is not cached. `read` must not use this cache.
    pub fn get_with(&self, namespace: &str, key: &[u8], read: impl FnOnce(Option<&[u8]>)) -> bool {
        let mut inner = self.0.borrow_mut();
        match Self::lookup(&mut inner, namespace, key) {
            Some(node) => {
                read(node.value());
                true
            }
            None => false,
        }
    }

    /// Stores an entry (dirty for a write, clean for a read-through), then
    /// evicts least-recently-used entries of `namespace` while the thread is
    /// over budget. Returns the dirty entries that eviction flushed, in write
    /// order: the caller must write them underneath.
    pub fn put(&self, namespace: &str, key: &[u8], entry: CacheEntry) -> DirtyBatch {
        self.store(namespace, key, entry.value.as_deref(), entry.timestamp, entry.dirty)
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
    ) -> DirtyBatch {
        self.store(namespace, key, value, timestamp, dirty)
    }

    fn store(&self, namespace: &str, key: &[u8], value: Option<&[u8]>, timestamp: i64, dirty: bool) -> DirtyBatch {
        let mut guard = self.0.borrow_mut();
        let inner = &mut *guard;
        // One lookup per put; the name is copied only the first time.
        let cache = match inner.caches.get_mut(namespace) {
            Some(cache) => cache,
            None => inner.caches.entry(namespace.to_owned()).or_default(),
        };
        let size = charge(key, value);
        let freed = match cache.position(key) {
            // An update of a cached key (the common case for aggregations):
            // moves the node to the back of its lists and overwrites the
            // value in place.
            Some(i) => {
                cache.touch(i);
                if cache.nodes[i as usize].is_dirty {
                    cache.unlink(Order::Dirty, i);
                }
                if dirty {
                    cache.push_back(Order::Dirty, i);
                }
                let node = &mut cache.nodes[i as usize];
                let freed = node.charge();
                node.set_value(value);
                node.timestamp = timestamp;
                node.is_dirty = dirty;
                freed
            }
            None => {
                cache.insert(key, value, timestamp, dirty);
                0
            }
        };
        cache.bytes = cache.bytes - freed + size;
        inner.bytes = inner.bytes - freed + size;
        Self::evict(inner, namespace)
    }

    fn evict(inner: &mut Inner, namespace: &str) -> DirtyBatch {
        let mut flushed = DirtyBatch::default();
        while inner.bytes > inner.max_bytes {
            let Some(cache) = inner.caches.get_mut(namespace) else {
                break;
            };
            let eldest = cache.lru.head;
            if eldest == NIL {
                break;
            }
            if cache.nodes[eldest as usize].is_dirty {
                cache.take_dirty(&mut flushed);
            }
            inner.bytes -= cache.remove_at(eldest);
            inner.evictions += 1;
        }
        flushed
    }

    /// Takes every dirty entry of `namespace`, in write order, leaving them
    /// cached and clean.
    pub fn flush(&self, namespace: &str) -> DirtyBatch {
        let mut batch = DirtyBatch::default();
        if let Some(cache) = self.0.borrow_mut().caches.get_mut(namespace) {
            cache.take_dirty(&mut batch);
        }
        batch
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
            .map(|(k, &i)| (k.to_vec(), cache.nodes[i as usize].entry()))
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
        let flushed = cache.flush("s");
        assert_eq!(
            flushed.iter().map(|d| (d.key, d.timestamp)).collect::<Vec<_>>(),
            [(&b"a"[..], 3)]
        );
        // `a` was written again after `b`, so `b` is the least recently used.
        let small = ThreadCache::new(2 * (ENTRY_OVERHEAD + 2));
        assert!(small.put("s", b"a", dirty(b"1", 1)).is_empty());
        assert!(small.put("s", b"b", dirty(b"2", 2)).is_empty());
        assert!(small.put("s", b"a", dirty(b"3", 3)).is_empty());
        let evicted = small.put("s", b"c", dirty(b"4", 4));
        assert_eq!(
            evicted.iter().map(|d| d.key).collect::<Vec<_>>(),
            [b"b", b"a", b"c"],
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
            flushed.iter().collect::<Vec<_>>(),
            [Dirty {
                key: b"k",
                value: Some(b"z"),
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
        let keys: Vec<_> = flushed.iter().map(|e| (e.key, e.value)).collect();
        assert_eq!(keys, [(&b"a"[..], Some(&b"2"[..])), (&b"b"[..], Some(&b"3"[..]))]);
        assert!(cache.flush("s").is_empty(), "flushed entries are clean");
        assert_eq!(cache.get("s", b"b").unwrap().value, Some(b"3".to_vec()));
    }

    #[test]
    fn a_flushed_batch_tells_deletes_from_empty_values_and_empty_keys() {
        let cache = ThreadCache::new(1 << 20);
        cache.put_bytes("s", b"gone", None, 1, true);
        cache.put_bytes("s", b"empty", Some(b""), 2, true);
        cache.put_bytes("s", b"", Some(b"empty key"), 3, true);
        let batch = cache.flush("s");
        assert_eq!(batch.len(), 3);
        assert_eq!(
            batch.iter().collect::<Vec<_>>(),
            [
                Dirty {
                    key: b"gone",
                    value: None,
                    timestamp: 1
                },
                Dirty {
                    key: b"empty",
                    value: Some(b""),
                    timestamp: 2
                },
                Dirty {
                    key: b"",
                    value: Some(b"empty key"),
                    timestamp: 3
                },
            ]
        );
        assert!(cache.flush("s").is_empty());
    }

    #[test]
    fn keys_and_values_past_the_inline_size_round_trip() {
        let cache = ThreadCache::new(1 << 20);
        let long_key = b"a key longer than sixteen bytes".as_slice();
        let long_value = b"a value longer than sixteen bytes".as_slice();
        cache.put_bytes("s", long_key, Some(long_value), 1, true);
        cache.put_bytes("s", b"short", Some(long_value), 2, true);
        assert_eq!(
            cache.size_bytes(),
            2 * ENTRY_OVERHEAD + long_key.len() + 5 + 2 * long_value.len()
        );
        // Long to short, short to long, long to a delete and back.
        cache.put_bytes("s", long_key, Some(b"v"), 3, true);
        assert_eq!(cache.get("s", long_key).and_then(|e| e.value), Some(b"v".to_vec()));
        cache.put_bytes("s", long_key, Some(long_value), 4, true);
        cache.put_bytes("s", b"short", None, 5, true);
        assert!(cache.get_with("s", b"short", |v| assert_eq!(v, None)));
        cache.put_bytes("s", b"short", Some(long_value), 6, true);
        assert_eq!(
            cache.size_bytes(),
            2 * ENTRY_OVERHEAD + long_key.len() + 5 + 2 * long_value.len()
        );
        let flushed = cache.flush("s");
        assert_eq!(
            flushed
                .iter()
                .map(|d| (d.key, d.value, d.timestamp))
                .collect::<Vec<_>>(),
            [(long_key, Some(long_value), 4), (&b"short"[..], Some(long_value), 6)]
        );
        // A key that only shares a prefix with a cached one is another key.
        assert!(cache.get("s", &long_key[..16]).is_none());
        let range: Vec<_> = cache
            .range("s", Bound::Unbounded, Bound::Unbounded)
            .into_iter()
            .map(|(k, e)| (k, e.value))
            .collect();
        assert_eq!(
            range,
            [
                (long_key.to_vec(), Some(long_value.to_vec())),
                (b"short".to_vec(), Some(long_value.to_vec()))
            ]
        );
        cache.invalidate("s", long_key);
        assert_eq!(cache.size_bytes(), ENTRY_OVERHEAD + 5 + long_value.len());
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
