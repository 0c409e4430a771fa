//! A RocksDB key-value bytes store.

use std::cell::RefCell;
use std::path::PathBuf;

use rocksdb::{DB, Direction, IteratorMode, ReadOptions, WriteBatch, WriteOptions};
use streams_core::StreamsError;
use streams_core::engine::RawRecord;
use streams_core::store::{StateStore, StateStoreContext};

use super::held::HeldWrites;
use super::{RocksDbSettings, batch_write, rocks_error, rocksdb_options, shared_memory, store_dir};
use crate::bytes::{BytesIter, BytesStore, Scan, empty_bounds, store_error};

/// The smallest key strictly greater than `key` (RocksDB's upper bounds are
/// exclusive; ours are inclusive).
fn successor(key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(key.len() + 1);
    out.extend_from_slice(key);
    out.push(0);
    out
}

/// Reads `[from, to]` from a RocksDB iterator source.
pub(crate) fn read_options(from: Option<&[u8]>, to: Option<&[u8]>) -> ReadOptions {
    let mut ro = ReadOptions::default();
    if let Some(f) = from {
        ro.set_iterate_lower_bound(f.to_vec());
    }
    if let Some(t) = to {
        ro.set_iterate_upper_bound(successor(t));
    }
    ro
}

pub(crate) fn mode(reverse: bool) -> IteratorMode<'static> {
    if reverse {
        IteratorMode::End
    } else {
        IteratorMode::Start
    }
}

/// A key-value store in its own RocksDB instance.
pub struct RocksDbKeyValueBytes {
    name: String,
    settings: RocksDbSettings,
    db: Option<DB>,
    path: PathBuf,
    write: WriteOptions,
    /// Writes went through the log since the last flush: sync it.
    logged_writes: bool,
    /// Writes skipped the log (restore) since the last flush: flush memtables.
    unlogged_writes: bool,
    /// Writes not yet in RocksDB (reads see them first); a cell because
    /// scans, which borrow the store, write them out first.
    held: RefCell<HeldWrites>,
}

impl RocksDbKeyValueBytes {
    /// An unopened store.
    pub fn new(name: impl Into<String>, settings: RocksDbSettings) -> Self {
        Self {
            name: name.into(),
            settings,
            db: None,
            path: PathBuf::new(),
            write: WriteOptions::default(),
            logged_writes: false,
            unlogged_writes: false,
            held: RefCell::new(HeldWrites::new()),
        }
    }

    /// Writes the held writes to RocksDB, as one batch through the log.
    fn write_held(&self) -> Result<(), StreamsError> {
        let Some(batch) = self.held.borrow_mut().take_batch() else {
            return Ok(());
        };
        self.db()?
            .write_opt(batch, &self.write)
            .map_err(|e| self.err("batch write", e))
    }

    /// Holds writes back; writes them all out when the stores of the process
    /// hold more than their share of the memory budget.
    fn hold<'a>(&mut self, writes: impl IntoIterator<Item = (&'a [u8], Option<&'a [u8]>)>) -> Result<(), StreamsError> {
        self.db()?;
        let held = self.held.get_mut();
        for (key, value) in writes {
            held.put(key, value);
        }
        self.logged_writes = true;
        if held.over_budget() {
            self.write_held()?;
        }
        Ok(())
    }

    fn db(&self) -> Result<&DB, StreamsError> {
        self.db
            .as_ref()
            .ok_or_else(|| store_error(&self.name, "store is not open"))
    }

    fn err(&self, what: &str, e: rocksdb::Error) -> StreamsError {
        rocks_error(&self.name, &self.path, what, e)
    }
}

impl StateStore for RocksDbKeyValueBytes {
    fn name(&self) -> &str {
        &self.name
    }

