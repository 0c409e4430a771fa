//! [`Suppressed`] and its buffer configurations: how `KTable::suppress`
//! holds back updates.

use std::sync::Arc;
use std::time::Duration;

use streams_core::store::Windowed;

/// What a full suppression buffer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BufferFullStrategy {
    /// Emits the oldest entries early, until the buffer fits again.
    EmitEarly,
    /// Stops the application with [`StreamsError::BufferFull`](streams_core::StreamsError::BufferFull)
    /// rather than emit early or drop anything.
    ShutDown,
}

/// Size limits of a suppression buffer and what happens when they are hit,
/// as Kafka Streams' `BufferConfig`.
///
/// The byte size of an entry is its serialized key, its serialized current
/// and prior values, and 16 bytes of times.
///
/// # Examples
///
/// ```
/// use streams_dsl::options::{BufferConfig, BufferFullStrategy};
///
/// let eager = BufferConfig::max_records(1_000).with_max_bytes(1 << 20);
/// assert_eq!(eager.full_strategy(), BufferFullStrategy::EmitEarly);
/// let strict = BufferConfig::max_bytes(1 << 20).shutdown_when_full();
/// assert_eq!(strict.config().full_strategy(), BufferFullStrategy::ShutDown);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct BufferConfig {
    max_records: Option<u64>,
    max_bytes: Option<u64>,
    full: BufferFullStrategy,
}

/// A buffer configuration that never emits early: unbounded, or shutting
/// down when full. The only kind [`Suppressed::until_window_closes`]
/// accepts, since it promises exactly one, final, result per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct StrictBufferConfig(BufferConfig);

impl BufferConfig {
    /// No limits (memory permitting); a full buffer cannot happen.
    pub fn unbounded() -> StrictBufferConfig {
        StrictBufferConfig(Self {
            max_records: None,
            max_bytes: None,
            full: BufferFullStrategy::ShutDown,
        })
    }

    /// At most `n` records; emits early when full (change with
    /// [`shutdown_when_full`](Self::shutdown_when_full)).
    pub fn max_records(n: u64) -> Self {
        Self {
            max_records: Some(n),
            max_bytes: None,
            full: BufferFullStrategy::EmitEarly,
        }
    }

    /// At most `n` bytes; emits early when full.
    pub fn max_bytes(n: u64) -> Self {
        Self {
            max_records: None,
            max_bytes: Some(n),
            full: BufferFullStrategy::EmitEarly,
        }
    }

    /// Also at most `n` records.
    pub fn with_max_records(mut self, n: u64) -> Self {
        self.max_records = Some(n);
        self
    }

    /// Also at most `n` bytes.
    pub fn with_max_bytes(mut self, n: u64) -> Self {
        self.max_bytes = Some(n);
        self
    }

    /// Emits the oldest entries when full (the default for bounded buffers).
    pub fn emit_early_when_full(mut self) -> Self {
        self.full = BufferFullStrategy::EmitEarly;
        self
    }

    /// Stops the application with a clear error when full.
    pub fn shutdown_when_full(self) -> StrictBufferConfig {
        StrictBufferConfig(Self {
            full: BufferFullStrategy::ShutDown,
            ..self
        })
    }

    /// The record limit.
    pub fn max_records_limit(&self) -> Option<u64> {
        self.max_records
    }

    /// The byte limit.
    pub fn max_bytes_limit(&self) -> Option<u64> {
        self.max_bytes
    }

    /// What a full buffer does.
    pub fn full_strategy(&self) -> BufferFullStrategy {
        self.full
    }
}

impl StrictBufferConfig {
    /// Also at most `n` records (shutting down when full).
    pub fn with_max_records(self, n: u64) -> Self {
        Self(self.0.with_max_records(n))
    }

    /// Also at most `n` bytes (shutting down when full).
    pub fn with_max_bytes(self, n: u64) -> Self {
        Self(self.0.with_max_bytes(n))
    }

    /// Emits early when full instead: no longer strict.
    pub fn emit_early_when_full(self) -> BufferConfig {
        self.0.emit_early_when_full()
    }

    /// The configuration.
    pub fn config(&self) -> BufferConfig {
        self.0
    }
}

impl From<StrictBufferConfig> for BufferConfig {
    fn from(strict: StrictBufferConfig) -> Self {
        strict.0
    }
}

/// Maps a buffered update to its buffer time: `(key, record timestamp)`.
pub(crate) type BufferTime<K> = Arc<dyn Fn(&K, i64) -> i64 + Send + Sync>;

/// How `KTable::suppress` holds back updates, as Kafka Streams'
/// `Suppressed<K>`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use streams_dsl::options::{BufferConfig, Suppressed};
/// use streams_dsl::prelude::*;
///
/// // At most one update per key per 10 s of stream time.
/// let rate_limited = Suppressed::<String>::until_time_limit(Duration::from_secs(10), BufferConfig::max_records(100));
/// // Only the final result of each window.
/// let finals = Suppressed::<Windowed<String>>::until_window_closes(BufferConfig::unbounded()).with_name("finals");
/// # let _ = (rate_limited, finals);
/// ```
#[must_use]
pub struct Suppressed<K> {
    pub(crate) name: Option<String>,
    pub(crate) buffer: BufferConfig,
    pub(crate) kind: SuppressKind<K>,
}

pub(crate) enum SuppressKind<K> {
    /// Held `limit` ms from each key's first buffered update.
    TimeLimit { limit: i64, time: BufferTime<K> },
    /// Held until the window closes (its end plus the table's close delay);
    /// tombstones are dropped.
    WindowClose { time: BufferTime<K> },
}

impl<K: 'static> Suppressed<K> {
    /// Holds each key's updates for `limit` of stream time after its first
    /// buffered update, then emits the latest (`Duration::ZERO` passes every
    /// update through).
    pub fn until_time_limit(limit: Duration, buffer: impl Into<BufferConfig>) -> Self {
        let limit = i64::try_from(limit.as_millis()).unwrap_or(i64::MAX);
        Self {
            name: None,
            buffer: buffer.into(),
            kind: SuppressKind::TimeLimit {
                limit,
                time: Arc::new(|_, timestamp| timestamp),
            },
        }
    }

    /// Names the processor (and its buffer store, `<name>-store`).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

impl<K: 'static> Suppressed<Windowed<K>> {
    /// Holds each window's updates until it closes (stream time reaches its
    /// end plus grace), then emits its final result, once. Only for
    /// windowed tables; the buffer never emits early.
    pub fn until_window_closes(buffer: StrictBufferConfig) -> Self {
        Self {
            name: None,
            buffer: buffer.into(),
            kind: SuppressKind::WindowClose {
                time: Arc::new(|key: &Windowed<K>, _| key.window.end),
            },
        }
    }
}
