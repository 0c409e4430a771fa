//! A stream thread: one group consumer, one producer, one restore consumer,
//! and the tasks of the partitions the group assigned to it.
//!
//! # Assignment
//!
//! The consumer uses librdkafka's eager `range` assignor. For each topic it
//! hands partition p to the same member whenever the members subscribe to the
//! same topics and the topics have equal partition counts, so partition p of
//! co-partitioned topics always lands on one thread, and with it the task
//! (sub-topology, p). Range is deterministic (members sorted by id) but not
//! sticky: a rebalance revokes every partition and may move tasks, which then
//! restore from their changelogs and checkpoints. Kafka Streams gets
//! stickiness from its own assignor; librdkafka's `cooperative-sticky` is
//! sticky but does not keep topics co-partitioned, so we prefer correctness.
//!
//! # Commits
//!
//! Every `commit.interval.ms` the thread flushes the record caches of its
//! tasks (forwarding and change-logging their dirty entries), flushes its
//! producer once for all of them, lets each task checkpoint if its
//! changelogs moved more than 10,000 records since its last checkpoint (as
//! Kafka Streams does at-least-once; a task that closes always checkpoints),
//! then commits the consumed offsets.
//!
//! # Rebalances
//!
//! librdkafka runs the rebalance callbacks inside `poll`, on this thread. On
//! revocation the thread commits and closes every task (closing checkpoints); on assignment it creates the new
//! tasks and opens their stores, and the loop restores them before they
//! process. The tasks are `!Send` (they share `Rc`s with their processors),
//! while the consumer's context must be `Send + Sync`; so they live in a
//! thread-local that the callbacks reach.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap;

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::message::BorrowedMessage;
use rdkafka::types::RDKafkaTopic;
use rdkafka::{ClientConfig, ClientContext, Message, Offset, Statistics, TopicPartitionList};

use super::collector::KafkaCollector;
use super::metrics::{Meter, TaskMetricsSnapshot, ThreadMetrics, to_raw};
use super::restore::{StateRestoreListener, restore_task};
use super::wake::Wake;
use crate::config::clients::ClientKind;
use crate::config::{StreamsConfig, keys};
use crate::engine::{StreamTask, TaskEnv, TaskId, TaskState, TopicPartition};
use crate::error::StreamsError;
use crate::store::ThreadCache;
use crate::time::SystemClock;
use crate::topology::Topology;

/// A stream thread's state, as Kafka Streams' `StreamThread.State`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadState {
    /// Built, not started.
    Created,
    /// Started; joining the group.
    Starting,
    /// A rebalance revoked its partitions.
    PartitionsRevoked,
    /// A rebalance assigned partitions; tasks are restoring.
    PartitionsAssigned,
    /// Processing.
    Running,
    /// Asked to stop.
    PendingShutdown,
    /// Stopped.
    Dead,
}

impl ThreadState {
    /// Whether `self -> next` is legal (Kafka Streams' table: CREATED ->
    /// {STARTING, PENDING_SHUTDOWN}; STARTING and PARTITIONS_REVOKED ->
    /// {PARTITIONS_REVOKED, PARTITIONS_ASSIGNED, PENDING_SHUTDOWN};
    /// PARTITIONS_ASSIGNED and RUNNING -> {PARTITIONS_REVOKED,
    /// PARTITIONS_ASSIGNED, RUNNING, PENDING_SHUTDOWN}; PENDING_SHUTDOWN ->
    /// DEAD). Any state may go to DEAD when the thread fails.
    pub fn can_transition_to(self, next: ThreadState) -> bool {
        use ThreadState::*;
        next == Dead
            || matches!(
                (self, next),
                (Created, Starting | PendingShutdown)
                    | (
                        Starting | PartitionsRevoked,
                        PartitionsRevoked | PartitionsAssigned | PendingShutdown
                    )
                    | (
                        PartitionsAssigned | Running,
                        PartitionsRevoked | PartitionsAssigned | Running | PendingShutdown
                    )
            )
    }

    /// Whether the thread is taking part in a rebalance (or has not joined yet).
    pub fn is_rebalancing(self) -> bool {
        matches!(
            self,
            ThreadState::Created
                | ThreadState::Starting
                | ThreadState::PartitionsRevoked
                | ThreadState::PartitionsAssigned
        )
    }
}