    fn init(&mut self, context: &StateStoreContext) -> Result<(), StreamsError> {
        let opts = rocksdb_options(&self.name, context, &self.settings)?;
        self.path = store_dir(&self.name, context)?;
        let db = DB::open(&opts, &self.path).map_err(|e| self.err("open", e))?;
        self.db = Some(db);
        self.held.get_mut().attach(shared_memory(context)?);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StreamsError> {
        let Some(db) = &self.db else { return Ok(()) };
        self.write_held()?;
        if self.unlogged_writes {
            db.flush().map_err(|e| self.err("flush", e))?;
        } else if self.logged_writes {
            db.flush_wal(true).map_err(|e| self.err("WAL sync", e))?;
        }
        self.logged_writes = false;
        self.unlogged_writes = false;
        Ok(())
    }

    fn close(&mut self) -> Result<(), StreamsError> {
        self.flush()?;
        self.db = None;
        Ok(())
    }

    fn persistent(&self) -> bool {
        true
    }

    fn is_open(&self) -> bool {
        self.db.is_some()
    }

    fn restore(&mut self, records: &[RawRecord]) -> Result<(), StreamsError> {
        // Restored records are newer than anything held.
        self.write_held()?;
        let mut batch = WriteBatch::default();
        for r in records {
            let Some(key) = &r.key else {
                return Err(store_error(
                    &self.name,
                    format!("changelog record at offset {} has a null key", r.offset),
                ));
            };
            batch_write(&mut batch, key, r.value.as_deref());
        }
        let mut unlogged = WriteOptions::default();
        unlogged.disable_wal(true);
        self.db()?
            .write_opt(batch, &unlogged)
            .map_err(|e| self.err("restore write", e))?;
        self.unlogged_writes = true;
        Ok(())
    }
}

impl BytesStore for RocksDbKeyValueBytes {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StreamsError> {
        if let Some(held) = self.held.borrow().get(key) {
            return Ok(held.map(<[u8]>::to_vec));
        }
        let found = self.db()?.get_pinned(key).map_err(|e| self.err("get", e))?;
        Ok(found.map(|v| v.to_vec()))
    }

    fn get_with(&self, key: &[u8], read: &mut dyn FnMut(Option<&[u8]>)) -> Result<(), StreamsError> {
        if let Some(held) = self.held.borrow().get(key) {
            read(held);
            return Ok(());
        }
        let found = self.db()?.get_pinned(key).map_err(|e| self.err("get", e))?;
        read(found.as_deref());
        Ok(())
    }

    fn put(&mut self, key: &[u8], value: Option<&[u8]>) -> Result<(), StreamsError> {
        self.hold([(key, value)])
    }

    fn put_all(&mut self, entries: &[(&[u8], Option<&[u8]>)]) -> Result<(), StreamsError> {
        self.hold(entries.iter().copied())
    }

    fn scan(&self, scan: Scan<'_>) -> Result<BytesIter<'_>, StreamsError> {
        self.write_held()?;
        let db = self.db()?;
        if empty_bounds(scan.from, scan.to) {
            return Ok(Box::new(std::iter::empty()));
        }
        let iter = db.iterator_opt(mode(scan.reverse), read_options(scan.from, scan.to));
        let name = self.name.clone();
        Ok(Box::new(iter.map(move |item| {
            item.map(|(k, v)| (k.into_vec(), v.into_vec()))
                .map_err(|e| store_error(&name, format!("RocksDB iteration failed: {e}")))
        })))
    }

    fn prefix_scan(&self, prefix: &[u8]) -> Result<BytesIter<'_>, StreamsError> {
        self.write_held()?;
        let db = self.db()?;
        let mut ro = ReadOptions::default();
        ro.set_iterate_lower_bound(prefix.to_vec());
        let owned = prefix.to_vec();
        let iter = db.iterator_opt(IteratorMode::From(prefix, Direction::Forward), ro);
        let name = self.name.clone();
        Ok(Box::new(
            iter.map(move |item| {
                item.map(|(k, v)| (k.into_vec(), v.into_vec()))
                    .map_err(|e| store_error(&name, format!("RocksDB iteration failed: {e}")))
            })
            .take_while(move |item| item.as_ref().map_or(true, |(k, _)| k.starts_with(&owned))),
        ))
    }

    fn approximate_num_entries(&self) -> Result<u64, StreamsError> {
        self.write_held()?;
        let db = self.db()?;
        Ok(db
            .property_int_value("rocksdb.estimate-num-keys")
            .map_err(|e| self.err("property read", e))?
            .unwrap_or(0))
    }
}
