//! The handles processors (and the test driver) use to reach a store.

use std::cell::{Ref, RefCell, RefMut};
use std::rc::Rc;
use std::sync::Arc;

use super::{KeyValueStore, SessionStore, WindowStore, Windowed};
use crate::error::StreamsError;
use crate::serde::Serde;

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
    pub(super) fn new(name: Arc<str>, inner: Rc<RefCell<dyn KeyValueStore<K, V>>>) -> Self {
        Self { name, inner }
    }

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

    /// Pairs whose key starts with `prefix` serialized by `serde`, collected.
    pub fn prefix_scan<P>(&self, prefix: &P, serde: &impl Serde<P>) -> Result<Vec<(K, V)>, StreamsError> {
        let bytes = serde.serialize(&self.name, prefix).map_err(|e| StreamsError::Store {
            store: self.name.to_string(),
            source: e.into(),
        })?;
        self.read()?
            .prefix_scan(bytes.as_deref().unwrap_or_default())?
            .collect()
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
    pub(super) fn new(name: Arc<str>, inner: Rc<RefCell<S>>) -> Self {
        Self { name, inner }
    }

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

/// A processor's (or the test driver's) handle on a window store. Same
/// borrowing rules as [`KeyValueStoreHandle`].
pub struct WindowStoreHandle<K, V> {
    name: Arc<str>,
    inner: Rc<RefCell<dyn WindowStore<K, V>>>,
}

impl<K, V> Clone for WindowStoreHandle<K, V> {
    fn clone(&self) -> Self {
        Self {
            name: Arc::clone(&self.name),
            inner: Rc::clone(&self.inner),
        }
    }
}

impl<K: 'static, V: 'static> WindowStoreHandle<K, V> {
    pub(super) fn new(name: Arc<str>, inner: Rc<RefCell<dyn WindowStore<K, V>>>) -> Self {
        Self { name, inner }
    }

    /// The store's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A read guard, for iteration.
    pub fn read(&self) -> Result<Ref<'_, dyn WindowStore<K, V>>, StreamsError> {
        self.inner.try_borrow().map_err(|_| busy(&self.name))
    }

    /// A write guard.
    pub fn write(&self) -> Result<RefMut<'_, dyn WindowStore<K, V>>, StreamsError> {
        self.inner.try_borrow_mut().map_err(|_| busy(&self.name))
    }

    /// See [`WindowStore::put`].
    pub fn put(&self, key: &K, value: Option<&V>, window_start: i64) -> Result<(), StreamsError> {
        self.write()?.put(key, value, window_start)
    }

    /// See [`WindowStore::fetch_one`].
    pub fn fetch_one(&self, key: &K, window_start: i64) -> Result<Option<V>, StreamsError> {
        self.read()?.fetch_one(key, window_start)
    }

    /// See [`WindowStore::fetch`], collected.
    pub fn fetch(&self, key: &K, time_from: i64, time_to: i64) -> Result<Vec<(i64, V)>, StreamsError> {
        self.read()?.fetch(key, time_from, time_to)?.collect()
    }

    /// Every live window, collected.
    pub fn all(&self) -> Result<Vec<(Windowed<K>, V)>, StreamsError> {
        self.read()?.all()?.collect()
    }
}

/// A processor's (or the test driver's) handle on a session store. Same
/// borrowing rules as [`KeyValueStoreHandle`].
pub struct SessionStoreHandle<K, V> {
    name: Arc<str>,
    inner: Rc<RefCell<dyn SessionStore<K, V>>>,
}

impl<K, V> Clone for SessionStoreHandle<K, V> {
    fn clone(&self) -> Self {
        Self {
            name: Arc::clone(&self.name),
            inner: Rc::clone(&self.inner),
        }
    }
}

impl<K: 'static, V: 'static> SessionStoreHandle<K, V> {
    pub(super) fn new(name: Arc<str>, inner: Rc<RefCell<dyn SessionStore<K, V>>>) -> Self {
        Self { name, inner }
    }

    /// The store's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A read guard, for iteration.
    pub fn read(&self) -> Result<Ref<'_, dyn SessionStore<K, V>>, StreamsError> {
        self.inner.try_borrow().map_err(|_| busy(&self.name))
    }

    /// A write guard.
    pub fn write(&self) -> Result<RefMut<'_, dyn SessionStore<K, V>>, StreamsError> {
        self.inner.try_borrow_mut().map_err(|_| busy(&self.name))
    }

    /// See [`SessionStore::put`].
    pub fn put(&self, session: &Windowed<K>, value: &V) -> Result<(), StreamsError> {
        self.write()?.put(session, value)
    }

    /// See [`SessionStore::remove`].
    pub fn remove(&self, session: &Windowed<K>) -> Result<(), StreamsError> {
        self.write()?.remove(session)
    }

    /// See [`SessionStore::find_sessions`], collected.
    pub fn find_sessions(
        &self,
        key: &K,
        earliest_session_end: i64,
        latest_session_start: i64,
    ) -> Result<Vec<(Windowed<K>, V)>, StreamsError> {
        self.read()?
            .find_sessions(key, earliest_session_end, latest_session_start)?
            .collect()
    }

    /// Every live session of `key`, collected.
    pub fn fetch(&self, key: &K) -> Result<Vec<(Windowed<K>, V)>, StreamsError> {
        self.read()?.fetch(key)?.collect()
    }
}
