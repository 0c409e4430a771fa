//! Shared test support: every backend and layer combination, a capturing
//! record collector, and store contexts on fresh temporary directories.
#![allow(dead_code, unreachable_pub)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use state_stores::{KeyValueSupplier, SegmentedSupplier, Stores};
use streams_core::BoxError;
use streams_core::engine::{OutgoingRecord, RecordCollector, TaskId};
use streams_core::store::{ChangeLogger, RecordTime, StateStoreContext, ThreadCache};

/// A record the collector captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub topic: String,
    pub partition: Option<i32>,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub timestamp: i64,
}

/// Keeps what is sent; offsets count per topic.
#[derive(Default)]
pub struct Capture {
    pub sent: Vec<Sent>,
    counts: HashMap<String, i64>,
}

impl RecordCollector for Capture {
    fn send(&mut self, r: OutgoingRecord<'_>) -> Result<(), BoxError> {
        *self.counts.entry(r.topic.to_owned()).or_default() += 1;
        self.sent.push(Sent {
            topic: r.topic.to_owned(),
            partition: r.partition,
            key: r.key.map(<[u8]>::to_vec),
            value: r.value.map(<[u8]>::to_vec),
            timestamp: r.timestamp,
        });
        Ok(())
    }

    fn partition_count(&self, _topic: &str) -> Option<u32> {
        Some(1)
    }

    fn flush(&mut self) -> Result<(), BoxError> {
        Ok(())
    }

    fn last_offset(&self, topic: &str, _partition: i32) -> Option<i64> {
        self.counts.get(topic).map(|n| n - 1)
    }
}

/// One way to build a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Combo {
    pub rocksdb: bool,
    pub caching: bool,
    pub logging: bool,
}

impl std::fmt::Display for Combo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}{}{}",
            if self.rocksdb { "rocksdb" } else { "in-memory" },
            if self.caching { "+caching" } else { "" },
            if self.logging { "+logging" } else { "" }
        )
    }
}

/// Every combination of backend, caching and logging.
pub fn combos() -> Vec<Combo> {
    let mut out = Vec::new();
    for rocksdb in [false, true] {
        for caching in [false, true] {
            for logging in [false, true] {
                out.push(Combo {
                    rocksdb,
                    caching,
                    logging,
                });
            }
        }
    }
    out
}

impl Combo {
    pub fn kv_supplier(&self, name: &str) -> KeyValueSupplier {
        if self.rocksdb {
            Stores::persistent_key_value_store(name)
        } else {
            Stores::in_memory_key_value_store(name)
        }
    }

    pub fn window_supplier(&self, name: &str, retention: u64, size: u64, dups: bool) -> SegmentedSupplier {
        let (r, s) = (Duration::from_millis(retention), Duration::from_millis(size));
        let supplier = if self.rocksdb {
            Stores::persistent_window_store(name, r, s, dups)
        } else {
            Stores::in_memory_window_store(name, r, s, dups)
        };
        supplier
            .unwrap()
            .with_segment_interval(Duration::from_millis(retention / 2))
            .unwrap()
    }

    pub fn session_supplier(&self, name: &str, retention: u64) -> SegmentedSupplier {
        let r = Duration::from_millis(retention);
        let supplier = if self.rocksdb {
            Stores::persistent_session_store(name, r)
        } else {
            Stores::in_memory_session_store(name, r)
        };
        supplier
            .unwrap()
            .with_segment_interval(Duration::from_millis(retention / 2))
            .unwrap()
    }
}

/// A task context over a fresh directory, logging to `collector`, with its
/// own cache of `cache_bytes`.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub collector: Rc<RefCell<Capture>>,
    pub cache: ThreadCache,
    pub time: Rc<std::cell::Cell<i64>>,
}

impl Env {
    pub fn new(cache_bytes: usize) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            collector: Rc::new(RefCell::new(Capture::default())),
            cache: ThreadCache::new(cache_bytes),
            time: Rc::new(std::cell::Cell::new(0)),
        }
    }

    pub fn context(&self) -> StateStoreContext {
        let time = Rc::clone(&self.time);
        let record_time = RecordTime::from_fn(move || time.get());
        StateStoreContext::new("app", TaskId::new(0, 3), self.dir.path().join("app").join("0_3"))
            .with_cache(self.cache.clone())
            .with_time(record_time.clone())
            .with_change_logger(ChangeLogger::new(self.collector.clone(), record_time))
    }

    pub fn changelog(&self, topic: &str) -> Vec<Sent> {
        self.collector
            .borrow()
            .sent
            .iter()
            .filter(|s| s.topic == topic)
            .cloned()
            .collect()
    }
}
