//! Counters and latencies a metered store keeps.

use std::time::Duration;

/// Operation counts and total latencies of one store, as Kafka Streams'
/// `stream-state-metrics` report them (`put-rate`, `get-latency-avg`, ...).
/// Counts are kept at every `metrics.recording.level`; the times only at
/// `DEBUG` and `TRACE` (they stay zero at the default `INFO`), as in Kafka
/// Streams, whose store latencies are `DEBUG`-level metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreMetrics {
    /// Single-key writes (put, put_if_absent, delete, remove).
    pub puts: u64,
    /// Time spent in them.
    pub put_time: Duration,
    /// Single-key reads (get, fetch_one, fetch_session).
    pub gets: u64,
    /// Time spent in them.
    pub get_time: Duration,
    /// Range reads (range, prefix_scan, fetch, find_sessions, ...): time to
    /// open the iterator.
    pub ranges: u64,
    /// Time spent opening them.
    pub range_time: Duration,
    /// Batched writes (put_all).
    pub put_alls: u64,
    /// Flushes.
    pub flushes: u64,
    /// Time spent flushing.
    pub flush_time: Duration,
    /// Changelog records restored.
    pub restored: u64,
    /// Writes dropped because their window or session had expired.
    pub expired_dropped: u64,
}