/// What a thread shares with its `KafkaStreams` client.
pub(crate) struct ThreadShared {
    pub(crate) name: String,
    pub(crate) shutdown: AtomicBool,
    pub(crate) status: Mutex<ThreadStatus>,
    /// Interactive queries waiting for the thread to run them.
    pub(crate) queries: Mutex<Vec<super::queries::QueryJob>>,
    /// Raised at every state change, for the client's supervisor.
    wake: Arc<Wake>,
}

/// A thread's state, tasks and metrics, as last published.
#[derive(Debug, Clone)]
pub(crate) struct ThreadStatus {
    pub(crate) state: ThreadState,
    pub(crate) tasks: Vec<TaskId>,
    pub(crate) metrics: ThreadMetrics,
}

impl std::fmt::Debug for ThreadShared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThreadShared")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl ThreadShared {
    /// A thread named `name` that raises `wake` whenever its state changes.
    pub(crate) fn new(name: String, wake: Arc<Wake>) -> Self {
        Self {
            status: Mutex::new(ThreadStatus {
                state: ThreadState::Created,
                tasks: Vec::new(),
                metrics: ThreadMetrics {
                    thread: name.clone(),
                    ..ThreadMetrics::default()
                },
            }),
            name,
            shutdown: AtomicBool::new(false),
            queries: Mutex::new(Vec::new()),
            wake,
        }
    }

    pub(crate) fn state(&self) -> ThreadState {
        self.status.lock().map(|s| s.state).unwrap_or(ThreadState::Dead)
    }

    fn transition_to(&self, next: ThreadState) {
        let Ok(mut status) = self.status.lock() else {
            // A poisoned status reads as DEAD: tell the supervisor.
            self.wake.raise();
            return;
        };
        if status.state == next {
            return;
        }
        if status.state.can_transition_to(next) {
            tracing::debug!(thread = %self.name, from = ?status.state, to = ?next, "thread state transition");
            status.state = next;
            drop(status);
            self.wake.raise();
        } else {
            tracing::warn!(thread = %self.name, from = ?status.state, to = ?next, "illegal thread state transition ignored");
        }
    }
}

/// What a thread is started with.
pub(crate) struct ThreadSpec {
    pub(crate) shared: Arc<ThreadShared>,
    pub(crate) topology: Arc<Topology>,
    pub(crate) config: StreamsConfig,
    pub(crate) restore_listener: Option<Arc<dyn StateRestoreListener>>,
}

/// Records taken from the consumer per loop, and processed per task per loop.
const MAX_POLL_RECORDS: usize = 1_000;

thread_local! {
    /// The tasks of the stream thread running on this OS thread.
    static MANAGER: RefCell<Option<TaskManager>> = const { RefCell::new(None) };
}

fn with_manager<R>(f: impl FnOnce(&mut TaskManager) -> R) -> Option<R> {
    MANAGER.with(|m| match m.try_borrow_mut() {
        Ok(mut guard) => guard.as_mut().map(f),
        Err(_) => None,
    })
}

/// The consumer's context: runs the rebalance callbacks against the
/// thread's tasks and keeps the lag librdkafka's statistics report.
struct ThreadContext {
    shared: Arc<ThreadShared>,
    lag: Arc<Mutex<BTreeMap<TopicPartition, i64>>>,
}

impl ClientContext for ThreadContext {
    fn stats(&self, statistics: Statistics) {
        let Ok(mut lag) = self.lag.lock() else { return };
        lag.clear();
        for (topic, t) in &statistics.topics {
            for (&partition, p) in &t.partitions {
                if partition >= 0 && p.consumer_lag >= 0 {
                    lag.insert(TopicPartition::new(topic.as_str(), partition), p.consumer_lag);
                }
            }
        }
    }
}

