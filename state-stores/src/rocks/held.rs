//! Writes a key-value store holds back from RocksDB until it flushes.
//!
//! A caching store hands every key it changed to the store underneath at
//! every commit, so with a short `commit.interval.ms` RocksDB sees the same
//! keys again and again between two checkpoints, each time as a memtable
//! insert (a skip-list search) plus its write-ahead log record, and keeps
//! every version until the next memtable flush. Held writes keep only the
//! latest value of each key, in a hash map that reads consult first, and reach
//! RocksDB as one batch, in key order, when the store flushes (before every
//! checkpoint, and on close), before a scan, or when the stores of the process
//! together hold more than their share of the RocksDB memory budget.
//!
//! Nothing is lost by holding: a checkpoint is written only after the store
//! flushed, and a crash before that restores from the previous checkpoint,
//! replaying from the changelog every write held at the time.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use rocksdb::WriteBatch;
use rustc_hash::FxBuildHasher;
use smallvec::SmallVec;

use super::{SharedMemory, batch_write};

/// Bytes a held write is charged beyond its key and value: the map's slot
/// (two inline buffers), or the heap blocks of a key or value too long to
/// sit inline, roughly.
const ENTRY_OVERHEAD: usize = 64;

/// A key or value, inline up to 16 bytes (a count's key and its
/// timestamped value fit), so that the lookup and the update of a short
/// key touch the map's slot only: with many keys held, every pointer
/// followed from the slot is one more cache miss per write.
type Inline = SmallVec<[u8; 16]>;

/// The latest value (`None`: a delete) of each key written since the store
/// last wrote to RocksDB, and the bytes they are charged.
pub(crate) struct HeldWrites {
    entries: HashTable<(Inline, Option<Inline>)>,
    bytes: usize,
    /// Where the bytes of every store's held writes are counted.
    shared: Option<&'static SharedMemory>,
}

fn hash(key: &[u8]) -> u64 {
    FxBuildHasher.hash_one(key)
}

impl HeldWrites {
    /// Holds nothing, and counts nothing until [`attach`](Self::attach)ed.
    pub(crate) fn new() -> Self {
        Self {
            entries: HashTable::new(),
            bytes: 0,
            shared: None,
        }
    }

    /// Counts this store's held bytes in `shared` from now on.
    pub(crate) fn attach(&mut self, shared: &'static SharedMemory) {
        if let Some(old) = self.shared.replace(shared) {
            old.charge_held(0, self.bytes);
        }
        shared.charge_held(self.bytes, 0);
    }

    /// The held value of `key`: `Some(None)` for a held delete, `None` when
    /// the key holds no write (read RocksDB).
    pub(crate) fn get(&self, key: &[u8]) -> Option<Option<&[u8]>> {
        self.entries
            .find(hash(key), |(k, _)| **k == *key)
            .map(|(_, v)| v.as_deref())
    }

    /// Holds `value` as the latest write of `key`. An update of a held key
    /// reuses its buffers.
    pub(crate) fn put(&mut self, key: &[u8], value: Option<&[u8]>) {
        let new_len = value.map_or(0, <[u8]>::len);
        // One hash lookup, whether the key is held already or not.
        let found = self.entries.entry(hash(key), |(k, _)| **k == *key, |(k, _)| hash(k));
        let (added, removed) = match found {
            Entry::Occupied(mut held) => {
                let slot = &mut held.get_mut().1;
                let old_len = slot.as_ref().map_or(0, SmallVec::len);
                match (slot.as_mut(), value) {
                    // Same length (a count, a fixed-size aggregate): a plain copy.
                    (Some(buf), Some(v)) if buf.len() == v.len() => buf.copy_from_slice(v),
                    (Some(buf), Some(v)) => {
                        buf.clear();
                        buf.extend_from_slice(v);
                    }
                    (_, v) => *slot = v.map(Inline::from_slice),
                }
                (new_len, old_len)
            }
            Entry::Vacant(free) => {
                free.insert((Inline::from_slice(key), value.map(Inline::from_slice)));
                (key.len() + new_len + ENTRY_OVERHEAD, 0)
            }
        };
        self.bytes = self.bytes + added - removed;
        if let Some(shared) = self.shared {
            shared.charge_held(added, removed);
        }
    }

    /// Whether this store holds writes while the stores together hold more
    /// than their share of the budget: it should write its own out.
    pub(crate) fn over_budget(&self) -> bool {
        !self.entries.is_empty() && self.shared.is_some_and(SharedMemory::held_over_budget)
    }

    /// Keys held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Bytes this store's held writes are charged.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    /// Takes every held write as one batch, in key order (RocksDB's memtable
    /// starts each insert from the previous one's position, so sorted keys
    /// skip most of the search); `None` when nothing is held.
    pub(crate) fn take_batch(&mut self) -> Option<WriteBatch> {
        if self.entries.is_empty() {
            return None;
        }
        let mut sorted: Vec<_> = self.entries.drain().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        self.discharge();
        let mut batch = WriteBatch::default();
        for (k, v) in &sorted {
            batch_write(&mut batch, k, v.as_deref());
        }
        Some(batch)
    }

    fn discharge(&mut self) {
        if let Some(shared) = self.shared {
            shared.charge_held(0, self.bytes);
        }
        self.bytes = 0;
    }
}

