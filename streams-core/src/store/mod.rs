//! State-store traits, the handles processors use, and a simple in-memory
//! key-value store.
//!
//! A task owns its stores. The engine drives each store's [`StateStore`]
//! lifecycle (init before processors, flush on commit, close after processors);
//! processors reach a store through a handle registered by its
//! [`StoreBuilder`], such as [`KeyValueStoreHandle`]. Store implementations
//! with RocksDB, caching and change-logging live in the `state-stores` crate and
//! implement these same traits.

mod cache;
mod handles;
mod in_memory;
mod metrics;
mod session;
mod timestamped;
mod window;

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

pub use cache::{CacheEntry, Dirty, DirtyBatch, ThreadCache};
pub use handles::{KeyValueStoreHandle, SessionStoreHandle, StoreHandle, WindowStoreHandle};
pub use in_memory::{InMemoryKeyValueStore, InMemoryKeyValueStoreBuilder};
pub use metrics::StoreMetrics;
pub use session::SessionStore;
pub use timestamped::{TimestampedSerde, ValueAndTimestamp};
pub use window::{Window, WindowIter, WindowStore, Windowed};

use crate::config::StreamsConfig;
use crate::engine::{OutgoingRecord, RawRecord, RecordCollector, TaskId};
use crate::error::StreamsError;
use crate::record::Headers;

/// The time a store write happens at: the current record's timestamp (or
/// the punctuation time inside a punctuator). Caches and changelogs stamp
/// their entries with it.
#[derive(Clone)]
pub struct RecordTime(Rc<dyn Fn() -> i64>);

impl RecordTime {
    /// A time read from `f` at each write.
    pub fn from_fn(f: impl Fn() -> i64 + 'static) -> Self {
        Self(Rc::new(f))
    }

    /// The time now.
    pub fn now(&self) -> i64 {
        (self.0)()
    }
}

impl fmt::Debug for RecordTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RecordTime").field(&self.now()).finish()
    }
}

/// Writes a store's changes to its changelog topic
/// (`<application.id>-<store>-changelog`), on the task's partition.
#[derive(Clone)]
pub struct ChangeLogger {
    collector: Rc<RefCell<dyn RecordCollector>>,
    time: RecordTime,
}

impl ChangeLogger {
    /// A logger sending through `collector`, stamping records with `time`.
    pub fn new(collector: Rc<RefCell<dyn RecordCollector>>, time: RecordTime) -> Self {
        Self { collector, time }
    }

    /// Sends one change (`None` value: a tombstone) to `topic`-`partition`.
    pub fn log(&self, topic: &str, partition: i32, key: &[u8], value: Option<&[u8]>) -> Result<(), StreamsError> {
        let headers = Headers::default();
        let record = OutgoingRecord {
            topic,
            partition: Some(partition),
            key: Some(key),
            value,
            timestamp: self.time.now(),
            headers: &headers,
        };
        let mut collector = self.collector.try_borrow_mut().map_err(|_| StreamsError::Production {
            topic: topic.to_owned(),
            source: "the record collector is in use (a store write from inside a send)".into(),
        })?;
        collector.send(record).map_err(|source| StreamsError::Production {
            topic: topic.to_owned(),
            source,
        })
    }
}

impl fmt::Debug for ChangeLogger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChangeLogger").finish_non_exhaustive()
    }
}

/// The name of a store's changelog topic: `<application.id>-<store>-changelog`.
pub fn changelog_topic(application_id: &str, store: &str) -> String {
    format!("{application_id}-{store}-changelog")
}

/// What a store learns when its task initialises it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StateStoreContext {
    /// The application id.
    pub application_id: Arc<str>,
    /// The task that owns the store.
    pub task_id: TaskId,
    /// The task's state directory (`state.dir/<application.id>/<task id>`).
    pub state_dir: PathBuf,
    /// The application configuration.
    pub config: StreamsConfig,
    /// Where change-logging layers send changes; `None` outside a task.
    pub change_logger: Option<ChangeLogger>,
    /// The record cache of the task's stream thread; `None` disables caching.
    pub cache: Option<ThreadCache>,
    /// The time of the current write.
    pub time: RecordTime,
}

impl StateStoreContext {
    /// The context of a store of `task_id` in `application_id`, with its task
    /// state directory (for store implementations and their tests): default
    /// configuration, no changelog, no cache, time 0.
    pub fn new(application_id: impl Into<Arc<str>>, task_id: TaskId, state_dir: impl Into<PathBuf>) -> Self {
        let application_id = application_id.into();
        Self {
            config: StreamsConfig::new(&*application_id),
            application_id,
            task_id,
            state_dir: state_dir.into(),
            change_logger: None,
            cache: None,
            time: RecordTime::from_fn(|| 0),
        }
    }

    /// With a configuration.
    pub fn with_config(mut self, config: StreamsConfig) -> Self {
        self.config = config;
        self
    }

