//! State-store traits, the handles processors use, and a simple in-memory
//! key-value store.
//!
//! A task owns its stores. The engine drives each store's [`StateStore`]
//! lifecycle (init before processors, flush on commit, close after processors);
//! processors reach a store through a handle registered by its
//! [`StoreBuilder`], such as [`KeyValueStoreHandle`]. Store implementations
//! with RocksDB, caching and change-logging live in the `state-stores` crate and
//! implement these same traits.

mod in_memory;

use std::any::Any;
use std::cell::{Ref, RefCell, RefMut};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

pub use in_memory::{InMemoryKeyValueStore, InMemoryKeyValueStoreBuilder};

use crate::engine::TaskId;
use crate::error::StreamsError;

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
}

impl StateStoreContext {
    /// The context of a store of `task_id` in `application_id`, with its task
    /// state directory (for store implementations and their tests).
    pub fn new(application_id: impl Into<Arc<str>>, task_id: TaskId, state_dir: impl Into<PathBuf>) -> Self {
        Self {
            application_id: application_id.into(),
            task_id,
            state_dir: state_dir.into(),
        }
    }
}

/// The lifecycle every store has.
///
/// All methods are called by the owning task, on its thread:
/// `init` once before any processor runs; `flush` at every commit (it must make
/// every write so far durable, or hand it on to the change-logging layer);
/// `close` once when the task closes, after every processor is closed.
pub trait StateStore: 'static {
    /// The store's name, unique in the topology.
    fn name(&self) -> &str;
    /// Opens the store for the task.
    fn init(&mut self, context: &StateStoreContext) -> Result<(), StreamsError>;
    /// Makes all writes so far durable. Must be idempotent.
    fn flush(&mut self) -> Result<(), StreamsError>;
    /// Flushes and releases resources. Called once.
    fn close(&mut self) -> Result<(), StreamsError>;
    /// Whether data survives a restart of the process without a changelog restore.
    fn persistent(&self) -> bool;
    /// Whether `init` has run and `close` has not.
    fn is_open(&self) -> bool;
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
            handle: Rc::new(KeyValueStoreHandle { name, inner: typed }),
        }
    }

    /// Wraps any other store; processors reach it as [`StoreHandle<S>`].
    pub fn custom<S: StateStore>(store: S) -> Self {
        let name: Arc<str> = store.name().into();
        let cell = Rc::new(RefCell::new(store));
        Self {
            lifecycle: cell.clone(),
            handle: Rc::new(StoreHandle { name, inner: cell }),
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
}

fn busy(name: &str) -> StreamsError {
    StreamsError::StoreBusy { store: name.to_owned() }
}

/// A processor's (or the test driver's) handle on a key-value store.
///
/// Each method borrows the store for the duration of the call. To iterate, take
/// a [`read`](Self::read) guard; do not hold a guard across a `forward`, as a
/// downstream processor may use the same store (that use would get
/// [`StreamsError::StoreBusy`]).
pub struct KeyValueStoreHandle<K, V> {
    name: Arc<str>,
    inner: Rc<RefCell<dyn KeyValueStore<K, V>>>,
}

impl<K, V> Clone for KeyValueStoreHandle<K, V> {
    fn clone(&self) -> Self {
        Self {
            name: Arc::clone(&self.name),
            inner: Rc::clone(&self.inner),
        }
    }
}

impl<K: 'static, V: 'static> KeyValueStoreHandle<K, V> {
    /// The store's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A read guard, for iteration.
    pub fn read(&self) -> Result<Ref<'_, dyn KeyValueStore<K, V>>, StreamsError> {
        self.inner.try_borrow().map_err(|_| busy(&self.name))
    }

    /// A write guard.
    pub fn write(&self) -> Result<RefMut<'_, dyn KeyValueStore<K, V>>, StreamsError> {
        self.inner.try_borrow_mut().map_err(|_| busy(&self.name))
    }

    /// See [`KeyValueStore::get`].
    pub fn get(&self, key: &K) -> Result<Option<V>, StreamsError> {
        self.read()?.get(key)
    }

    /// See [`KeyValueStore::put`].
    pub fn put(&self, key: &K, value: &V) -> Result<(), StreamsError> {
        self.write()?.put(key, value)
    }

    /// See [`KeyValueStore::put_if_absent`].
    pub fn put_if_absent(&self, key: &K, value: &V) -> Result<Option<V>, StreamsError> {
        self.write()?.put_if_absent(key, value)
    }

    /// See [`KeyValueStore::put_all`].
    pub fn put_all(&self, entries: &[(K, V)]) -> Result<(), StreamsError> {
        self.write()?.put_all(entries)
    }

    /// See [`KeyValueStore::delete`].
    pub fn delete(&self, key: &K) -> Result<Option<V>, StreamsError> {
        self.write()?.delete(key)
    }

    /// Every pair, ascending, collected (for small stores and tests; iterate a
    /// [`read`](Self::read) guard for large ones).
    pub fn all(&self) -> Result<Vec<(K, V)>, StreamsError> {
        self.read()?.all()?.collect()
    }

    /// See [`KeyValueStore::approximate_num_entries`].
    pub fn approximate_num_entries(&self) -> Result<u64, StreamsError> {
        self.read()?.approximate_num_entries()
    }
}

/// A handle on a store of a user-defined type `S`.
pub struct StoreHandle<S> {
    name: Arc<str>,
    inner: Rc<RefCell<S>>,
}

impl<S> Clone for StoreHandle<S> {
    fn clone(&self) -> Self {
        Self {
            name: Arc::clone(&self.name),
            inner: Rc::clone(&self.inner),
        }
    }
}

impl<S: 'static> StoreHandle<S> {
    /// The store's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A read guard.
    pub fn read(&self) -> Result<Ref<'_, S>, StreamsError> {
        self.inner.try_borrow().map_err(|_| busy(&self.name))
    }

    /// A write guard.
    pub fn write(&self) -> Result<RefMut<'_, S>, StreamsError> {
        self.inner.try_borrow_mut().map_err(|_| busy(&self.name))
    }
}