impl ConsumerContext for ThreadContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Assign(_) = rebalance {
            // Now a member of the new generation: commit what could not be
            // committed while the group was rebalancing, before the new
            // assignment reads its committed offsets.
            with_manager(|m| m.commit_pending(consumer));
        }
        if let Rebalance::Revoke(tpl) = rebalance {
            tracing::info!(thread = %self.shared.name, partitions = tpl.count(), "partitions revoked");
            if !self.shared.shutdown.load(Ordering::Relaxed) {
                self.shared.transition_to(ThreadState::PartitionsRevoked);
            }
            with_manager(|m| m.revoke_all(consumer));
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                tracing::info!(thread = %self.shared.name, partitions = tpl.count(), "partitions assigned");
                self.shared.transition_to(ThreadState::PartitionsAssigned);
                let partitions: Vec<TopicPartition> = tpl
                    .elements()
                    .iter()
                    .map(|e| TopicPartition::new(e.topic(), e.partition()))
                    .collect();
                with_manager(|m| m.assign(&partitions));
            }
            Rebalance::Revoke(_) => {}
            Rebalance::Error(e) => {
                tracing::warn!(thread = %self.shared.name, error = %e, "rebalance error");
            }
        }
    }
}

/// The tasks of one thread and what they share.
struct TaskManager {
    topology: Arc<Topology>,
    env: TaskEnv,
    collector: Rc<RefCell<KafkaCollector>>,
    tasks: BTreeMap<TaskId, StreamTask>,
    /// Looked up per run of consumed records of one partition.
    routes: FxHashMap<TopicPartition, TaskId>,
    /// Bumped whenever tasks or routes change, so that a [`Route`] taken
    /// before is not trusted after.
    generation: u64,
    /// Tasks whose stores must restore before they process.
    restoring: Vec<TaskId>,
    restored: HashMap<TaskId, u64>,
    /// Offsets whose commit failed because the group was rebalancing; the
    /// stores and changelogs already hold their effects. Committed with the
    /// next commit, or when the new assignment arrives.
    pending: BTreeMap<TopicPartition, i64>,
    /// An error raised inside a rebalance callback, for the loop to return.
    error: Option<StreamsError>,
    meter: Meter,
    /// Processed/dropped counts of tasks closed since the thread started.
    closed_dropped: u64,
}

impl TaskManager {
    fn assign(&mut self, partitions: &[TopicPartition]) {
        self.generation += 1;
        let mut by_task: BTreeMap<TaskId, Vec<TopicPartition>> = BTreeMap::new();
        for tp in partitions {
            match self.topology.subtopology_for_topic(&tp.topic) {
                Some(sub) => by_task
                    .entry(TaskId::new(sub, tp.partition))
                    .or_default()
                    .push(tp.clone()),
                None => tracing::warn!(partition = %tp, "assigned a partition no source reads"),
            }
        }
        for (id, inputs) in by_task {
            if self.tasks.contains_key(&id) {
                continue;
            }
            let created = StreamTask::new(&self.topology, id, inputs.clone(), self.env.clone()).and_then(|mut t| {
                t.open_stores()?;
                Ok(t)
            });
            match created {
                Ok(task) => {
                    for tp in inputs {
                        self.routes.insert(tp, id);
                    }
                    self.tasks.insert(id, task);
                    self.restoring.push(id);
                }
                Err(e) => {
                    self.error.get_or_insert(e);
                }
            }
        }
    }

    fn revoke_all<C: ConsumerContext>(&mut self, consumer: &BaseConsumer<C>) {
        if let Err(e) = self.commit(consumer) {
            self.error.get_or_insert(e);
        }
        self.close_all();
    }

    fn close_all(&mut self) {
        self.generation += 1;
        for (id, mut task) in std::mem::take(&mut self.tasks) {
            self.closed_dropped += task.metrics().dropped_records;
            if let Err(e) = task.close() {
                tracing::warn!(task = %id, error = %e, "closing a task failed");
            }
        }
        self.routes.clear();
        self.restoring.clear();
        self.restored.clear();
    }

    /// Restores every task waiting to, then lets it process.
    fn restore_pending<C: ConsumerContext>(
        &mut self,
        consumer: &BaseConsumer<C>,
        listener: Option<&Arc<dyn StateRestoreListener>>,
        timeout: Duration,
    ) -> Result<(), StreamsError> {
        for id in std::mem::take(&mut self.restoring) {
            let Some(task) = self.tasks.get_mut(&id) else { continue };
            let n = restore_task(task, consumer, listener, timeout)?;
            self.meter.restored += n;
            self.restored.insert(id, n);
            task.complete_restore()?;
        }
        Ok(())
    }

    /// Processes up to `max` records per task; fires wall-clock punctuations.
    fn process(&mut self, max: usize) -> Result<usize, StreamsError> {
        let started = Instant::now();
        let mut done = 0;
        for task in self.tasks.values_mut() {
            if task.state() != TaskState::Running {
                continue;
            }
            done += task.process_batch(max)?;
            task.maybe_punctuate_system_time()?;
        }
        if done > 0 {
            self.meter.processed += done as u64;
            self.meter.process_time += started.elapsed();
        }
        Ok(done)
    }

