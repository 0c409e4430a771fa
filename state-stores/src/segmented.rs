//! A segmented bytes store over any [`SegmentBackend`]: the retention,
//! expiry and scan logic of window and session stores, written once for the
//! in-memory and RocksDB backends alike (so both behave identically).
//!
//! The observed stream time is the largest segment timestamp written. An
//! entry is live while its timestamp is at least `observed - retention + 1`;
//! writes of expired entries are dropped and counted, scans skip them, and a
//! segment is dropped whole once every timestamp it can hold has expired.
//! Under [`Expiry::WholeSegments`](crate::bytes::Expiry) writes are kept, and
//! by-segment scans see them, until their whole segment expires.

use std::collections::BTreeSet;

use streams_core::StreamsError;
use streams_core::engine::RawRecord;
use streams_core::store::{StateStore, StateStoreContext, StoreMetrics};

use crate::bytes::{BytesIter, BytesStore, Scan, Segmenting, store_error};

/// Where segments live. Segment ids are non-negative and ascending in time.
pub(crate) trait SegmentBackend: 'static {
    /// Opens the backend; returns the ids of the segments it already holds.
    fn open(&mut self, name: &str, context: &StateStoreContext) -> Result<Vec<i64>, StreamsError>;
    /// The value of `key` in `segment`.
    fn get(&self, segment: i64, key: &[u8]) -> Result<Option<Vec<u8>>, StreamsError>;
    /// Applies writes to `segment` (creating it if needed) as one batch;
    /// `durable: false` skips the write-ahead log (restores).
    fn write(&mut self, segment: i64, batch: &[(&[u8], Option<&[u8]>)], durable: bool) -> Result<(), StreamsError>;
    /// Pairs of `segment` within inclusive bounds.
    fn scan(
        &self,
        segment: i64,
        from: Option<&[u8]>,
        to: Option<&[u8]>,
        reverse: bool,
    ) -> Result<BytesIter<'_>, StreamsError>;
    /// Drops a whole segment.
    fn drop_segment(&mut self, segment: i64) -> Result<(), StreamsError>;
    /// Estimated entries over all segments.
    fn count(&self) -> Result<u64, StreamsError>;
    /// Makes writes durable.
    fn flush(&mut self) -> Result<(), StreamsError>;
    /// Releases resources.
    fn close(&mut self) -> Result<(), StreamsError>;
    /// Whether data survives a restart.
    fn persistent(&self) -> bool;
}

/// A window or session bytes store over a backend.
pub(crate) struct SegmentedStore<B> {
    name: String,
    backend: B,
    segmenting: Segmenting,
    segments: BTreeSet<i64>,
    observed: i64,
    open: bool,
    dropped: u64,
}

impl<B: SegmentBackend> SegmentedStore<B> {
    pub(crate) fn new(name: String, backend: B, segmenting: Segmenting) -> Self {
        Self {
            name,
            backend,
            segmenting,
            segments: BTreeSet::new(),
            observed: -1,
            open: false,
            dropped: 0,
        }
    }

    fn ensure_open(&self) -> Result<(), StreamsError> {
        if self.open {
            Ok(())
        } else {
            Err(store_error(&self.name, "store is not open"))
        }
    }

    fn timestamp(&self, key: &[u8]) -> Result<i64, StreamsError> {
        match self.segmenting.schema.segment_timestamp(key) {
            Some(ts) if ts >= 0 => Ok(ts),
            Some(ts) => Err(store_error(
                &self.name,
                format!("negative timestamp {ts} in a stored key"),
            )),
            None => Err(store_error(
                &self.name,
                format!("stored key of {} bytes is too short for its schema", key.len()),
            )),
        }
    }

    /// Writes a batch of entries, grouped by segment, dropping expired ones.
    fn write_entries(&mut self, entries: &[(&[u8], Option<&[u8]>)], durable: bool) -> Result<(), StreamsError> {
        self.ensure_open()?;
        let mut stamped = Vec::with_capacity(entries.len());
        for &(k, v) in entries {
            let ts = self.timestamp(k)?;
            self.observed = self.observed.max(ts);
            stamped.push((ts, k, v));
        }
        let floor = self.segmenting.floor(self.segmenting.live_from(self.observed), true);
        let mut i = 0;
        while i < stamped.len() {
            let seg = self.segmenting.segment_id(stamped[i].0);
            let mut batch = Vec::new();
            while i < stamped.len() && self.segmenting.segment_id(stamped[i].0) == seg {
                let (ts, k, v) = stamped[i];
                if ts < floor {
                    self.dropped += 1;
                    tracing::debug!(store = %self.name, timestamp = ts, "skipping a write to an expired segment");
                } else {
                    batch.push((k, v));
                }
                i += 1;
            }
            if !batch.is_empty() {
                self.backend.write(seg, &batch, durable)?;
                self.segments.insert(seg);
            }
        }
        self.drop_expired_segments(floor)
    }

