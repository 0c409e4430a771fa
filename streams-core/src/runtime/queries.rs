//! Interactive queries: read-only views of the stores of this instance's
//! running tasks, from any thread.
//!
//! A task's stores belong to its stream thread (they are not `Send`), so a
//! query is sent to every stream thread as a job, which the thread runs
//! between two batches of records (within `poll.ms`) against each of its
//! running tasks; the answers come back over a channel. A view holds no
//! store: it stays valid across rebalances, and sees whichever tasks the
//! instance runs when it is asked.

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::thread::ThreadShared;
use crate::engine::{StreamTask, TaskId, TaskState};
use crate::error::StreamsError;
use crate::store::{KeyValueStoreHandle, SessionStoreHandle, ValueAndTimestamp, Window, WindowStoreHandle, Windowed};

/// A query a stream thread runs against its tasks.
pub(crate) type QueryJob = Box<dyn FnOnce(&BTreeMap<TaskId, StreamTask>) + Send>;

/// The live stream threads of the instance, asked anew at each query (so a
/// view outlives thread replacements).
pub(crate) type Threads = Arc<dyn Fn() -> Vec<Arc<ThreadShared>> + Send + Sync>;

/// What a task answered: `None` when it has no such store.
type Answer<R> = Option<Result<R, StreamsError>>;

/// Runs `f` on every running task of every thread; the answers of the tasks
/// that have the store, in task order.
fn query<R: Send + 'static>(
    threads: &[Arc<ThreadShared>],
    store: &str,
    timeout: Duration,
    f: impl Fn(&StreamTask) -> Answer<R> + Send + Sync + 'static,
) -> Result<Vec<R>, StreamsError> {
    let f = Arc::new(f);
    let (tx, rx) = mpsc::channel::<Vec<(TaskId, Answer<R>)>>();
    let mut asked = 0;
    for t in threads {
        let (f, tx) = (Arc::clone(&f), tx.clone());
        let job: QueryJob = Box::new(move |tasks| {
            let answers = tasks
                .iter()
                .filter(|(_, t)| t.state() == TaskState::Running)
                .map(|(id, t)| (*id, f(t)))
                .collect();
            let _ = tx.send(answers);
        });
        if let Ok(mut q) = t.queries.lock() {
            q.push(job);
            asked += 1;
        }
    }
    drop(tx);
    let deadline = Instant::now() + timeout;
    let mut answers = Vec::new();
    for _ in 0..asked {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(a) => answers.extend(a),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(StreamsError::Timeout {
                    what: format!("querying store {store}"),
                    timeout_ms: timeout.as_millis() as u64,
                });
            }
        }
    }
    answers.sort_by_key(|(id, _)| *id);
    let found: Vec<Result<R, StreamsError>> = answers.into_iter().filter_map(|(_, a)| a).collect();
    if found.is_empty() {
        return Err(StreamsError::Store {
            store: store.to_owned(),
            source: "no running task of this instance has this store with these types (it may be migrating; retry)"
                .into(),
        });
    }
    found.into_iter().collect()
}

/// What every view holds: the store's name and how to reach the threads.
struct View<K, V> {
    name: Arc<str>,
    threads: Threads,
    timeout: Duration,
    _types: PhantomData<fn() -> (K, V)>,
}

impl<K, V> View<K, V> {
    fn new(name: &str, threads: Threads, timeout: Duration) -> Self {
        Self {
            name: name.into(),
            threads,
            timeout,
            _types: PhantomData,
        }
    }

    /// Runs `f` on every running task (see [`query`]).
    fn query<R: Send + 'static>(
        &self,
        f: impl Fn(&StreamTask) -> Answer<R> + Send + Sync + 'static,
    ) -> Result<Vec<R>, StreamsError> {
        query(&(self.threads)(), &self.name, self.timeout, f)
    }
}

/// A read-only view of a key-value store (plain or timestamped) across the
/// instance's running tasks. Kafka Streams' `ReadOnlyKeyValueStore`.
pub struct ReadOnlyKeyValueStore<K, V>(View<K, V>);

impl<K: Clone + Send + Sync + 'static, V: Send + 'static> ReadOnlyKeyValueStore<K, V> {
    pub(crate) fn new(name: &str, threads: Threads, timeout: Duration) -> Self {
        Self(View::new(name, threads, timeout))
    }