    fn has_queued(&self) -> bool {
        self.tasks
            .values()
            .any(|t| t.state() == TaskState::Running && t.has_records_queued())
    }

    /// Flushes every running task and commits what they consumed (and any
    /// offsets still pending from a commit that failed in a rebalance).
    fn commit<C: ConsumerContext>(&mut self, consumer: &BaseConsumer<C>) -> Result<(), StreamsError> {
        let started = Instant::now();
        let mut offsets = std::mem::take(&mut self.pending);
        let committing: Vec<TaskId> = self
            .tasks
            .iter()
            .filter(|(_, t)| t.state() == TaskState::Running && t.commit_needed())
            .map(|(id, _)| *id)
            .collect();
        // Caches first, then one producer flush for every task of the
        // thread (they share the producer), then checkpoints and offsets.
        for id in &committing {
            if let Some(task) = self.tasks.get_mut(id) {
                task.flush_caches()?;
            }
        }
        if !committing.is_empty() {
            crate::engine::collector::flush_for_commit(&mut *self.collector.borrow_mut())?;
        }
        for id in &committing {
            if let Some(task) = self.tasks.get_mut(id) {
                offsets.extend(task.finish_commit(false)?);
            }
        }
        self.commit_offsets(consumer, offsets)?;
        self.meter.commits += 1;
        self.meter.commit_time += started.elapsed();
        Ok(())
    }

    /// Commits the pending offsets, if any; called at a new assignment.
    fn commit_pending<C: ConsumerContext>(&mut self, consumer: &BaseConsumer<C>) {
        let offsets = std::mem::take(&mut self.pending);
        if let Err(e) = self.commit_offsets(consumer, offsets) {
            self.error.get_or_insert(e);
        }
    }

    fn commit_offsets<C: ConsumerContext>(
        &mut self,
        consumer: &BaseConsumer<C>,
        offsets: BTreeMap<TopicPartition, i64>,
    ) -> Result<(), StreamsError> {
        if offsets.is_empty() {
            return Ok(());
        }
        let mut list = TopicPartitionList::new();
        for (tp, offset) in &offsets {
            list.add_partition_offset(&tp.topic, tp.partition, Offset::Offset(*offset))
                .map_err(|e| kafka(format!("committing {tp}"), e))?;
        }
        match consumer.commit(&list, CommitMode::Sync) {
            Ok(()) => Ok(()),
            // The group is rebalancing: the offsets cannot be committed now
            // (a real broker takes commits until the new generation forms;
            // the embedded mock cluster refuses them as soon as a member
            // joins or leaves). Stores and changelogs are flushed, so nothing
            // is lost: keep the offsets and commit them with the next commit,
            // at the latest when the new assignment arrives. Records whose
            // partition moved meanwhile may be processed twice
            // (at-least-once).
            Err(e) if is_rebalance_error(&e) => {
                tracing::info!(error = %e, partitions = offsets.len(), "commit deferred: the group is rebalancing");
                self.pending = offsets;
                Ok(())
            }
            Err(e) => Err(kafka(format!("committing offsets of {} partitions", offsets.len()), e)),
        }
    }

    fn publish(&mut self, shared: &ThreadShared, lag: &Mutex<BTreeMap<TopicPartition, i64>>) {
        self.meter.tick();
        let Ok(mut status) = shared.status.lock() else { return };
        status.tasks = self.tasks.keys().copied().collect();
        let m = &mut status.metrics;
        self.meter.fill(m);
        m.produced_total = self.collector.borrow().sent();
        m.dropped_total = self.closed_dropped + self.tasks.values().map(|t| t.metrics().dropped_records).sum::<u64>();
        m.records_lag = lag
            .lock()
            .map(|l| {
                l.iter()
                    .filter(|(tp, _)| self.routes.contains_key(*tp))
                    .map(|(k, v)| (k.clone(), *v))
                    .collect()
            })
            .unwrap_or_default();
        m.tasks = self
            .tasks
            .iter()
            .map(|(id, t)| {
                let tm = t.metrics();
                TaskMetricsSnapshot {
                    task: *id,
                    processed_total: tm.processed_records,
                    dropped_total: tm.dropped_records,
                    restored_total: self.restored.get(id).copied().unwrap_or(0),
                }
            })
            .collect();
    }
}