    /// With a change logger.
    pub fn with_change_logger(mut self, logger: ChangeLogger) -> Self {
        self.change_logger = Some(logger);
        self
    }

    /// With a record cache.
    pub fn with_cache(mut self, cache: ThreadCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// With a source of write times.
    pub fn with_time(mut self, time: RecordTime) -> Self {
        self.time = time;
        self
    }
}

/// An entry a caching store hands downstream when it flushes or evicts it:
/// the latest value of the key since the last flush, and the value the store
/// underneath held before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlushedRecord<K, V> {
    /// The key.
    pub key: K,
    /// The new value; `None` for a delete.
    pub new_value: Option<V>,
    /// The previous value underneath, if any; `None` when the listener was
    /// set without `send_old_values`.
    pub old_value: Option<V>,
    /// Timestamp of the write that set the new value.
    pub timestamp: i64,
}

/// Receives what a caching store flushes (see [`FlushedRecord`]).
pub type FlushListener<K, V> = Box<dyn FnMut(FlushedRecord<K, V>) -> Result<(), StreamsError>>;

/// The lifecycle every store has.
///
/// All methods are called by the owning task, on its thread:
/// `init` once before any processor runs; `flush_cache` at every commit (a
/// caching store hands its dirty entries on to the store underneath and
/// downstream); `flush` before the task writes its checkpoint (it must make
/// every write so far durable, or hand it on to the change-logging layer);
/// `close` once when the task closes, after every processor is closed.
pub trait StateStore: 'static {
    /// The store's name, unique in the topology.
    fn name(&self) -> &str;
    /// Opens the store for the task.
    fn init(&mut self, context: &StateStoreContext) -> Result<(), StreamsError>;
    /// Makes all writes so far durable (cached ones included). Must be idempotent.
    fn flush(&mut self) -> Result<(), StreamsError>;
    /// Hands cached writes on to the store underneath, and to the flush
    /// listener, without making them durable: what every commit does, as
    /// Kafka Streams' `flushCache`. A store without a cache has nothing to do.
    fn flush_cache(&mut self) -> Result<(), StreamsError> {
        Ok(())
    }
    /// Flushes and releases resources. Called once.
    fn close(&mut self) -> Result<(), StreamsError>;
    /// Whether data survives a restart of the process without a changelog restore.
    fn persistent(&self) -> bool;
    /// Whether `init` has run and `close` has not.
    fn is_open(&self) -> bool;
    /// The changelog topic this store writes to, once initialised with logging
    /// enabled; `None` for a store without a changelog.
    fn changelog_topic(&self) -> Option<&str> {
        None
    }
    /// Applies a batch of changelog records (keys and values as the changelog
    /// holds them; a null value deletes) straight to the innermost store,
    /// bypassing caches and the changelog itself.
    fn restore(&mut self, records: &[RawRecord]) -> Result<(), StreamsError> {
        let _ = records;
        Err(StreamsError::Store {
            store: self.name().to_owned(),
            source: "this store cannot restore from a changelog".into(),
        })
    }
    /// Operation counters and latencies, for a metered store.
    fn metrics(&self) -> Option<StoreMetrics> {
        None
    }
}

/// An iterator over key-value pairs; each item may fail to deserialize.
pub type KeyValueIter<'a, K, V> = Box<dyn Iterator<Item = Result<(K, V), StreamsError>> + 'a>;

/// A typed key-value store. Keys are ordered by their serialized bytes (the
/// order RocksDB gives), and range bounds are inclusive.
pub trait KeyValueStore<K, V>: StateStore {
    /// The value for `key`, if any.
    fn get(&self, key: &K) -> Result<Option<V>, StreamsError>;
    /// Sets the value for `key`.
    fn put(&mut self, key: &K, value: &V) -> Result<(), StreamsError>;
    /// Sets the value only if `key` has none; returns the existing value, if any.
    fn put_if_absent(&mut self, key: &K, value: &V) -> Result<Option<V>, StreamsError>;
    /// Sets every pair, in order.
    fn put_all(&mut self, entries: &[(K, V)]) -> Result<(), StreamsError>;
    /// Removes `key`; returns the old value, if any.
    fn delete(&mut self, key: &K) -> Result<Option<V>, StreamsError>;
    /// Pairs with `from <= key <= to` (an absent bound is open), ascending.
    /// Empty if `from > to`.
    fn range(&self, from: Option<&K>, to: Option<&K>) -> Result<KeyValueIter<'_, K, V>, StreamsError>;
    /// Pairs whose serialized key starts with the serialized `prefix`,
    /// ascending. Serialize the prefix with the key's serde (or any serde whose
    /// bytes are a prefix of the key's, as Kafka's `prefixScan` allows).
    fn prefix_scan(&self, prefix: &[u8]) -> Result<KeyValueIter<'_, K, V>, StreamsError>;
    /// The same pairs as `range`, descending.
    fn reverse_range(&self, from: Option<&K>, to: Option<&K>) -> Result<KeyValueIter<'_, K, V>, StreamsError>;
    /// Every pair, ascending.
    fn all(&self) -> Result<KeyValueIter<'_, K, V>, StreamsError> {
        self.range(None, None)
    }
    /// Every pair, descending.
    fn reverse_all(&self) -> Result<KeyValueIter<'_, K, V>, StreamsError> {
        self.reverse_range(None, None)
    }
    /// An estimate of the number of pairs.
    fn approximate_num_entries(&self) -> Result<u64, StreamsError>;
    /// With caching enabled, sets the receiver of flushed entries and returns
    /// `true`; a store without a cache ignores it and returns `false` (its
    /// writes are visible at once).
    ///
    /// With `send_old_values`, each flushed record carries the value the
    /// store underneath held before ([`FlushedRecord::old_value`]); without
    /// it, `old_value` is `None` and the store reads the old value only for
    /// deletes, to drop a delete of a key it never held, as Kafka Streams'
    /// `setFlushListener(listener, sendOldValues)` does.
    fn set_flush_listener(&mut self, listener: FlushListener<K, V>, send_old_values: bool) -> bool {
        drop(listener);
        let _ = send_old_values;
        false
    }
}

