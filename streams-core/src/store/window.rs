//! The window store shape: values per key and window start time.

use super::{FlushListener, KeyValueIter, StateStore};
use crate::error::StreamsError;

/// A time window: `start` inclusive; `end` exclusive for time windows (as in
/// Kafka's `TimeWindow`) and inclusive for session windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Window {
    /// Start time in milliseconds.
    pub start: i64,
    /// End time in milliseconds.
    pub end: i64,
}

impl Window {
    /// The window `[start, end]`.
    pub fn new(start: i64, end: i64) -> Self {
        Self { start, end }
    }
}

/// A key together with the window it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Windowed<K> {
    /// The record key.
    pub key: K,
    /// The window.
    pub window: Window,
}

impl<K> Windowed<K> {
    /// `key` in `window`.
    pub fn new(key: K, window: Window) -> Self {
        Self { key, window }
    }
}

/// `[key@start/end]`, as Kafka's `Windowed.toString`.
///
/// ```
/// use streams_core::store::{Window, Windowed};
///
/// assert_eq!(Windowed::new("a", Window::new(0, 60_000)).to_string(), "[a@0/60000]");
/// ```
impl<K: std::fmt::Display> std::fmt::Display for Windowed<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}@{}/{}]", self.key, self.window.start, self.window.end)
    }
}

/// Window start times and values of one key; each item may fail to deserialize.
pub type WindowIter<'a, V> = Box<dyn Iterator<Item = Result<(i64, V), StreamsError>> + 'a>;

/// A typed window store: values by key and window start, kept for the
/// retention period.
///
/// A window is *live* while `window_start > observed_stream_time - retention`,
/// where the observed stream time is the largest window start ever put. Writes
/// to windows that are no longer live are dropped (and counted), and fetches
/// never return them, whichever backend holds the data. Storage is segmented by
/// time, so expiry drops whole segments.
///
/// Single-key fetches return windows in ascending start order (descending for
/// the `backward_` variants). Fetches over several keys return entries ordered
/// by time segment, then by the serialized store key (key bytes, then start),
/// which is the order Kafka Streams' segmented stores give.
pub trait WindowStore<K, V>: StateStore {
    /// Sets the value of `key` in the window starting at `window_start`; `None`
    /// deletes it. With retain-duplicates, every put adds a new entry and
    /// `None` is ignored.
    fn put(&mut self, key: &K, value: Option<&V>, window_start: i64) -> Result<(), StreamsError>;
    /// The value of `key` in the window starting exactly at `window_start`.
    fn fetch_one(&self, key: &K, window_start: i64) -> Result<Option<V>, StreamsError>;
    /// Windows of `key` with `time_from <= start <= time_to`, ascending.
    fn fetch(&self, key: &K, time_from: i64, time_to: i64) -> Result<WindowIter<'_, V>, StreamsError>;
    /// As [`fetch`](Self::fetch), descending.
    fn backward_fetch(&self, key: &K, time_from: i64, time_to: i64) -> Result<WindowIter<'_, V>, StreamsError>;
    /// Windows of keys in `[key_from, key_to]` (inclusive; `None` is open)
    /// with `time_from <= start <= time_to`.
    fn fetch_range(
        &self,
        key_from: Option<&K>,
        key_to: Option<&K>,
        time_from: i64,
        time_to: i64,
    ) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError>;
    /// As [`fetch_range`](Self::fetch_range), in reverse order.
    fn backward_fetch_range(
        &self,
        key_from: Option<&K>,
        key_to: Option<&K>,
        time_from: i64,
        time_to: i64,
    ) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError>;
    /// Windows of every key with `time_from <= start <= time_to`.
    fn fetch_all(&self, time_from: i64, time_to: i64) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError> {
        self.fetch_range(None, None, time_from, time_to)
    }
    /// As [`fetch_all`](Self::fetch_all), in reverse order.
    fn backward_fetch_all(
        &self,
        time_from: i64,
        time_to: i64,
    ) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError> {
        self.backward_fetch_range(None, None, time_from, time_to)
    }
    /// Every live window.
    fn all(&self) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError> {
        self.fetch_all(0, i64::MAX)
    }
    /// Every live window, in reverse order.
    fn backward_all(&self) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError> {
        self.backward_fetch_all(0, i64::MAX)
    }
    /// The size of the windows this store holds, in milliseconds.
    fn window_size(&self) -> i64;
    /// See [`KeyValueStore::set_flush_listener`](super::KeyValueStore::set_flush_listener).
    fn set_flush_listener(&mut self, listener: FlushListener<Windowed<K>, V>, send_old_values: bool) -> bool {
        drop(listener);
        let _ = send_old_values;
        false
    }
}
