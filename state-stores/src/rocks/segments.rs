//! RocksDB segments: one column family per time segment, in one instance
//! per store.

use std::path::PathBuf;

use rocksdb::{DB, Options, WriteBatch, WriteOptions};
use streams_core::StreamsError;
use streams_core::store::StateStoreContext;

use super::kv::{mode, read_options};
use super::{RocksDbSettings, rocks_error, rocksdb_options, store_dir};
use crate::bytes::{BytesIter, empty_bounds, store_error};
use crate::segmented::SegmentBackend;

const PREFIX: &str = "segment-";

fn cf_name(segment: i64) -> String {
    format!("{PREFIX}{segment}")
}

/// The segments of one window or session store.
pub(crate) struct RocksDbSegments {
    name: String,
    settings: RocksDbSettings,
    db: Option<DB>,
    options: Option<Options>,
    path: PathBuf,
    logged_writes: bool,
    unlogged_writes: bool,
}

impl RocksDbSegments {
    pub(crate) fn new(settings: RocksDbSettings) -> Self {
        Self {
            name: String::new(),
            settings,
            db: None,
            options: None,
            path: PathBuf::new(),
            logged_writes: false,
            unlogged_writes: false,
        }
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

impl SegmentBackend for RocksDbSegments {
    fn open(&mut self, name: &str, context: &StateStoreContext) -> Result<Vec<i64>, StreamsError> {
        self.name = name.to_owned();
        let opts = rocksdb_options(name, context, &self.settings)?;
        self.path = store_dir(name, context)?;
        let existing = if self.path.join("CURRENT").exists() {
            DB::list_cf(&opts, &self.path).map_err(|e| self.err("list column families", e))?
        } else {
            Vec::new()
        };
        let mut segments = Vec::new();
        for cf in &existing {
            if let Some(id) = cf.strip_prefix(PREFIX) {
                let id = id
                    .parse::<i64>()
                    .map_err(|_| store_error(name, format!("unexpected column family {cf:?}")))?;
                segments.push(id);
            }
        }
        let cfs = existing.iter().filter(|c| c.as_str() != "default");
        let db = DB::open_cf(&opts, &self.path, cfs).map_err(|e| self.err("open", e))?;
        self.db = Some(db);
        self.options = Some(opts);
        segments.sort_unstable();
        Ok(segments)
    }

    fn get(&self, segment: i64, key: &[u8]) -> Result<Option<Vec<u8>>, StreamsError> {
        let db = self.db()?;
        let Some(cf) = db.cf_handle(&cf_name(segment)) else {
            return Ok(None);
        };
        let found = db.get_pinned_cf(cf, key).map_err(|e| self.err("get", e))?;
        Ok(found.map(|v| v.to_vec()))
    }

    fn write(&mut self, segment: i64, batch: &[(&[u8], Option<&[u8]>)], durable: bool) -> Result<(), StreamsError> {
        let name = cf_name(segment);
        if self.db()?.cf_handle(&name).is_none() {
            let opts = self.options.clone().unwrap_or_default();
            let path = self.path.clone();
            let store = self.name.clone();
            let db = self
                .db
                .as_mut()
                .ok_or_else(|| store_error(&store, "store is not open"))?;
            db.create_cf(&name, &opts)
                .map_err(|e| rocks_error(&store, &path, "create segment", e))?;
        }
        let db = self.db()?;
        let cf = db
            .cf_handle(&name)
            .ok_or_else(|| store_error(&self.name, format!("segment {segment} vanished")))?;
        let mut wb = WriteBatch::default();
        for &(k, v) in batch {
            match v {
                Some(v) => wb.put_cf(cf, k, v),
                None => wb.delete_cf(cf, k),
            }
        }
        let mut wo = WriteOptions::default();
        wo.disable_wal(!durable);
        db.write_opt(wb, &wo).map_err(|e| self.err("write", e))?;
        if durable {
            self.logged_writes = true;
        } else {
            self.unlogged_writes = true;
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
        let db = self.db()?;
        let Some(cf) = db.cf_handle(&cf_name(segment)) else {
            return Ok(Box::new(std::iter::empty()));
        };
        if empty_bounds(from, to) {
            return Ok(Box::new(std::iter::empty()));
        }
        let iter = db.iterator_cf_opt(cf, read_options(from, to), mode(reverse));
        let name = self.name.clone();
        Ok(Box::new(iter.map(move |item| {
            item.map(|(k, v)| (k.into_vec(), v.into_vec()))
                .map_err(|e| store_error(&name, format!("RocksDB iteration failed: {e}")))
        })))
    }

    fn drop_segment(&mut self, segment: i64) -> Result<(), StreamsError> {
        let (path, store) = (self.path.clone(), self.name.clone());
        let db = self
            .db
            .as_mut()
            .ok_or_else(|| store_error(&store, "store is not open"))?;
        if db.cf_handle(&cf_name(segment)).is_some() {
            db.drop_cf(&cf_name(segment))
                .map_err(|e| rocks_error(&store, &path, "drop segment", e))?;
        }
        Ok(())
    }

    fn count(&self) -> Result<u64, StreamsError> {
        let db = self.db()?;
        let mut total = 0;
        let names = DB::list_cf(self.options.as_ref().unwrap_or(&Options::default()), &self.path)
            .map_err(|e| self.err("list column families", e))?;
        for name in names.iter().filter(|n| n.starts_with(PREFIX)) {
            if let Some(cf) = db.cf_handle(name) {
                total += db
                    .property_int_value_cf(cf, "rocksdb.estimate-num-keys")
                    .map_err(|e| self.err("property read", e))?
                    .unwrap_or(0);
            }
        }
        Ok(total)
    }

    fn flush(&mut self) -> Result<(), StreamsError> {
        let Some(db) = &self.db else { return Ok(()) };
        if self.unlogged_writes {
            let names = DB::list_cf(self.options.as_ref().unwrap_or(&Options::default()), &self.path)
                .map_err(|e| self.err("list column families", e))?;
            for name in &names {
                if let Some(cf) = db.cf_handle(name) {
                    db.flush_cf(cf).map_err(|e| self.err("flush", e))?;
                }
            }
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
}