/// Runs a stream thread until it is asked to stop or fails.
pub(crate) fn run(spec: ThreadSpec) -> Result<(), StreamsError> {
    let ThreadSpec {
        shared,
        topology,
        config,
        restore_listener,
    } = spec;
    let _dead_on_exit = DeadOnExit(&shared);
    let result = run_loop(&shared, topology, &config, restore_listener.as_ref());
    // A failed thread drops its tasks without committing or checkpointing
    // (Kafka Streams' dirty close): their state restores from the last
    // checkpoint wherever they are assigned next.
    MANAGER.with(|m| {
        if let Ok(mut m) = m.try_borrow_mut() {
            m.take();
        }
    });
    if let Err(e) = &result {
        tracing::error!(thread = %shared.name, error = %e, "stream thread failed");
    }
    result
}

/// Marks the thread DEAD when [`run`] ends, by returning or by a panic, and
/// so wakes the supervisor to join it.
struct DeadOnExit<'a>(&'a ThreadShared);

impl Drop for DeadOnExit<'_> {
    fn drop(&mut self) {
        self.0.transition_to(ThreadState::Dead);
    }
}

fn run_loop(
    shared: &Arc<ThreadShared>,
    topology: Arc<Topology>,
    config: &StreamsConfig,
    restore_listener: Option<&Arc<dyn StateRestoreListener>>,
) -> Result<(), StreamsError> {
    shared.transition_to(ThreadState::Starting);
    let poll = Duration::from_millis(config.get_number(keys::POLL_MS, 100)?);
    let api_timeout = Duration::from_millis(config.get_number(keys::DEFAULT_API_TIMEOUT_MS, 60_000)?);
    let max_poll_records = MAX_POLL_RECORDS;
    let lag = Arc::new(Mutex::new(BTreeMap::new()));

    let collector = Rc::new(RefCell::new(KafkaCollector::new(
        config,
        &format!("{}-producer", shared.name),
    )?));
    let env = TaskEnv {
        config: config.clone(),
        clock: Arc::new(SystemClock),
        collector: collector.clone(),
        cache: ThreadCache::new(config.cache_max_bytes() / config.num_stream_threads().max(1)),
    };
    MANAGER.with(|m| {
        *m.borrow_mut() = Some(TaskManager {
            topology: Arc::clone(&topology),
            env,
            collector: Rc::clone(&collector),
            tasks: BTreeMap::new(),
            routes: FxHashMap::default(),
            generation: 0,
            restoring: Vec::new(),
            restored: HashMap::new(),
            pending: BTreeMap::new(),
            error: None,
            meter: Meter::default(),
            closed_dropped: 0,
        });
    });

    let restore_consumer: BaseConsumer = consumer_config(config, ClientKind::RestoreConsumer)
        .set("client.id", format!("{}-restore-consumer", shared.name))
        // librdkafka needs a group id to assign partitions; this consumer
        // never subscribes, so it never joins the group or commits.
        .set("group.id", format!("{}-restore", config.application_id()))
        .set("enable.partition.eof", "true")
        .create()
        .map_err(|e| kafka("creating the restore consumer".into(), e))?;
    let consumer: BaseConsumer<ThreadContext> = consumer_config(config, ClientKind::MainConsumer)
        .set("group.id", config.application_id())
        // `@host:port` lets peers find this instance (see metadata.rs).
        .set(
            "client.id",
            match config.get(keys::APPLICATION_SERVER) {
                Some(server) => format!("{}-consumer@{server}", shared.name),
                None => format!("{}-consumer", shared.name),
            },
        )
        .set("partition.assignment.strategy", "range")
        .create_with_context(ThreadContext {
            shared: Arc::clone(shared),
            lag: Arc::clone(&lag),
        })
        .map_err(|e| kafka("creating the consumer".into(), e))?;
    let mut subscription: Vec<String> = topology
        .subtopologies()
        .iter()
        .flat_map(|s| s.source_topics.iter().cloned())
        .collect();
    for s in topology.subtopologies() {
        // librdkafka reads a subscription starting with `^` as a regex.
        subscription.extend(
            s.source_patterns
                .iter()
                .map(|p| format!("^{}", p.trim_start_matches('^'))),
        );
    }
    subscription.sort();
    subscription.dedup();
    let topics: Vec<&str> = subscription.iter().map(String::as_str).collect();
    consumer
        .subscribe(&topics)
        .map_err(|e| kafka(format!("subscribing to {}", subscription.join(", ")), e))?;
    tracing::info!(thread = %shared.name, topics = %subscription.join(","), "stream thread started");

    let mut last_commit = Instant::now();
    let mut route: Option<Route> = None;
    let result = (|| -> Result<(), StreamsError> {
        while !shared.shutdown.load(Ordering::Relaxed) {
            let queued = with_manager(|m| m.has_queued()).unwrap_or(false);
            let started = Instant::now();
            let mut next = consumer.poll(if queued { Duration::ZERO } else { poll });
            let mut polled = 0;
            while let Some(item) = next {
                match item {
                    Ok(m) => {
                        let record = to_raw(&m);
                        with_manager(|mgr| {
                            // Polls return runs of one partition: its task and
                            // input queue are looked up once per run.
                            if !route.as_ref().is_some_and(|r| r.matches(&m, mgr.generation)) {
                                route = Route::find(mgr, &m);
                            }
                            match route.as_ref().and_then(|r| Some((mgr.tasks.get_mut(&r.task)?, r))) {
                                Some((task, r)) => task.add_record_to(r.queue, &r.partition, record),
                                None => {
                                    tracing::warn!(
                                        topic = m.topic(),
                                        partition = m.partition(),
                                        offset = m.offset(),
                                        "a record for a partition with no task: skipped"
                                    );
                                    Ok(())
                                }
                            }
                        })
                        .transpose()?;
                    }
                    Err(e) => tracing::warn!(thread = %shared.name, error = %e, "consumer error"),
                }
                polled += 1;
                if polled >= max_poll_records {
                    break;
                }
                next = consumer.poll(Duration::ZERO);
            }
            with_manager(|m| {
                m.meter.polls += 1;
                m.meter.poll_time += started.elapsed();
            });
            if let Some(e) = with_manager(|m| m.error.take()).flatten() {
                return Err(e);
            }
            let restoring = with_manager(|m| !m.restoring.is_empty()).unwrap_or(false);
            if restoring {
                with_manager(|m| m.restore_pending(&restore_consumer, restore_listener, api_timeout)).transpose()?;
            }
            with_manager(|m| m.process(max_poll_records)).transpose()?;
            let jobs = shared
                .queries
                .lock()
                .map(|mut q| std::mem::take(&mut *q))
                .unwrap_or_default();
            for job in jobs {
                with_manager(|m| job(&m.tasks));
            }
            collector.borrow().poll();
            if last_commit.elapsed() >= config.commit_interval() {
                with_manager(|m| m.commit(&consumer)).transpose()?;
                last_commit = Instant::now();
                with_manager(|m| m.publish(shared, &lag));
                if let Ok(s) = shared.status.lock() {
                    let m = &s.metrics;
                    tracing::debug!(
                        target: "streams_core::metrics",
                        thread = %shared.name,
                        processed_total = m.processed_total,
                        process_rate = m.process_rate,
                        process_latency_avg_us = m.process_latency_avg_us,
                        commit_latency_avg_ms = m.commit_latency_avg_ms,
                        poll_latency_avg_ms = m.poll_latency_avg_ms,
                        produced_total = m.produced_total,
                        restored_total = m.restored_total,
                        dropped_total = m.dropped_total,
                        "stream thread metrics"
                    );
                }
            } else {
                with_manager(|m| m.publish(shared, &lag));
            }
            let assigned = shared.state() == ThreadState::PartitionsAssigned;
            if assigned && with_manager(|m| m.restoring.is_empty()).unwrap_or(false) {
                shared.transition_to(ThreadState::Running);
            }
        }
        Ok(())
    })();
    if let Err(e) = result {
        // Drop the tasks before the consumer: dropping the consumer leaves
        // the group, and its revocation callback must not commit them.
        MANAGER.with(|m| {
            if let Ok(mut m) = m.try_borrow_mut() {
                m.take();
            }
        });
        return Err(e);
    }
    // Clean shutdown: commit, close the tasks (flushing stores, writing
    // checkpoints), then leave the group when the consumer is dropped.
    shared.transition_to(ThreadState::PendingShutdown);
    with_manager(|m| m.commit(&consumer)).transpose()?;
    with_manager(TaskManager::close_all);
    drop(consumer);
    tracing::info!(thread = %shared.name, "stream thread stopped");
    Ok(())
}

