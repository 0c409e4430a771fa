//! What the three typed facades share: serdes applied once, on the outside,
//! and operation counters with latencies.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use streams_core::StreamsError;
use streams_core::serde::{Payload, SharedSerde};
use streams_core::store::StoreMetrics;

use crate::bytes::{BytesIter, store_error};

/// Keeps and decodes the stored pairs `select` accepts (`None` skips one);
/// scan errors pass through.
pub(crate) fn select<'a, T: 'a>(
    iter: BytesIter<'a>,
    mut select: impl FnMut(&[u8], &[u8]) -> Option<Result<T, StreamsError>> + 'a,
) -> Box<dyn Iterator<Item = Result<T, StreamsError>> + 'a> {
    Box::new(iter.filter_map(move |item| match item {
        Ok((stored, value)) => select(&stored, &value),
        Err(e) => Some(Err(e)),
    }))
}

/// Which counter an operation feeds.
#[derive(Clone, Copy)]
pub(crate) enum Op {
    Put,
    Get,
    Range,
    PutAll,
    Flush,
}

/// Counters and latency totals of one store. Latencies are measured only
/// when `metrics.recording.level` is `DEBUG` or `TRACE` (Kafka Streams' rule
/// for store metrics): two clock reads per operation are not free.
#[derive(Default)]
pub(crate) struct Meter {
    metrics: Cell<StoreMetrics>,
    timed: Cell<bool>,
}

impl Meter {
    /// Takes the recording level from the store's configuration.
    pub(crate) fn configure(&self, config: &streams_core::StreamsConfig) {
        self.timed
            .set(config.recording_level() >= streams_core::config::RecordingLevel::Debug);
    }

    /// Runs `f`, counting it under `op` (and timing it, when configured to).
    #[inline]
    pub(crate) fn time<R>(&self, op: Op, f: impl FnOnce() -> R) -> R {
        if !self.timed.get() {
            let out = f();
            self.record(op, Duration::ZERO);
            return out;
        }
        let start = Instant::now();
        let out = f();
        self.record(op, start.elapsed());
        out
    }

    fn record(&self, op: Op, took: Duration) {
        let mut m = self.metrics.get();
        match op {
            Op::Put => {
                m.puts += 1;
                m.put_time += took;
            }
            Op::Get => {
                m.gets += 1;
                m.get_time += took;
            }
            Op::Range => {
                m.ranges += 1;
                m.range_time += took;
            }
            Op::PutAll => {
                m.put_alls += 1;
                m.put_time += took;
            }
            Op::Flush => {
                m.flushes += 1;
                m.flush_time += took;
            }
        }
        self.metrics.set(m);
    }

    /// Adds restored records.
    pub(crate) fn restored(&self, n: usize) {
        let mut m = self.metrics.get();
        m.restored += n as u64;
        self.metrics.set(m);
    }

    pub(crate) fn snapshot(&self, expired_dropped: u64) -> StoreMetrics {
        StoreMetrics {
            expired_dropped,
            ..self.metrics.get()
        }
    }
}

/// A serde bound to a store: errors name the store, nulls are refused.
pub(crate) struct Codec<T> {
    pub(crate) serde: SharedSerde<T>,
    buf: RefCell<Vec<u8>>,
}

impl<T: 'static> Codec<T> {
    pub(crate) fn new(serde: SharedSerde<T>) -> Self {
        Self {
            serde,
            buf: RefCell::new(Vec::new()),
        }
    }

    /// Serializes into the codec's reused buffer and runs `f` on the bytes.
    #[inline]
    pub(crate) fn with_bytes<R>(
        &self,
        store: &str,
        topic: &str,
        value: &T,
        f: impl FnOnce(&[u8]) -> Result<R, StreamsError>,
    ) -> Result<R, StreamsError> {
        // A nested use (a flush listener reading the store) gets its own buffer.
        let mut owned;
        let mut guard = self.buf.try_borrow_mut();
        let buf: &mut Vec<u8> = match &mut guard {
            Ok(b) => b,
            Err(_) => {
                owned = Vec::new();
                &mut owned
            }
        };
        buf.clear();
        match self.serde.serialize_into(topic, value, buf) {
            Ok(Payload::Bytes) => f(buf),
            Ok(Payload::Null) => Err(store_error(store, "keys and values must not serialize to null")),
            Err(e) => Err(store_error(store, e)),
        }
    }

    /// Serializes into a new vector.
    pub(crate) fn to_vec(&self, store: &str, topic: &str, value: &T) -> Result<Vec<u8>, StreamsError> {
        self.with_bytes(store, topic, value, |b| Ok(b.to_vec()))
    }

    pub(crate) fn decode(&self, store: &str, topic: &str, bytes: &[u8]) -> Result<T, StreamsError> {
        self.serde
            .deserialize(topic, Some(bytes))
            .map_err(|e| store_error(store, e))
    }
}

/// The [`StateStore`](streams_core::store::StateStore) side of a typed
/// facade, the same for every shape: fields `name`, `topic` (the changelog
/// topic, which is also the serde topic), `inner` and `meter`.
macro_rules! metered_lifecycle {
    ($facade:ident) => {
        impl<K: 'static, V: 'static> streams_core::store::StateStore for $facade<K, V> {
            fn name(&self) -> &str {
                &self.name
            }

            fn init(&mut self, context: &streams_core::store::StateStoreContext) -> Result<(), StreamsError> {
                self.topic = streams_core::store::changelog_topic(&context.application_id, &self.name);
                self.meter.configure(&context.config);
                self.inner.init(context)
            }

            fn flush(&mut self) -> Result<(), StreamsError> {
                let inner = &mut self.inner;
                self.meter
                    .time($crate::layers::metered::Op::Flush, || inner.flush())
            }

            fn flush_cache(&mut self) -> Result<(), StreamsError> {
                self.inner.flush_cache()
            }

            fn close(&mut self) -> Result<(), StreamsError> {
                self.inner.close()
            }

            fn persistent(&self) -> bool {
                self.inner.persistent()
            }

            fn is_open(&self) -> bool {
                self.inner.is_open()
            }

            fn changelog_topic(&self) -> Option<&str> {
                self.inner.changelog_topic()
            }

            fn restore(&mut self, records: &[streams_core::engine::RawRecord]) -> Result<(), StreamsError> {
                self.inner.restore(records)?;
                self.meter.restored(records.len());
                Ok(())
            }

            fn metrics(&self) -> Option<streams_core::store::StoreMetrics> {
                Some(self.meter.snapshot(self.inner.expired_dropped()))
            }
        }
    };
}
pub(crate) use metered_lifecycle;