/// A store dropped unflushed (a task closed after an error) loses its held
/// writes: the changelog still has them, and no checkpoint claims them.
impl Drop for HeldWrites {
    fn drop(&mut self) {
        self.discharge();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two stores counting in one fresh 16 KiB budget (held writes may take
    /// 1 KiB of it over all stores).
    fn two_stores() -> (&'static SharedMemory, HeldWrites, HeldWrites) {
        let shared: &'static SharedMemory = Box::leak(Box::new(SharedMemory::new(16 * 1024)));
        let (mut a, mut b) = (HeldWrites::new(), HeldWrites::new());
        a.attach(shared);
        b.attach(shared);
        (shared, a, b)
    }

    fn batch_ops(batch: &WriteBatch) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
        struct Collect(Vec<(Vec<u8>, Option<Vec<u8>>)>);
        impl rocksdb::WriteBatchIterator for Collect {
            fn put(&mut self, key: &[u8], value: &[u8]) {
                self.0.push((key.to_vec(), Some(value.to_vec())));
            }
            fn delete(&mut self, key: &[u8]) {
                self.0.push((key.to_vec(), None));
            }
        }
        let mut c = Collect(Vec::new());
        batch.iterate(&mut c);
        c.0
    }

    #[test]
    fn keeps_the_latest_write_per_key_and_hands_them_over_sorted() {
        let mut held = HeldWrites::new();
        held.put(b"b", Some(b"1"));
        held.put(b"a", Some(b"1"));
        held.put(b"b", Some(b"22"));
        held.put(b"c", Some(b"3"));
        held.put(b"c", None);
        assert_eq!(held.get(b"b"), Some(Some(&b"22"[..])));
        assert_eq!(held.get(b"c"), Some(None), "a held delete hides the key");
        assert_eq!(held.get(b"d"), None, "an unwritten key reads through");
        assert_eq!(held.len(), 3);
        let batch = held.take_batch().expect("writes are held");
        assert_eq!(
            batch_ops(&batch),
            vec![
                (b"a".to_vec(), Some(b"1".to_vec())),
                (b"b".to_vec(), Some(b"22".to_vec())),
                (b"c".to_vec(), None),
            ]
        );
        assert_eq!((held.len(), held.bytes()), (0, 0));
        assert!(held.take_batch().is_none(), "nothing is handed over twice");
    }

    #[test]
    fn keys_and_values_past_the_inline_size_round_trip() {
        let mut held = HeldWrites::new();
        let long_key = [7u8; 40];
        let long_value = [9u8; 40];
        held.put(&long_key, Some(b"short"));
        held.put(b"k", Some(&long_value));
        assert_eq!(held.get(&long_key), Some(Some(&b"short"[..])));
        held.put(&long_key, Some(&long_value));
        assert_eq!(held.get(&long_key), Some(Some(&long_value[..])), "grown past inline");
        held.put(b"k", Some(b"tiny"));
        assert_eq!(held.get(b"k"), Some(Some(&b"tiny"[..])), "shrunk back");
        held.put(b"k", Some(b"same"));
        assert_eq!(held.get(b"k"), Some(Some(&b"same"[..])), "same length, copied in place");
        assert_eq!(held.get(&long_key[..39]), None, "a key's prefix is another key");
        assert_eq!(
            batch_ops(&held.take_batch().expect("writes are held")),
            vec![
                (long_key.to_vec(), Some(long_value.to_vec())),
                (b"k".to_vec(), Some(b"same".to_vec())),
            ]
        );
    }

    #[test]
    fn bytes_are_counted_per_store_and_over_all_stores() {
        let (shared, mut a, mut b) = two_stores();
        a.put(b"k", Some(&[0; 10]));
        assert_eq!(a.bytes(), 1 + 10 + ENTRY_OVERHEAD);
        a.put(b"k", Some(&[0; 4]));
        assert_eq!(a.bytes(), 1 + 4 + ENTRY_OVERHEAD, "an update recharges the value");
        a.put(b"k", None);
        assert_eq!(a.bytes(), 1 + ENTRY_OVERHEAD);
        b.put(b"xy", Some(&[0; 100]));
        assert_eq!(shared.held_bytes(), a.bytes() + b.bytes());
        a.take_batch();
        assert_eq!(shared.held_bytes(), b.bytes());
        b.take_batch();
        assert_eq!(shared.held_bytes(), 0);
        b.put(b"z", Some(b"v"));
        drop(b);
        assert_eq!(shared.held_bytes(), 0, "a dropped store stops counting");
    }

    #[test]
    fn attaching_elsewhere_moves_the_held_bytes_along() {
        let (first, mut a, _b) = two_stores();
        a.put(b"k", Some(b"v"));
        let held = a.bytes();
        assert_eq!(first.held_bytes(), held);
        let second: &'static SharedMemory = Box::leak(Box::new(SharedMemory::new(16 * 1024)));
        a.attach(second);
        assert_eq!(first.held_bytes(), 0, "the store no longer counts where it was");
        assert_eq!(second.held_bytes(), held, "its held bytes count where it is now");
        a.put(b"k2", Some(b"v"));
        assert_eq!((first.held_bytes(), second.held_bytes()), (0, a.bytes()));
        a.take_batch();
        assert_eq!(second.held_bytes(), 0);
    }

    #[test]
    fn a_store_holding_writes_is_over_budget_once_all_stores_exceed_their_share() {
        let (_, mut a, mut b) = two_stores();
        a.put(b"a", Some(&[0; 900]));
        assert!(!a.over_budget());
        assert!(!b.over_budget(), "a store holding nothing has nothing to write");
        b.put(b"b", Some(&[0; 200]));
        assert!(a.over_budget() && b.over_budget());
        a.take_batch();
        assert!(!b.over_budget());
        let unattached = {
            let mut h = HeldWrites::new();
            h.put(b"k", Some(&[0; 1 << 20]));
            h
        };
        assert!(!unattached.over_budget(), "a store counts nowhere before it opens");
    }
}