/// Where the records of one consumed partition go: remembered over a run of
/// its records, so that they cost no topic-name decoding or hashing.
struct Route {
    /// librdkafka's handle of the partition's topic, compared by address
    /// only. Within one generation of the task manager the partition stays
    /// assigned, so its topic handle stays alive and no other topic's handle
    /// can take its address.
    topic: *mut RDKafkaTopic,
    generation: u64,
    partition: TopicPartition,
    task: TaskId,
    queue: usize,
}

impl Route {
    fn matches(&self, m: &BorrowedMessage<'_>, generation: u64) -> bool {
        self.generation == generation && self.partition.partition == m.partition() && self.topic == m.topic_ptr()
    }

    /// The route of `m`'s partition, if a task of this thread reads it.
    fn find(mgr: &TaskManager, m: &BorrowedMessage<'_>) -> Option<Route> {
        let partition = TopicPartition::new(m.topic(), m.partition());
        let task = *mgr.routes.get(&partition)?;
        let queue = mgr.tasks.get(&task)?.queue_of(&partition).ok()?;
        Some(Route {
            topic: m.topic_ptr(),
            generation: mgr.generation,
            partition,
            task,
            queue,
        })
    }
}

/// The main consumer's default `queued.min.messages` (records prefetched per
/// partition); `consumer.queued.min.messages` overrides it.
pub const MAIN_CONSUMER_QUEUED_MIN_MESSAGES: &str = "10000";