    /// Drops every segment wholly before `floor`.
    fn drop_expired_segments(&mut self, floor: i64) -> Result<(), StreamsError> {
        if floor <= 0 {
            return Ok(());
        }
        let min_live = self.segmenting.segment_id(floor);
        let expired: Vec<i64> = self.segments.range(..min_live).copied().collect();
        for seg in expired {
            self.backend.drop_segment(seg)?;
            self.segments.remove(&seg);
        }
        Ok(())
    }
}

impl<B: SegmentBackend> StateStore for SegmentedStore<B> {
    fn name(&self) -> &str {
        &self.name
    }

    fn init(&mut self, context: &StateStoreContext) -> Result<(), StreamsError> {
        let existing = self.backend.open(&self.name, context)?;
        self.segments = existing.into_iter().collect();
        self.observed = -1;
        // The observed stream time survives a restart: the newest timestamp
        // of the newest segment.
        if let Some(&newest) = self.segments.last() {
            for item in self.backend.scan(newest, None, None, false)? {
                let (k, _) = item?;
                let ts = self.timestamp(&k)?;
                self.observed = self.observed.max(ts);
            }
        }
        self.open = true;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StreamsError> {
        if self.open { self.backend.flush() } else { Ok(()) }
    }

    fn close(&mut self) -> Result<(), StreamsError> {
        self.open = false;
        self.backend.close()
    }

    fn persistent(&self) -> bool {
        self.backend.persistent()
    }

    fn is_open(&self) -> bool {
        self.open
    }

    fn restore(&mut self, records: &[RawRecord]) -> Result<(), StreamsError> {
        let mut batch = Vec::with_capacity(records.len());
        for r in records {
            let Some(key) = r.key.as_deref() else {
                return Err(store_error(
                    &self.name,
                    format!("changelog record at offset {} has a null key", r.offset),
                ));
            };
            batch.push((key, r.value.as_deref()));
        }
        self.write_entries(&batch, false)
    }

    fn metrics(&self) -> Option<StoreMetrics> {
        Some(StoreMetrics {
            expired_dropped: self.dropped,
            ..StoreMetrics::default()
        })
    }
}

impl<B: SegmentBackend> BytesStore for SegmentedStore<B> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StreamsError> {
        self.ensure_open()?;
        let ts = self.timestamp(key)?;
        if ts < self.live_from() {
            return Ok(None);
        }
        let seg = self.segmenting.segment_id(ts);
        if !self.segments.contains(&seg) {
            return Ok(None);
        }
        self.backend.get(seg, key)
    }

    fn put(&mut self, key: &[u8], value: Option<&[u8]>) -> Result<(), StreamsError> {
        self.write_entries(&[(key, value)], true)
    }

    fn put_all(&mut self, entries: &[(&[u8], Option<&[u8]>)]) -> Result<(), StreamsError> {
        self.write_entries(entries, true)
    }

    fn scan(&self, scan: Scan<'_>) -> Result<BytesIter<'_>, StreamsError> {
        self.ensure_open()?;
        let live_from = self.segmenting.floor(self.live_from(), scan.by_segment);
        let lo = self.segmenting.segment_id(scan.time_from.max(live_from).max(0));
        let hi = self.segmenting.segment_id(scan.time_to.max(0));
        if scan.time_to < scan.time_from || scan.time_to < live_from {
            return Ok(Box::new(std::iter::empty()));
        }
        let mut segs: Vec<i64> = self.segments.range(lo..=hi).copied().collect();
        if scan.reverse {
            segs.reverse();
        }
        let mut iters = Vec::with_capacity(segs.len());
        for seg in segs {
            iters.push(self.backend.scan(seg, scan.from, scan.to, scan.reverse)?);
        }
        // Each backend scan is already bounded by key; only expiry filters.
        let schema = self.segmenting.schema;
        Ok(Box::new(iters.into_iter().flatten().filter(move |item| match item {
            Ok((k, _)) => schema.segment_timestamp(k).is_some_and(|ts| ts >= live_from),
            Err(_) => true,
        })))
    }

    fn approximate_num_entries(&self) -> Result<u64, StreamsError> {
        self.ensure_open()?;
        self.backend.count()
    }

    fn segmenting(&self) -> Option<Segmenting> {
        Some(self.segmenting)
    }

    fn live_from(&self) -> i64 {
        self.segmenting.live_from(self.observed)
    }

    fn expired_dropped(&self) -> u64 {
        self.dropped
    }
}
