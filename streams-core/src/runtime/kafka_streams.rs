//! `KafkaStreams`: the client that runs a topology on a Kafka cluster.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::embedded::EmbeddedBroker;
use super::metadata::{GroupMember, KeyQueryMetadata, default_partition};
use super::metrics::ThreadMetrics;
use super::queries::{ReadOnlyKeyValueStore, ReadOnlySessionStore, ReadOnlyWindowStore};
use super::restore::StateRestoreListener;
use super::state::{State, ThreadFailureResponse};
use super::thread::{self, ThreadShared, ThreadSpec, ThreadState};
use super::topic_ready::await_topics_ready;
use super::topics::{ClusterAdmin, KafkaAdmin, TopicPlan};
use super::wake::Wake;
use crate::config::{StreamsConfig, keys};
use crate::engine::TaskId;
use crate::error::StreamsError;
use crate::topology::Topology;

/// How long an interactive query waits for the stream threads to answer.
const QUERY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long start-up looks for a missing source topic (one created just
/// before start that the metadata does not show yet) before failing.
const SOURCE_TOPIC_GRACE: Duration = Duration::from_secs(5);

/// The longest the supervisor sleeps without a state change to wake it.
const SUPERVISOR_TIMEOUT: Duration = Duration::from_secs(1);

type StateListener = Box<dyn Fn(State, State) + Send + Sync>;
type ErrorHandler = Box<dyn Fn(&StreamsError) -> ThreadFailureResponse + Send + Sync>;

/// Runs a [`Topology`] on Kafka: `num.stream.threads` stream threads in the
/// consumer group `application.id`, each running the tasks of the partitions
/// the group gives it. Start the same binary on more machines to spread the
/// partitions; Kafka moves tasks between instances, and their state follows
/// through the changelog topics.
///
/// ```no_run
/// use std::time::Duration;
/// use streams_core::prelude::*;
/// use streams_core::runtime::{KafkaStreams, State};
///
/// # fn topology() -> Topology { Topology::new() }
/// let config = StreamsConfig::new("word-count").with_bootstrap_servers("127.0.0.1:9092");
/// let streams = KafkaStreams::new(topology(), config)?;
/// streams.set_state_listener(|old, new| println!("{old} -> {new}"));
/// streams.start()?;
/// streams.wait_for_state(State::Running, Duration::from_secs(60));
/// // ...
/// streams.close(Duration::from_secs(30));
/// # Ok::<(), streams_core::StreamsError>(())
/// ```
pub struct KafkaStreams {
    inner: Arc<Inner>,
}

struct Inner {
    topology: Arc<Topology>,
    config: StreamsConfig,
    admin: Arc<dyn ClusterAdmin>,
    state: Mutex<State>,
    changed: Condvar,
    listener: Mutex<Option<StateListener>>,
    error_handler: Mutex<Option<ErrorHandler>>,
    restore_listener: Mutex<Option<Arc<dyn StateRestoreListener>>>,
    threads: Mutex<Vec<ThreadEntry>>,
    next_thread: Mutex<usize>,
    errors: Mutex<Vec<String>>,
    supervisor: Mutex<Option<JoinHandle<()>>>,
    /// Raised by every thread and client state change: the supervisor's
    /// alarm clock.
    wake: Arc<Wake>,
}

struct ThreadEntry {
    shared: Arc<ThreadShared>,
    handle: Option<JoinHandle<Result<(), StreamsError>>>,
}

impl KafkaStreams {
    /// A client for `topology` on the cluster of `bootstrap.servers`.
    /// Checks the configuration (unknown keys, invalid values) and the
    /// topology now; nothing connects until [`start`](Self::start).
    pub fn new(topology: Topology, config: StreamsConfig) -> Result<Self, StreamsError> {
        config.validate_for_runtime()?;
        if config.bootstrap_servers().is_none() {
            return Err(StreamsError::Config {
                key: keys::BOOTSTRAP_SERVERS.into(),
                reason: "not set (or use KafkaStreams::with_embedded_broker)".into(),
            });
        }
        let admin = Arc::new(KafkaAdmin::new(&config)?);
        Self::with_admin(topology, config, admin)
    }

    /// A client on an [`EmbeddedBroker`]: `bootstrap.servers` is set to it,
    /// and internal topics are created through it.
    pub fn with_embedded_broker(
        topology: Topology,
        config: StreamsConfig,
        broker: Arc<EmbeddedBroker>,
    ) -> Result<Self, StreamsError> {
        let config = config.with_bootstrap_servers(broker.bootstrap_servers());
        config.validate_for_runtime()?;
        Self::with_admin(topology, config, broker)
    }

    /// A client that prepares topics through `admin`.
    pub fn with_admin(
        mut topology: Topology,
        config: StreamsConfig,
        admin: Arc<dyn ClusterAdmin>,
    ) -> Result<Self, StreamsError> {
        config.validate_for_runtime()?;
        topology.validate()?;
        topology.bind_application_id(config.application_id());
        Ok(Self {
            inner: Arc::new(Inner {
                topology: Arc::new(topology),
                config,
                admin,
                state: Mutex::new(State::Created),
                changed: Condvar::new(),
                listener: Mutex::new(None),
                error_handler: Mutex::new(None),
                restore_listener: Mutex::new(None),
                threads: Mutex::new(Vec::new()),
                next_thread: Mutex::new(1),
                errors: Mutex::new(Vec::new()),
                supervisor: Mutex::new(None),
                wake: Arc::new(Wake::default()),
            }),
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &StreamsConfig {
        &self.inner.config
    }

    /// Calls `listener(old, new)` on every state change (on the thread that
    /// made it). Replaces an earlier listener.
    pub fn set_state_listener(&self, listener: impl Fn(State, State) + Send + Sync + 'static) {
        if let Ok(mut l) = self.inner.listener.lock() {
            *l = Some(Box::new(listener));
        }
    }

    /// Decides what happens when a stream thread fails. Default:
    /// [`ThreadFailureResponse::ShutdownClient`].
    pub fn set_uncaught_exception_handler(
        &self,
        handler: impl Fn(&StreamsError) -> ThreadFailureResponse + Send + Sync + 'static,
    ) {
        if let Ok(mut h) = self.inner.error_handler.lock() {
            *h = Some(Box::new(handler));
        }
    }

    /// Hears restore progress of every store. Set before `start`.
    pub fn set_global_state_restore_listener(&self, listener: impl StateRestoreListener + 'static) {
        if let Ok(mut l) = self.inner.restore_listener.lock() {
            *l = Some(Arc::new(listener));
        }
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.inner.state()
    }

    /// Waits until the state is `state`; false if `timeout` passed first or
    /// the client stopped (`NOT_RUNNING`, `ERROR`) in another state.
    pub fn wait_for_state(&self, state: State, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let Ok(mut current) = self.inner.state.lock() else {
            return false;
        };
        loop {
            if *current == state {
                return true;
            }
            if matches!(*current, State::NotRunning | State::Error) {
                return false;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            current = match self.inner.changed.wait_timeout(current, left) {
                Ok((guard, _)) => guard,
                Err(_) => return false,
            };
        }
    }

    /// Checks the topics (source topics must exist; internal topics are
    /// created, or checked for their partition counts), waits until the
    /// cluster's metadata shows all of them with every partition led, then
    /// starts the stream threads. Fails, leaving the client `CREATED`, if the
    /// cluster cannot be reached or the topics are not ready within
    /// `default.api.timeout.ms`, or a topic is wrong.
    pub fn start(&self) -> Result<(), StreamsError> {
        let inner = &self.inner;
        if inner.state() != State::Created {
            return Err(StreamsError::IllegalClientState {
                from: inner.state().name(),
                to: State::Rebalancing.name(),
            });
        }
        let timeout = Duration::from_millis(inner.config.get_number(keys::DEFAULT_API_TIMEOUT_MS, 60_000)?);
        let backoff = Duration::from_millis(inner.config.get_number("retry.backoff.ms", 100)?);
        let (existing, plan) = self.plan_topics(timeout, backoff)?;
        let create = plan.to_create(&existing);
        if !create.is_empty() {
            tracing::info!(topics = %create.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(","), "creating internal topics");
            inner.admin.create_topics(&create, timeout)?;
        }
        // No consumer subscribes before every topic it reads or restores
        // from is in the metadata with its partitions led (see topic_ready.rs).
        let mut expected: BTreeMap<String, i32> =
            plan.internal.iter().map(|t| (t.name.clone(), t.partitions)).collect();
        for topic in inner
            .topology
            .subtopologies()
            .iter()
            .flat_map(|s| s.source_topics.iter())
        {
            if let Some(&n) = existing.get(topic) {
                expected.entry(topic.clone()).or_insert(n);
            }
        }
        await_topics_ready(inner.admin.as_ref(), &expected, timeout, backoff)?;
        inner.transition_to(State::Rebalancing)?;
        for _ in 0..inner.config.num_stream_threads() {
            Inner::spawn_thread(inner)?;
        }
        let supervised = Arc::clone(inner);
        let supervisor = std::thread::Builder::new()
            .name(format!("{}-supervisor", inner.config.application_id()))
            .spawn(move || supervised.supervise())
            .map_err(|e| StreamsError::Config {
                key: keys::NUM_STREAM_THREADS.into(),
                reason: format!("cannot start a thread: {e}"),
            })?;
        if let Ok(mut s) = inner.supervisor.lock() {
            *s = Some(supervisor);
        }
        Ok(())
    }

    /// Reads the cluster's partition counts and plans the topics. A source
    /// topic created just before start may not show in the metadata yet: a
    /// missing one is looked for again, every `backoff`, for up to
    /// [`SOURCE_TOPIC_GRACE`] (at most `timeout`), before it is an error.
    fn plan_topics(
        &self,
        timeout: Duration,
        backoff: Duration,
    ) -> Result<(HashMap<String, i32>, TopicPlan), StreamsError> {
        let inner = &self.inner;
        let grace = Instant::now() + SOURCE_TOPIC_GRACE.min(timeout);
        loop {
            let existing = inner.admin.partition_counts(timeout)?;
            match TopicPlan::new(&inner.topology, &inner.config, &existing) {
                Ok(plan) => return Ok((existing, plan)),
                Err(StreamsError::MissingSourceTopics { .. }) if Instant::now() + backoff < grace => {
                    std::thread::sleep(backoff);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Stops the threads (each commits and closes its tasks, then leaves the
    /// group) and waits up to `timeout`. Returns whether everything stopped
    /// in time. The client ends `NOT_RUNNING` (or `ERROR` after a failure).
    pub fn close(&self, timeout: Duration) -> bool {
        self.inner.close(timeout)
    }

    /// Deletes this application's local state (`state.dir/<application.id>`).
    /// Only while not running (`CREATED`, `NOT_RUNNING` or `ERROR`).
    pub fn cleanup(&self) -> Result<(), StreamsError> {
        let state = self.state();
        if state.is_running_or_rebalancing() || state == State::PendingShutdown || state == State::PendingError {
            return Err(StreamsError::IllegalClientState {
                from: state.name(),
                to: "cleanup",
            });
        }
        let dir = self.inner.config.state_dir().join(self.inner.config.application_id());
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StreamsError::Config {
                key: keys::STATE_DIR.into(),
                reason: format!("cannot delete {}: {e}", dir.display()),
            }),
        }
    }

    /// A snapshot of every live thread's metrics.
    pub fn metrics(&self) -> Vec<ThreadMetrics> {
        self.inner.statuses().into_iter().map(|(_, s)| s.metrics).collect()
    }

    /// The tasks each live thread runs, by thread name.
    pub fn tasks(&self) -> HashMap<String, Vec<TaskId>> {
        self.inner
            .statuses()
            .into_iter()
            .map(|(name, s)| (name, s.tasks))
            .collect()
    }

    /// A read-only view of key-value store `name` (plain, or timestamped as
    /// the DSL's tables, whose values it returns without their timestamps)
    /// across this instance's running tasks. Kafka Streams'
    /// `store(StoreQueryParameters.fromNameAndType(name, keyValueStore()))`.
    pub fn key_value_store<K: Clone + Send + Sync + 'static, V: Send + 'static>(
        &self,
        name: &str,
    ) -> ReadOnlyKeyValueStore<K, V> {
        ReadOnlyKeyValueStore::new(name, self.threads(), QUERY_TIMEOUT)
    }

    /// A read-only view of window store `name` across this instance's running tasks.
    pub fn window_store<K: Clone + Send + Sync + 'static, V: Send + 'static>(
        &self,
        name: &str,
    ) -> ReadOnlyWindowStore<K, V> {
        ReadOnlyWindowStore::new(name, self.threads(), QUERY_TIMEOUT)
    }

    /// A read-only view of session store `name` across this instance's running tasks.
    pub fn session_store<K: Clone + Send + Sync + 'static, V: Send + 'static>(
        &self,
        name: &str,
    ) -> ReadOnlySessionStore<K, V> {
        ReadOnlySessionStore::new(name, self.threads(), QUERY_TIMEOUT)
    }

    /// Which instance hosts `key` of store `name`: the one whose stream
    /// thread owns the key's partition (Kafka's default partitioner on the
    /// key serialized with `key_serde`) of the store's input topic, named by
    /// its `application.server`. `None` while no member owns the partition
    /// (a rebalance is under way) or the owner set no `application.server`.
    pub fn metadata_for_key<K>(
        &self,
        store: &str,
        key: &K,
        key_serde: &impl crate::serde::Serde<K>,
    ) -> Result<Option<KeyQueryMetadata>, StreamsError> {
        let inner = &self.inner;
        let unknown = || StreamsError::Store {
            store: store.to_owned(),
            source: "no sub-topology of the topology has this store".into(),
        };
        let sub = inner
            .topology
            .subtopologies()
            .into_iter()
            .find(|s| s.stores.iter().any(|n| n == store))
            .ok_or_else(unknown)?;
        let topic = sub.source_topics.first().ok_or_else(unknown)?.clone();
        let timeout = Duration::from_millis(inner.config.get_number(keys::DEFAULT_API_TIMEOUT_MS, 60_000)?);
        let partitions = inner
            .admin
            .partition_counts(timeout)?
            .get(&topic)
            .copied()
            .ok_or_else(|| StreamsError::MissingSourceTopics {
                topics: vec![topic.clone()],
            })?;
        let bytes = key_serde
            .serialize(&topic, key)
            .map_err(|e| StreamsError::Store {
                store: store.to_owned(),
                source: Box::new(e),
            })?
            .unwrap_or_default();
        let partition = default_partition(&bytes, partitions);
        let members = inner.admin.group_members(inner.config.application_id(), timeout)?;
        Ok(members
            .iter()
            .find(|m| m.owns(&topic, partition))
            .and_then(GroupMember::application_server)
            .map(|active_host| KeyQueryMetadata { active_host, partition }))
    }

    fn threads(&self) -> super::queries::Threads {
        let inner = Arc::downgrade(&self.inner);
        Arc::new(move || inner.upgrade().map(|i| i.live_threads()).unwrap_or_default())
    }

    /// Errors that stopped stream threads so far, as text.
    pub fn thread_errors(&self) -> Vec<String> {
        self.inner.errors.lock().map(|e| e.clone()).unwrap_or_default()
    }
}

impl Drop for KafkaStreams {
    fn drop(&mut self) {
        if !matches!(self.state(), State::NotRunning | State::Error | State::Created) {
            self.inner.close(Duration::from_secs(30));
        }
    }
}

impl std::fmt::Debug for KafkaStreams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaStreams")
            .field("application_id", &self.inner.config.application_id())
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

impl Inner {
    fn state(&self) -> State {
        self.state.lock().map(|s| *s).unwrap_or(State::Error)
    }

    /// The one place the state changes: checks the transition, then tells
    /// the listener.
    fn transition_to(&self, next: State) -> Result<(), StreamsError> {
        let old = {
            let mut state = self.state.lock().map_err(|_| StreamsError::IllegalClientState {
                from: "poisoned",
                to: next.name(),
            })?;
            let old = *state;
            if old == next {
                return Ok(());
            }
            if !old.can_transition_to(next) {
                return Err(StreamsError::IllegalClientState {
                    from: old.name(),
                    to: next.name(),
                });
            }
            *state = next;
            old
        };
        tracing::info!(application = %self.config.application_id(), from = %old, to = %next, "state transition");
        self.changed.notify_all();
        self.wake.raise();
        if let Ok(l) = self.listener.lock()
            && let Some(l) = l.as_ref()
        {
            l(old, next);
        }
        Ok(())
    }

    /// Each live thread's name and last published status.
    fn statuses(&self) -> Vec<(String, super::thread::ThreadStatus)> {
        self.live_threads()
            .iter()
            .filter_map(|t| Some((t.name.clone(), t.status.lock().ok()?.clone())))
            .collect()
    }

    fn live_threads(&self) -> Vec<Arc<ThreadShared>> {
        self.threads
            .lock()
            .map(|t| t.iter().map(|e| Arc::clone(&e.shared)).collect())
            .unwrap_or_default()
    }

    fn spawn_thread(self: &Arc<Self>) -> Result<(), StreamsError> {
        let n = {
            let mut next = self.next_thread.lock().map_err(|_| StreamsError::IllegalClientState {
                from: "poisoned",
                to: "spawning a thread",
            })?;
            let n = *next;
            *next += 1;
            n
        };
        let client_id = self
            .config
            .get(keys::CLIENT_ID)
            .map_or_else(|| self.config.application_id().to_owned(), str::to_owned);
        let shared = Arc::new(ThreadShared::new(
            format!("{client_id}-StreamThread-{n}"),
            Arc::clone(&self.wake),
        ));
        let spec = ThreadSpec {
            shared: Arc::clone(&shared),
            topology: Arc::clone(&self.topology),
            config: self.config.clone(),
            restore_listener: self.restore_listener.lock().ok().and_then(|l| l.clone()),
        };
        let handle = std::thread::Builder::new()
            .name(shared.name.clone())
            .spawn(move || thread::run(spec))
            .map_err(|e| StreamsError::Config {
                key: keys::NUM_STREAM_THREADS.into(),
                reason: format!("cannot start a thread: {e}"),
            })?;
        if let Ok(mut threads) = self.threads.lock() {
            threads.push(ThreadEntry {
                shared,
                handle: Some(handle),
            });
        }
        Ok(())
    }

    /// Watches the threads: derives RUNNING / REBALANCING from theirs, and
    /// hands a failed thread's error to the handler.
    fn supervise(self: Arc<Self>) {
        loop {
            let state = self.state();
            if !state.is_running_or_rebalancing() {
                return;
            }
            let mut failed = Vec::new();
            let mut all_running = true;
            if let Ok(mut threads) = self.threads.lock() {
                for t in threads.iter_mut() {
                    // DEAD is the thread's last act (on a panic too), so
                    // the join below waits only for it to return.
                    if t.shared.state() == ThreadState::Dead
                        && let Some(h) = t.handle.take()
                    {
                        let error = match h.join() {
                            Ok(Ok(())) => None,
                            Ok(Err(e)) => Some(e),
                            Err(_) => Some(StreamsError::StreamThread {
                                thread: t.shared.name.clone(),
                                source: Box::new(StreamsError::Config {
                                    key: "thread".into(),
                                    reason: "panicked".into(),
                                }),
                            }),
                        };
                        if let Some(e) = error {
                            failed.push(StreamsError::StreamThread {
                                thread: t.shared.name.clone(),
                                source: Box::new(e),
                            });
                        }
                    }
                    all_running &= t.handle.is_none() || t.shared.state() == ThreadState::Running;
                }
                threads.retain(|t| t.handle.is_some());
                all_running &= !threads.is_empty();
            }
            for e in failed {
                if let Ok(mut errors) = self.errors.lock() {
                    errors.push(e.to_string());
                }
                let response = self
                    .error_handler
                    .lock()
                    .ok()
                    .and_then(|h| h.as_ref().map(|h| h(&e)))
                    .unwrap_or(ThreadFailureResponse::ShutdownClient);
                tracing::error!(error = %e, ?response, "stream thread failed");
                match response {
                    ThreadFailureResponse::ReplaceThread => {
                        if let Err(e) = self.spawn_thread() {
                            tracing::error!(error = %e, "cannot replace the failed thread");
                            self.fail();
                            return;
                        }
                        all_running = false;
                    }
                    ThreadFailureResponse::ShutdownClient | ThreadFailureResponse::ShutdownApplication => {
                        self.fail();
                        return;
                    }
                }
            }
            let next = if all_running {
                State::Running
            } else {
                State::Rebalancing
            };
            if self.state().is_running_or_rebalancing() {
                let _ = self.transition_to(next);
            }
            // Every thread and client state change raises the flag; the
            // timeout only bounds how long a missed raise could go unseen.
            self.wake.wait(SUPERVISOR_TIMEOUT);
        }
    }

    /// PENDING_ERROR, stop every thread, ERROR.
    fn fail(&self) {
        if self.transition_to(State::PendingError).is_err() {
            return;
        }
        self.stop_threads(Duration::from_secs(30));
        let _ = self.transition_to(State::Error);
    }

    fn stop_threads(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut threads = match self.threads.lock() {
            Ok(mut t) => std::mem::take(&mut *t),
            Err(_) => return false,
        };
        for t in &threads {
            t.shared.shutdown.store(true, Ordering::Relaxed);
        }
        let mut all = true;
        for t in &mut threads {
            let Some(h) = t.handle.take() else { continue };
            while !h.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            if h.is_finished() {
                match h.join() {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        tracing::warn!(thread = %t.shared.name, error = %e, "stream thread failed while stopping");
                        if let Ok(mut errors) = self.errors.lock() {
                            errors.push(e.to_string());
                        }
                    }
                    Err(_) => all = false,
                }
            } else {
                tracing::warn!(thread = %t.shared.name, "stream thread did not stop in time");
                all = false;
            }
        }
        all
    }

    fn close(&self, timeout: Duration) -> bool {
        let state = self.state();
        match state {
            State::NotRunning | State::Error => return true,
            State::PendingShutdown | State::PendingError => {
                return self.wait_until(|s| matches!(s, State::NotRunning | State::Error), timeout);
            }
            _ => {}
        }
        if self.transition_to(State::PendingShutdown).is_err() {
            return false;
        }
        let stopped = self.stop_threads(timeout);
        if let Ok(mut s) = self.supervisor.lock()
            && let Some(h) = s.take()
        {
            let _ = h.join();
        }
        let _ = self.transition_to(State::NotRunning);
        stopped
    }

    fn wait_until(&self, done: impl Fn(State) -> bool, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if done(self.state()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        done(self.state())
    }
}
