//! The session store shape: values per key and session window.

use super::{FlushListener, KeyValueIter, StateStore, Windowed};
use crate::error::StreamsError;

/// A typed session store: one value per key and session `[start, end]`
/// (both inclusive), kept for the retention period after the session's end.
///
/// A session is *live* while `end > observed_stream_time - retention`, where
/// the observed stream time is the largest session end ever put; writes to
/// expired sessions are dropped (and counted) and lookups never return them.
/// Results are ordered by time segment (of the session end), then by the
/// serialized store key (key bytes, end, start), as in Kafka Streams.
pub trait SessionStore<K, V>: StateStore {
    /// Sets the aggregate of a session.
    fn put(&mut self, session: &Windowed<K>, value: &V) -> Result<(), StreamsError>;
    /// Removes a session.
    fn remove(&mut self, session: &Windowed<K>) -> Result<(), StreamsError>;
    /// The value of exactly this session, if stored.
    fn fetch_session(&self, key: &K, start: i64, end: i64) -> Result<Option<V>, StreamsError>;
    /// Sessions of `key` that end at or after `earliest_session_end` and start
    /// at or before `latest_session_start`: those a record could merge with.
    fn find_sessions(
        &self,
        key: &K,
        earliest_session_end: i64,
        latest_session_start: i64,
    ) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError>;
    /// As [`find_sessions`](Self::find_sessions), in reverse order.
    fn backward_find_sessions(
        &self,
        key: &K,
        earliest_session_end: i64,
        latest_session_start: i64,
    ) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError>;
    /// As [`find_sessions`](Self::find_sessions) for every key in
    /// `[key_from, key_to]` (inclusive; `None` is open).
    fn find_sessions_range(
        &self,
        key_from: Option<&K>,
        key_to: Option<&K>,
        earliest_session_end: i64,
        latest_session_start: i64,
    ) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError>;
    /// Every session, of any key, ending in `[earliest_session_end,
    /// latest_session_end]` (inclusive), ordered by end, then start, then
    /// serialized key: Kafka Streams' `findSessions(earliestSessionEndTime,
    /// latestSessionEndTime)`, which emit-on-close aggregations use to find
    /// closed sessions. A store that expires by whole segments (Kafka's
    /// time-ordered session store) also returns sessions past the retention
    /// period that a live segment still holds.
    fn find_sessions_ending(
        &self,
        earliest_session_end: i64,
        latest_session_end: i64,
    ) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError>;
    /// See [`KeyValueStore::set_flush_listener`](super::KeyValueStore::set_flush_listener).
    fn set_flush_listener(&mut self, listener: FlushListener<Windowed<K>, V>, send_old_values: bool) -> bool {
        drop(listener);
        let _ = send_old_values;
        false
    }
    /// Every live session of `key`.
    fn fetch(&self, key: &K) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError> {
        self.find_sessions(key, 0, i64::MAX)
    }
    /// Every live session of `key`, in reverse order.
    fn backward_fetch(&self, key: &K) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError> {
        self.backward_find_sessions(key, 0, i64::MAX)
    }
}