/// A store built for one task: its lifecycle for the engine, and the typed
/// handle processors ask for.
pub struct BuiltStore {
    pub(crate) lifecycle: Rc<RefCell<dyn StateStore>>,
    pub(crate) handle: Rc<dyn Any>,
}

impl BuiltStore {
    /// Wraps a key-value store; processors reach it as [`KeyValueStoreHandle<K, V>`].
    pub fn key_value<K: 'static, V: 'static, S: KeyValueStore<K, V>>(store: S) -> Self {
        let name: Arc<str> = store.name().into();
        let cell = Rc::new(RefCell::new(store));
        let typed: Rc<RefCell<dyn KeyValueStore<K, V>>> = cell.clone();
        Self {
            lifecycle: cell,
            handle: Rc::new(KeyValueStoreHandle::new(name, typed)),
        }
    }

    /// Wraps a window store; processors reach it as [`WindowStoreHandle<K, V>`].
    pub fn window<K: 'static, V: 'static, S: WindowStore<K, V>>(store: S) -> Self {
        let name: Arc<str> = store.name().into();
        let cell = Rc::new(RefCell::new(store));
        let typed: Rc<RefCell<dyn WindowStore<K, V>>> = cell.clone();
        Self {
            lifecycle: cell,
            handle: Rc::new(WindowStoreHandle::new(name, typed)),
        }
    }

    /// Wraps a session store; processors reach it as [`SessionStoreHandle<K, V>`].
    pub fn session<K: 'static, V: 'static, S: SessionStore<K, V>>(store: S) -> Self {
        let name: Arc<str> = store.name().into();
        let cell = Rc::new(RefCell::new(store));
        let typed: Rc<RefCell<dyn SessionStore<K, V>>> = cell.clone();
        Self {
            lifecycle: cell,
            handle: Rc::new(SessionStoreHandle::new(name, typed)),
        }
    }

    /// Wraps any other store; processors reach it as [`StoreHandle<S>`].
    pub fn custom<S: StateStore>(store: S) -> Self {
        let name: Arc<str> = store.name().into();
        let cell = Rc::new(RefCell::new(store));
        Self {
            lifecycle: cell.clone(),
            handle: Rc::new(StoreHandle::new(name, cell)),
        }
    }
}

/// Builds a fresh store for each task that uses it.
///
/// Shared by every thread, hence `Send + Sync`; `build` is called once per task
/// when the task is created.
pub trait StoreBuilder: Send + Sync + 'static {
    /// The store's name, unique in the topology.
    fn name(&self) -> &str;
    /// A new, unopened store.
    fn build(&self) -> BuiltStore;
    /// The changelog the store writes and restores from, so that the Kafka
    /// runtime can create it before any task starts; `None` (the default)
    /// for a store without one. Called once at start-up.
    fn changelog(&self) -> Option<ChangelogSpec> {
        None
    }
}

/// The changelog topic of a store, as the Kafka runtime must prepare it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChangelogSpec {
    /// `<application.id>-<store>-changelog`, created with as many partitions
    /// as the store's sub-topology has tasks. Key-value stores' changelogs are
    /// compacted; window and session stores' (`windowed_retention_ms` set) are
    /// `compact,delete` with `retention.ms` = the store's retention +
    /// `windowstore.changelog.additional.retention.ms`, as in Kafka Streams.
    Internal {
        /// Topic configs given by the user; they override the defaults above.
        config: std::collections::BTreeMap<String, String>,
        /// The retention of a window or session store, in ms.
        windowed_retention_ms: Option<i64>,
    },
    /// An existing topic the store restores from and never writes (a table
    /// reading its source topic as its changelog).
    Source {
        /// The topic.
        topic: String,
    },
}
