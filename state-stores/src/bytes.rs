//! The bytes-level store every layer and backend implements.
//!
//! Typed facades (the metered layer) serialize keys and values once, on the
//! outside; everything underneath (caching, change-logging, in-memory and
//! RocksDB backends) sees only bytes. Window and session stores are
//! *segmented* bytes stores: their keys embed a timestamp (see
//! [`schema`](crate::schema)) that picks a time segment, and whole segments are
//! dropped as they expire.

use streams_core::StreamsError;
use streams_core::store::StateStore;

/// Key-value pairs of bytes, in scan order; each item may fail (I/O).
pub type BytesIter<'a> = Box<dyn Iterator<Item = Result<(Vec<u8>, Vec<u8>), StreamsError>> + 'a>;

/// What a scan covers.
#[derive(Debug, Clone, Copy)]
pub struct Scan<'a> {
    /// Lowest key, inclusive (`None`: from the first key).
    pub from: Option<&'a [u8]>,
    /// Highest key, inclusive (`None`: to the last key).
    pub to: Option<&'a [u8]>,
    /// Segmented stores: the earliest segment timestamp of interest.
    pub time_from: i64,
    /// Segmented stores: the latest segment timestamp of interest.
    pub time_to: i64,
    /// Descending order.
    pub reverse: bool,
    /// Segmented stores with [`Expiry::WholeSegments`]: return every entry a
    /// live segment holds, including those already past the retention
    /// period (Kafka's time-ordered session scan by end time). Ignored
    /// under [`Expiry::Exact`].
    pub by_segment: bool,
}

impl<'a> Scan<'a> {
    /// Keys in `[from, to]`, every segment.
    pub fn keys(from: Option<&'a [u8]>, to: Option<&'a [u8]>, reverse: bool) -> Self {
        Self {
            from,
            to,
            time_from: 0,
            time_to: i64::MAX,
            reverse,
            by_segment: false,
        }
    }
}

/// Which timestamp of a segmented key picks its segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySchema {
    /// `key ++ window start ++ sequence number`: the window start.
    Window,
    /// `key ++ session end ++ session start`: the session end.
    Session,
}

impl KeySchema {
    /// The segment timestamp of a stored key, or `None` if the key is too
    /// short to hold one (corrupt data).
    pub fn segment_timestamp(self, key: &[u8]) -> Option<i64> {
        let n = key.len();
        let at = match self {
            KeySchema::Window => n.checked_sub(12)?,
            KeySchema::Session => n.checked_sub(16)?,
        };
        Some(i64::from_be_bytes(key[at..at + 8].try_into().ok()?))
    }
}

/// How a segmented store splits time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segmenting {
    /// How long entries stay live after the observed stream time passes them.
    pub retention: i64,
    /// Width of one segment, in milliseconds.
    pub interval: i64,
    /// Where keys keep their timestamp.
    pub schema: KeySchema,
    /// How writes and scans treat entries past the retention period.
    pub expiry: Expiry,
}

/// How a segmented store expires entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expiry {
    /// Entries expire one by one, exactly `retention` after the observed
    /// stream time passes them: writes of expired entries are dropped and
    /// no read returns them (Kafka Streams' window and session stores).
    #[default]
    Exact,
    /// Writes are dropped, and entries become unreachable, only when their
    /// whole segment has expired; key lookups and key scans still skip
    /// entries past the retention period, but a [`Scan::by_segment`] scan
    /// returns them (Kafka Streams' time-ordered session store, which
    /// emit-on-close session aggregations use).
    WholeSegments,
}

impl Segmenting {
    /// Kafka Streams' default segment width: half the retention, at least a minute.
    pub fn default_interval(retention: i64) -> i64 {
        (retention / 2).max(60_000)
    }

    /// The segment holding timestamp `ts` (`ts >= 0`).
    pub fn segment_id(&self, ts: i64) -> i64 {
        ts.max(0) / self.interval
    }

    /// The earliest live timestamp given the observed stream time.
    pub fn live_from(&self, observed_stream_time: i64) -> i64 {
        observed_stream_time.saturating_sub(self.retention).saturating_add(1)
    }