/// The main consumer's default `fetch.queue.backoff.ms`; `consumer.fetch.queue.backoff.ms` overrides it.
pub const MAIN_CONSUMER_FETCH_QUEUE_BACKOFF_MS: &str = "10";

fn consumer_config(config: &StreamsConfig, kind: ClientKind) -> ClientConfig {
    let mut c = ClientConfig::new();
    // Kafka Streams' consumer defaults; user settings override them.
    c.set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .set("statistics.interval.ms", "5000");
    if kind == ClientKind::MainConsumer {
        // librdkafka prefetches up to 100,000 records per partition by
        // default (tens of MiB per consumer, kept in memory); the Java
        // consumer Kafka Streams uses holds about one fetch (1 MiB) per
        // partition. 10,000 records keeps a fetch or two in flight per
        // partition without that memory. A partition whose queue is full
        // fetches again after `fetch.queue.backoff.ms` (1 s by default,
        // which would starve a fast thread): 10 ms.
        c.set("queued.min.messages", MAIN_CONSUMER_QUEUED_MIN_MESSAGES)
            .set("fetch.queue.backoff.ms", MAIN_CONSUMER_FETCH_QUEUE_BACKOFF_MS);
    }
    for (k, v) in config.client_settings(kind) {
        c.set(k, v);
    }
    c
}

/// Whether a commit failed because the group is rebalancing or no longer
/// knows this member's generation.
fn is_rebalance_error(e: &rdkafka::error::KafkaError) -> bool {
    use rdkafka::types::RDKafkaErrorCode as Code;
    matches!(
        e.rdkafka_error_code(),
        Some(
            Code::RebalanceInProgress
                | Code::IllegalGeneration
                | Code::UnknownMemberId
                | Code::FencedInstanceId
                | Code::AssignmentLost
                | Code::StaleMemberEpoch
        )
    )
}

fn kafka(operation: String, e: rdkafka::error::KafkaError) -> StreamsError {
    StreamsError::Kafka {
        operation,
        source: Box::new(e),
    }
}

#[cfg(test)]
mod tests {
    use super::ThreadState::*;

    #[test]
    fn thread_transitions() {
        assert!(Created.can_transition_to(Starting));
        assert!(Starting.can_transition_to(PartitionsAssigned));
        assert!(PartitionsAssigned.can_transition_to(Running));
        assert!(Running.can_transition_to(PartitionsRevoked));
        assert!(Running.can_transition_to(PendingShutdown));
        assert!(!Created.can_transition_to(Running));
        assert!(!PendingShutdown.can_transition_to(Running));
        assert!(Running.can_transition_to(Dead));
    }
}
