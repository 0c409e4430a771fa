//! The layers Kafka Streams composes over a bytes store, outermost first:
//! metered (typed facade: serdes, counters, latencies), caching, change-logging.

pub(crate) mod caching;
pub(crate) mod logging;
pub(crate) mod metered;
mod metered_kv;
mod metered_session;
mod metered_window;

pub use metered_kv::MeteredKeyValueStore;
pub use metered_session::MeteredSessionStore;
pub use metered_window::MeteredWindowStore;

/// Delegates the [`StateStore`](streams_core::store::StateStore) methods a
/// layer does not change to `self.inner`.
macro_rules! delegate_lifecycle {
    () => {
        fn name(&self) -> &str {
            self.inner.name()
        }
        fn persistent(&self) -> bool {
            self.inner.persistent()
        }
        fn is_open(&self) -> bool {
            self.inner.is_open()
        }
        fn restore(&mut self, records: &[streams_core::engine::RawRecord]) -> Result<(), streams_core::StreamsError> {
            self.inner.restore(records)
        }
        fn metrics(&self) -> Option<streams_core::store::StoreMetrics> {
            self.inner.metrics()
        }
    };
}
pub(crate) use delegate_lifecycle;