    /// The earliest timestamp still kept (`whole: true`: for writes and
    /// [`Scan::by_segment`] scans) given the earliest live timestamp: that
    /// timestamp itself under [`Expiry::Exact`], the start of the oldest
    /// live segment under [`Expiry::WholeSegments`].
    pub fn floor(&self, live_from: i64, whole: bool) -> i64 {
        match self.expiry {
            Expiry::WholeSegments if whole => self
                .segment_id(live_from.saturating_sub(1))
                .saturating_mul(self.interval),
            _ => live_from,
        }
    }
}

/// An entry a caching layer flushes, at the bytes level.
#[derive(Debug, Clone, Copy)]
pub struct BytesFlushed<'a> {
    /// The stored key.
    pub key: &'a [u8],
    /// The new value; `None` for a delete.
    pub new_value: Option<&'a [u8]>,
    /// The value underneath before the flush; `None` when the listener was
    /// set without `send_old_values`.
    pub old_value: Option<&'a [u8]>,
    /// Timestamp of the write.
    pub timestamp: i64,
}

/// Receives what a caching layer flushes.
pub type BytesFlushListener = Box<dyn FnMut(BytesFlushed<'_>) -> Result<(), StreamsError>>;

/// A store of bytes: a backend, or a layer over another `BytesStore`.
pub trait BytesStore: StateStore {
    /// The value of `key`.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StreamsError>;
    /// Runs `read` on the value of `key` where it lies, without copying it out
    /// (the typed facades decode straight from it).
    fn get_with(&self, key: &[u8], read: &mut dyn FnMut(Option<&[u8]>)) -> Result<(), StreamsError> {
        read(self.get(key)?.as_deref());
        Ok(())
    }
    /// Sets (`Some`) or deletes (`None`) the value of `key`.
    fn put(&mut self, key: &[u8], value: Option<&[u8]>) -> Result<(), StreamsError>;
    /// Applies every write in order, as one batch where the backend can.
    fn put_all(&mut self, entries: &[(&[u8], Option<&[u8]>)]) -> Result<(), StreamsError>;
    /// Pairs in the scan's key bounds (and segments), ascending or descending.
    /// Segmented stores order by segment, then key.
    fn scan(&self, scan: Scan<'_>) -> Result<BytesIter<'_>, StreamsError>;
    /// Pairs whose key starts with `prefix`, ascending.
    fn prefix_scan(&self, prefix: &[u8]) -> Result<BytesIter<'_>, StreamsError> {
        let owned = prefix.to_vec();
        let iter = self.scan(Scan::keys(Some(prefix), None, false))?;
        Ok(Box::new(iter.take_while(move |item| match item {
            Ok((k, _)) => k.starts_with(&owned),
            Err(_) => true,
        })))
    }
    /// An estimate of the number of entries.
    fn approximate_num_entries(&self) -> Result<u64, StreamsError>;
    /// How a segmented store splits time; `None` for a key-value store.
    fn segmenting(&self) -> Option<Segmenting> {
        None
    }
    /// Segmented stores: the earliest live segment timestamp.
    fn live_from(&self) -> i64 {
        i64::MIN
    }
    /// Writes dropped because their segment timestamp had expired.
    fn expired_dropped(&self) -> u64 {
        0
    }
    /// Sets the receiver of flushed entries; `true` if this store caches.
    /// `send_old_values`: whether flushed entries carry the value underneath
    /// before (see `KeyValueStore::set_flush_listener`).
    fn set_flush_listener(&mut self, listener: BytesFlushListener, send_old_values: bool) -> bool {
        drop(listener);
        let _ = send_old_values;
        false
    }
}

/// The error of store `name`.
pub(crate) fn store_error(name: &str, source: impl Into<streams_core::BoxError>) -> StreamsError {
    StreamsError::Store {
        store: name.to_owned(),
        source: source.into(),
    }
}

/// Whether `key` lies within inclusive optional bounds.
pub(crate) fn in_bounds(key: &[u8], from: Option<&[u8]>, to: Option<&[u8]>) -> bool {
    from.is_none_or(|f| key >= f) && to.is_none_or(|t| key <= t)
}

/// Whether inclusive optional bounds are empty.
pub(crate) fn empty_bounds(from: Option<&[u8]>, to: Option<&[u8]>) -> bool {
    matches!((from, to), (Some(f), Some(t)) if f > t)
}
