//! Time: the wall clock behind a trait, and timestamp extraction at the source.
//!
//! The engine never reads the system clock directly; it asks a [`Clock`], so
//! the test driver can run the same task code on a [`MockClock`].

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::record::Record;

/// A source of wall-clock time in milliseconds since the epoch.
///
/// Called by tasks for wall-clock punctuation and by the wall-clock timestamp
/// extractor; must be cheap and monotonic enough for scheduling.
pub trait Clock: Send + Sync + 'static {
    /// Now, in milliseconds since the epoch.
    fn now_ms(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

/// A clock that moves only when told to; clones share the same time.
#[derive(Debug, Clone, Default)]
pub struct MockClock(Arc<AtomicI64>);

impl MockClock {
    /// A clock reading `start_ms`.
    pub fn new(start_ms: i64) -> Self {
        Self(Arc::new(AtomicI64::new(start_ms)))
    }

    /// Moves the clock forward by `ms`.
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    /// Sets the clock.
    pub fn set(&self, ms: i64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Clock for MockClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

type ExtractFn<K, V> = dyn Fn(&Record<K, V>, i64) -> i64 + Send + Sync;

enum Kind<K, V> {
    RecordTimestamp,
    WallClock,
    Custom(Arc<ExtractFn<K, V>>),
}

/// Decides the event time of each record read by a source.
///
/// A negative result is invalid: the record goes to the deserialization error
/// handler (skip with a metric, or fail), exactly like an undecodable payload.
/// The default is [`TimestampExtractor::record_timestamp`], which like Kafka's
/// `FailOnInvalidTimestamp` uses the timestamp stored in the Kafka record.
pub struct TimestampExtractor<K, V>(Kind<K, V>);

impl<K, V> TimestampExtractor<K, V> {
    /// The timestamp of the Kafka record (create time or log-append time).
    pub fn record_timestamp() -> Self {
        Self(Kind::RecordTimestamp)
    }

    /// The wall-clock time at which the record is read (processing time).
    pub fn wall_clock() -> Self {
        Self(Kind::WallClock)
    }

    /// A user function of the deserialized record (whose `timestamp` is the
    /// Kafka record's) and the partition time (the largest valid timestamp
    /// extracted so far in that partition, or -1).
    pub fn from_fn(f: impl Fn(&Record<K, V>, i64) -> i64 + Send + Sync + 'static) -> Self {
        Self(Kind::Custom(Arc::new(f)))
    }

    /// The same extractor for records of `Option<V>` (a table's source):
    /// a custom function sees the records that have a value; a null value
    /// keeps the Kafka record's timestamp.
    pub fn for_nullable_values(self) -> TimestampExtractor<K, Option<V>>
    where
        K: Clone + 'static,
        V: Clone + 'static,
    {
        self.adapt(|r: &Record<K, Option<V>>| {
            let v = r.value.as_ref()?;
            Some(Record::new(r.key.clone(), v.clone(), r.timestamp))
        })
    }

    /// The same extractor for records of `Option<K>` and `Option<V>` (a
    /// table's source, which skips null keys): a custom function sees the
    /// records that have both; the others keep the Kafka record's timestamp.
    pub fn for_nullable_records(self) -> TimestampExtractor<Option<K>, Option<V>>
    where
        K: Clone + 'static,
        V: Clone + 'static,
    {
        self.adapt(|r: &Record<Option<K>, Option<V>>| {
            let (k, v) = (r.key.as_ref()?, r.value.as_ref()?);
            Some(Record::new(k.clone(), v.clone(), r.timestamp))
        })
    }

    /// This extractor for records of another shape: a custom function sees
    /// the records `convert` can turn into its own; the others keep the
    /// Kafka record's timestamp.
    fn adapt<K2, V2>(
        self,
        convert: impl Fn(&Record<K2, V2>) -> Option<Record<K, V>> + Send + Sync + 'static,
    ) -> TimestampExtractor<K2, V2>
    where
        K: 'static,
        V: 'static,
    {
        TimestampExtractor(match self.0 {
            Kind::RecordTimestamp => Kind::RecordTimestamp,
            Kind::WallClock => Kind::WallClock,
            Kind::Custom(f) => Kind::Custom(Arc::new(move |r: &Record<K2, V2>, partition_time| match convert(r) {
                Some(own) => f(&own, partition_time),
                None => r.timestamp,
            })),
        })
    }

    pub(crate) fn extract(&self, record: &Record<K, V>, partition_time: i64, clock: &dyn Clock) -> i64 {
        match &self.0 {
            Kind::RecordTimestamp => record.timestamp,
            Kind::WallClock => clock.now_ms(),
            Kind::Custom(f) => f(record, partition_time),
        }
    }
}

impl<K, V> Default for TimestampExtractor<K, V> {
    fn default() -> Self {
        Self::record_timestamp()
    }
}

impl<K, V> Clone for TimestampExtractor<K, V> {
    fn clone(&self) -> Self {
        Self(match &self.0 {
            Kind::RecordTimestamp => Kind::RecordTimestamp,
            Kind::WallClock => Kind::WallClock,
            Kind::Custom(f) => Kind::Custom(Arc::clone(f)),
        })
    }
}

impl<K, V> fmt::Debug for TimestampExtractor<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Kind::RecordTimestamp => "RecordTimestamp",
            Kind::WallClock => "WallClock",
            Kind::Custom(_) => "Custom",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extractors() {
        let r = Record::new("k", 1, 42);
        let clock = MockClock::new(7);
        assert_eq!(TimestampExtractor::record_timestamp().extract(&r, -1, &clock), 42);
        assert_eq!(TimestampExtractor::wall_clock().extract(&r, -1, &clock), 7);
        let f = TimestampExtractor::from_fn(|r: &Record<&str, i32>, pt| i64::from(r.value) + pt);
        assert_eq!(f.extract(&r, 10, &clock), 11);
        let c = MockClock::new(5);
        c.advance(10);
        assert_eq!(c.now_ms(), 15);
        assert!(SystemClock.now_ms() > 1_600_000_000_000);
    }

    #[test]
    fn nullable_adapters_call_the_function_only_with_a_whole_record() {
        let clock = MockClock::new(7);
        let f = || TimestampExtractor::from_fn(|r: &Record<&str, i32>, _| i64::from(r.value) * 100);
        let values = f().for_nullable_values();
        assert_eq!(values.extract(&Record::new("k", Some(2), 42), -1, &clock), 200);
        assert_eq!(values.extract(&Record::new("k", None, 42), -1, &clock), 42);
        let records = f().for_nullable_records();
        assert_eq!(records.extract(&Record::new(Some("k"), Some(3), 42), -1, &clock), 300);
        assert_eq!(records.extract(&Record::new(None, Some(3), 42), -1, &clock), 42);
        assert_eq!(records.extract(&Record::new(Some("k"), None, 42), -1, &clock), 42);
    }
}