    /// Runs `plain` on a plain store or `stamped` on a timestamped one.
    fn run<R: Send + 'static>(
        &self,
        plain: impl Fn(&KeyValueStoreHandle<K, V>) -> Result<R, StreamsError> + Send + Sync + 'static,
        stamped: impl Fn(&KeyValueStoreHandle<K, ValueAndTimestamp<V>>) -> Result<R, StreamsError> + Send + Sync + 'static,
    ) -> Result<Vec<R>, StreamsError> {
        let name = Arc::clone(&self.0.name);
        self.0.query(move |task| {
            if let Some(h) = task.store::<KeyValueStoreHandle<K, V>>(&name) {
                return Some(plain(&h));
            }
            task.store::<KeyValueStoreHandle<K, ValueAndTimestamp<V>>>(&name)
                .map(|h| stamped(&h))
        })
    }

    /// The value of `key`, from whichever local task holds it.
    pub fn get(&self, key: &K) -> Result<Option<V>, StreamsError> {
        let (k1, k2) = (key.clone(), key.clone());
        let found = self.run(move |h| h.get(&k1), move |h| Ok(h.get(&k2)?.map(|v| v.value)))?;
        Ok(found.into_iter().flatten().next())
    }

    /// Every pair of every local task (each task's pairs in key order, tasks in id order).
    pub fn all(&self) -> Result<Vec<(K, V)>, StreamsError> {
        let found: Vec<Vec<(K, V)>> = self.run(
            |h| h.all(),
            |h| Ok(h.all()?.into_iter().map(|(k, v)| (k, v.value)).collect()),
        )?;
        Ok(found.into_iter().flatten().collect())
    }

    /// Pairs with `from <= key <= to` (inclusive; `None` is open), per task.
    pub fn range(&self, from: Option<&K>, to: Option<&K>) -> Result<Vec<(K, V)>, StreamsError> {
        let (f1, t1) = (from.cloned(), to.cloned());
        let (f2, t2) = (f1.clone(), t1.clone());
        let found: Vec<Vec<(K, V)>> = self.run(
            move |h| h.read()?.range(f1.as_ref(), t1.as_ref())?.collect(),
            move |h| {
                h.read()?
                    .range(f2.as_ref(), t2.as_ref())?
                    .map(|r| r.map(|(k, v)| (k, v.value)))
                    .collect()
            },
        )?;
        Ok(found.into_iter().flatten().collect())
    }

    /// The estimated number of pairs, summed over the local tasks.
    pub fn approximate_num_entries(&self) -> Result<u64, StreamsError> {
        let found = self.run(|h| h.approximate_num_entries(), |h| h.approximate_num_entries())?;
        Ok(found.into_iter().sum())
    }
}

/// A read-only view of a window store across the instance's running tasks.
pub struct ReadOnlyWindowStore<K, V>(View<K, V>);

impl<K: Clone + Send + Sync + 'static, V: Send + 'static> ReadOnlyWindowStore<K, V> {
    pub(crate) fn new(name: &str, threads: Threads, timeout: Duration) -> Self {
        Self(View::new(name, threads, timeout))
    }

    /// The windows of `key` starting in `[time_from, time_to]`: (start, value).
    pub fn fetch(&self, key: &K, time_from: i64, time_to: i64) -> Result<Vec<(i64, V)>, StreamsError> {
        let (name, key) = (Arc::clone(&self.0.name), key.clone());
        let found = self.0.query(move |task| {
            task.store::<WindowStoreHandle<K, V>>(&name)
                .map(|h| h.fetch(&key, time_from, time_to))
        })?;
        Ok(found.into_iter().flatten().collect())
    }

    /// Every window of every local task.
    pub fn all(&self) -> Result<Vec<(Windowed<K>, V)>, StreamsError> {
        let name = Arc::clone(&self.0.name);
        let found = self
            .0
            .query(move |task| task.store::<WindowStoreHandle<K, V>>(&name).map(|h| h.all()))?;
        Ok(found.into_iter().flatten().collect())
    }
}

/// A read-only view of a session store across the instance's running tasks.
pub struct ReadOnlySessionStore<K, V>(View<K, V>);

impl<K: Clone + Send + Sync + 'static, V: Send + 'static> ReadOnlySessionStore<K, V> {
    pub(crate) fn new(name: &str, threads: Threads, timeout: Duration) -> Self {
        Self(View::new(name, threads, timeout))
    }

    /// Every session of `key`, oldest first.
    pub fn fetch(&self, key: &K) -> Result<Vec<(Window, V)>, StreamsError> {
        let (name, key) = (Arc::clone(&self.0.name), key.clone());
        let found = self.0.query(move |task| {
            task.store::<SessionStoreHandle<K, V>>(&name).map(|h| {
                h.fetch(&key)
                    .map(|v| v.into_iter().map(|(w, v)| (w.window, v)).collect::<Vec<_>>())
            })
        })?;
        Ok(found.into_iter().flatten().collect())
    }
}
