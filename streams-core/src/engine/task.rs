//! The stream task: one sub-topology on one partition.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::collector::flush_for_commit;
use super::punctuation::Punctuations;
use super::queue::ErasedQueue;
use super::shared::{Handlers, TaskShared};
use super::{RawRecord, RecordCollector, TaskId, TopicPartition};
use crate::config::StreamsConfig;
use crate::error::StreamsError;
use crate::processor::{Punctuation, PunctuationType};
use crate::state::{StateDirectory, StateError, TaskDirLock};
use crate::store::{ChangeLogger, RecordTime, StateStore, StateStoreContext, ThreadCache};
use crate::time::Clock;
use crate::topology::Topology;
use crate::topology::node::{NodeEnv, NodeLifecycle, QueueFactory};

/// Changelog records a task writes before a regular commit also checkpoints
/// (Kafka Streams' `OFFSET_DELTA_THRESHOLD_FOR_CHECKPOINT`): between
/// checkpoints the stores need not be made durable at every commit.
const CHECKPOINT_DELTA: i64 = 10_000;

/// Wall-clock milliseconds a regular commit waits after the last checkpoint
/// before it checkpoints again (beyond Kafka Streams, which checkpoints every
/// commit past [`CHECKPOINT_DELTA`]). A checkpoint makes the stores durable,
/// which writes out what RocksDB stores hold back; with a short
/// `commit.interval.ms` this lets them keep one write per key for several
/// commits. The cost: a crash replays up to this much more changelog.
const CHECKPOINT_MIN_INTERVAL_MS: i64 = 5_000;

/// Whether a regular commit checkpoints: `delta` changelog records and
/// `elapsed_ms` since the last checkpoint.
fn regular_checkpoint_due(delta: i64, elapsed_ms: i64) -> bool {
    delta > CHECKPOINT_DELTA && elapsed_ms >= CHECKPOINT_MIN_INTERVAL_MS
}

/// A task's lifecycle state, as in Kafka Streams.
///
/// Legal transitions (see [`TaskState::can_transition_to`]):
/// `Created -> Restoring | Suspended | Closed`, `Restoring -> Running | Suspended`,
/// `Running -> Suspended`, `Suspended -> Restoring | Closed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    /// Built; stores not yet open.
    Created,
    /// Stores open, catching up from their changelogs.
    Restoring,
    /// Processing records.
    Running,
    /// Committed and paused (before closing or resuming).
    Suspended,
    /// Closed for good; processors and stores are closed.
    Closed,
}

impl TaskState {
    /// Whether `self -> next` is a legal transition.
    pub fn can_transition_to(self, next: TaskState) -> bool {
        use TaskState::*;
        matches!(
            (self, next),
            (Created, Restoring | Suspended | Closed)
                | (Restoring, Running | Suspended)
                | (Running, Suspended)
                | (Suspended, Restoring | Closed)
        )
    }

    fn name(self) -> &'static str {
        match self {
            TaskState::Created => "CREATED",
            TaskState::Restoring => "RESTORING",
            TaskState::Running => "RUNNING",
            TaskState::Suspended => "SUSPENDED",
            TaskState::Closed => "CLOSED",
        }
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a task needs from its driver.
#[derive(Clone)]
pub struct TaskEnv {
    /// The application configuration (application id, handlers, state dir).
    pub config: StreamsConfig,
    /// The clock for wall-clock time.
    pub clock: Arc<dyn Clock>,
    /// Where sinks and change-logging stores write.
    pub collector: Rc<RefCell<dyn RecordCollector>>,
    /// The record cache of the stream thread running the task.
    pub cache: ThreadCache,
}

/// Counters of one task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TaskMetrics {
    /// Records taken from the input queues and processed.
    pub processed_records: u64,
    /// Records dropped by an error handler that answered `Continue`.
    pub dropped_records: u64,
}

/// A source node of the task and what it reads, to create queues for input
/// partitions (also ones a pattern matches later).
struct TaskSource {
    node: usize,
    topics: Vec<String>,
    pattern: Option<regex::Regex>,
    queues: Rc<dyn QueueFactory>,
}

impl TaskSource {
    fn reads(&self, topic: &str) -> bool {
        self.topics.iter().any(|t| t == topic) || self.pattern.as_ref().is_some_and(|p| p.is_match(topic))
    }
}

struct StoreEntry {
    name: Arc<str>,
    lifecycle: Rc<RefCell<dyn StateStore>>,
    handle: Rc<dyn std::any::Any>,
    /// The changelog partition, once the store is open with logging enabled.
    changelog: Option<TopicPartition>,
}

/// How far a restore has come, per changelog partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreProgress {
    /// The store restored.
    pub store: String,
    /// Its changelog partition.
    pub changelog: TopicPartition,
    /// Records applied in this batch.
    pub batch_records: usize,
    /// Records applied since the task opened its stores.
    pub total_records: u64,
    /// The next changelog offset to restore from.
    pub next_offset: i64,
}

/// A changelog partition a task restores from, and where to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangelogPartition {
    /// The store the changelog belongs to.
    pub store: String,
    /// The changelog partition.
    pub partition: TopicPartition,
    /// The first offset to restore from (the checkpointed offset; 0 without
    /// a checkpoint).
    pub start_offset: i64,
    /// Whether the store survives restarts (only persistent stores are
    /// checkpointed; in-memory stores restore from the beginning).
    pub persistent: bool,
}

/// One sub-topology on one partition: processors, stores, input queues.
pub struct StreamTask {
    shared: Rc<TaskShared>,
    state: TaskState,
    /// Node lifecycles by topology node index (sources and sinks have none).
    nodes: Vec<Option<Rc<dyn NodeLifecycle>>>,
    /// Node indices in topological order, for init and close.
    order: Vec<usize>,
    sources: Vec<TaskSource>,
    queues: Vec<Box<dyn ErasedQueue>>,
    /// Looked up per queued record: a fast hasher.
    queue_index: FxHashMap<TopicPartition, usize>,
    /// Offset of the last record processed, per queue.
    consumed: Vec<Option<i64>>,
    stores: Vec<StoreEntry>,
    state_dir: std::path::PathBuf,
    config: StreamsConfig,
    cache: ThreadCache,
    /// Held while the task owns its state directory (persistent stores only).
    lock: Option<TaskDirLock>,
    /// Next changelog offset each store's local state holds, from the
    /// checkpoint, restores and commits.
    changelog_offsets: BTreeMap<TopicPartition, i64>,
    restored: HashMap<TopicPartition, u64>,
    /// Wall-clock time of the last checkpoint (`i64::MIN` before the first).
    last_checkpoint_ms: i64,
    commit_needed: bool,
}

impl StreamTask {
    /// Builds the task of sub-topology `id.subtopology` for the given input
    /// partitions (one per source topic of that sub-topology, or per topic
    /// matched by a source pattern). Fresh processors and stores are created.
    pub fn new(
        topology: &Topology,
        id: TaskId,
        inputs: Vec<TopicPartition>,
        env: TaskEnv,
    ) -> Result<Self, StreamsError> {
        topology.validate()?;
        env.config.validate()?;
        let sub = topology
            .subtopology_nodes(id.subtopology)
            .ok_or_else(|| StreamsError::Config {
                key: "task".into(),
                reason: format!("task {id}: the topology has no sub-topology {}", id.subtopology),
            })?;
        let application_id: Arc<str> = env.config.application_id().into();
        let cache = env.cache.clone();
        let config = env.config.clone();
        let shared = Rc::new(TaskShared::new(
            Arc::clone(&application_id),
            Arc::new(env.config.clone()),
            id,
            env.clock,
            env.collector,
            Handlers::from_config(&env.config),
        ));

        let mut stores = Vec::new();
        for store in topology.stores_of(&sub) {
            let built = store.builder.build();
            stores.push(StoreEntry {
                name: Arc::clone(&store.name),
                lifecycle: built.lifecycle,
                handle: built.handle,
                changelog: None,
            });
        }

        // Instantiate children before parents so each parent receives its
        // children's typed inputs.
        let mut inputs_of: HashMap<usize, Rc<dyn std::any::Any>> = HashMap::new();
        let mut nodes: Vec<Option<Rc<dyn NodeLifecycle>>> = vec![None; topology.node_count()];
        let mut sources = Vec::new();
        for &n in sub.iter().rev() {
            let def = topology.node(n);
            let children = def
                .children
                .iter()
                .map(|c| (Arc::clone(&topology.node(*c).name), Rc::clone(&inputs_of[c])))
                .collect();
            let node_stores = def
                .stores
                .iter()
                .map(|s| {
                    let name = &topology.store(*s).name;
                    let entry = stores.iter().find(|e| &e.name == name).map(|e| Rc::clone(&e.handle));
                    entry.map(|h| (Arc::clone(name), h)).ok_or_else(|| {
                        StreamsError::from(crate::error::TopologyError::UnknownStore {
                            node: def.name.to_string(),
                            store: name.to_string(),
                        })
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let instance = def.factory.instantiate(NodeEnv {
                index: n,
                name: Arc::clone(&def.name),
                shared: &shared,
                children,
                stores: node_stores,
                sink_topic: match &def.kind {
                    crate::topology::NodeKind::Sink { topic: Some(t) } => Some(Arc::from(t.as_str())),
                    _ => None,
                },
            })?;
            if let Some(input) = instance.input {
                inputs_of.insert(n, input);
            }
            nodes[n] = instance.lifecycle;
            if let Some(queues) = instance.source {
                let (topics, pattern) = topology.source_subscription(n);
                sources.push(TaskSource {
                    node: n,
                    topics,
                    pattern,
                    queues,
                });
            }
        }

        let state_dir = env
            .config
            .state_dir()
            .join(env.config.application_id())
            .join(id.to_string());
        sources.sort_by_key(|s| s.node);
        let mut task = Self {
            consumed: Vec::new(),
            shared,
            state: TaskState::Created,
            nodes,
            order: sub,
            sources,
            queues: Vec::new(),
            queue_index: FxHashMap::default(),
            stores,
            state_dir,
            config,
            cache,
            lock: None,
            changelog_offsets: BTreeMap::new(),
            last_checkpoint_ms: i64::MIN,
            restored: HashMap::new(),
            commit_needed: false,
        };
        for tp in inputs {
            task.add_input_partition(tp)?;
        }
        Ok(task)
    }

    /// Adds an input partition, read by the source of this task whose topics or
    /// pattern match its topic. Idempotent.
    pub fn add_input_partition(&mut self, tp: TopicPartition) -> Result<(), StreamsError> {
        if self.queue_index.contains_key(&tp) {
            return Ok(());
        }
        let source =
            self.sources
                .iter()
                .find(|s| s.reads(&tp.topic))
                .ok_or_else(|| StreamsError::UnknownPartition {
                    task: self.shared.task_id,
                    topic: tp.topic.to_string(),
                    partition: tp.partition,
                })?;
        let index = self.queues.len();
        self.queues
            .push(Rc::clone(&source.queues).new_queue(index, tp.clone(), Rc::clone(&self.shared)));
        self.shared.inputs.borrow_mut().push(tp.clone());
        self.queue_index.insert(tp, index);
        self.consumed.push(None);
        Ok(())
    }

    /// The input partitions, in queue order.
    pub fn input_partitions(&self) -> Vec<TopicPartition> {
        self.shared.inputs.borrow().clone()
    }

    /// The task id.
    pub fn id(&self) -> TaskId {
        self.shared.task_id
    }

    /// The lifecycle state.
    pub fn state(&self) -> TaskState {
        self.state
    }

    fn transition_to(&mut self, next: TaskState) -> Result<(), StreamsError> {
        if !self.state.can_transition_to(next) {
            return Err(StreamsError::IllegalTaskState {
                task: self.id(),
                from: self.state.name(),
                to: next.name(),
            });
        }
        tracing::debug!(task = %self.id(), from = %self.state, to = %next, "task state transition");
        self.state = next;
        Ok(())
    }

    /// Opens the stores, then initialises the processors (parents first), and
    /// moves to `Running`: [`open_stores`](Self::open_stores) followed by
    /// [`complete_restore`](Self::complete_restore), for drivers with nothing
    /// to restore.
    pub fn initialize(&mut self) -> Result<(), StreamsError> {
        self.open_stores()?;
        self.complete_restore()
    }

    /// Moves to `Restoring` and opens the stores. With persistent stores, the
    /// task first locks its state directory (failing if another thread or
    /// process holds it) and reads its checkpoint. If the checkpoint is
    /// corrupt, or missing while store files exist, or a store fails to open, the task's local state is wiped and
    /// opened empty, to be restored in full from the changelogs: never a
    /// panic, never a silent gap.
    pub fn open_stores(&mut self) -> Result<(), StreamsError> {
        self.transition_to(TaskState::Restoring)?;
        if self.stores.iter().any(|s| s.lifecycle.borrow().persistent()) {
            let dir = StateDirectory::open(self.config.state_dir(), self.config.application_id())?;
            let lock = dir.lock_task(self.id())?;
            let checkpoint = lock.checkpoint();
            match checkpoint.read() {
                // State without a checkpoint (a crash before the first
                // commit) says nothing of how far it got: start over.
                Ok(_) if !checkpoint.path().exists() && lock.has_state() => {
                    tracing::warn!(task = %self.id(), "local state without a checkpoint: wiping it for a full restore");
                    lock.wipe()?;
                }
                Ok(offsets) => self.changelog_offsets = offsets,
                Err(e @ StateError::CorruptCheckpoint { .. }) => {
                    tracing::warn!(task = %self.id(), error = %e, "corrupt checkpoint: wiping local state for a full restore");
                    lock.wipe()?;
                }
                Err(e) => return Err(e.into()),
            }
            self.lock = Some(lock);
        }
        if let Err(first) = self.init_stores() {
            let Some(lock) = &self.lock else { return Err(first) };
            tracing::warn!(task = %self.id(), error = %first, "a store failed to open: wiping local state for a full restore");
            self.close_open_stores();
            lock.wipe()?;
            self.changelog_offsets.clear();
            self.init_stores()?;
        }
        Ok(())
    }

    fn init_stores(&mut self) -> Result<(), StreamsError> {
        let shared = Rc::clone(&self.shared);
        let time = RecordTime::from_fn(move || shared.current_timestamp.get());
        let context = StateStoreContext::new(
            Arc::clone(&self.shared.application_id),
            self.id(),
            self.state_dir.clone(),
        )
        .with_config(self.config.clone())
        .with_cache(self.cache.clone())
        .with_change_logger(ChangeLogger::new(Rc::clone(&self.shared.collector), time.clone()))
        .with_time(time);
        let partition = self.id().partition;
        for store in &mut self.stores {
            let mut s = store.lifecycle.borrow_mut();
            s.init(&context)?;
            store.changelog = s.changelog_topic().map(|t| TopicPartition::new(t, partition));
        }
        Ok(())
    }

    fn close_open_stores(&self) {
        for store in &self.stores {
            let mut s = store.lifecycle.borrow_mut();
            if s.is_open()
                && let Err(e) = s.close()
            {
                tracing::warn!(task = %self.id(), store = %store.name, error = %e, "closing a store failed");
            }
        }
    }

    /// The changelog partitions of the task's open stores and where each
    /// restore starts.
    pub fn changelog_partitions(&self) -> Vec<ChangelogPartition> {
        self.stores
            .iter()
            .filter_map(|s| {
                let tp = s.changelog.clone()?;
                let persistent = s.lifecycle.borrow().persistent();
                let start_offset = if persistent {
                    self.changelog_offsets.get(&tp).copied().unwrap_or(0)
                } else {
                    0
                };
                Some(ChangelogPartition {
                    store: s.name.to_string(),
                    partition: tp,
                    start_offset,
                    persistent,
                })
            })
            .collect()
    }

    /// Applies a batch of changelog records (in offset order) to the store
    /// that logs to `changelog`, bypassing its cache and changelog.
    pub fn restore(
        &mut self,
        changelog: &TopicPartition,
        records: &[RawRecord],
    ) -> Result<RestoreProgress, StreamsError> {
        if self.state != TaskState::Restoring {
            return Err(StreamsError::IllegalTaskState {
                task: self.id(),
                from: self.state.name(),
                to: TaskState::Restoring.name(),
            });
        }
        let store = self
            .stores
            .iter()
            .find(|s| s.changelog.as_ref() == Some(changelog))
            .ok_or_else(|| StreamsError::UnknownPartition {
                task: self.shared.task_id,
                topic: changelog.topic.to_string(),
                partition: changelog.partition,
            })?;
        store.lifecycle.borrow_mut().restore(records)?;
        let total = self.restored.entry(changelog.clone()).or_default();
        *total += records.len() as u64;
        let next = self.changelog_offsets.entry(changelog.clone()).or_default();
        if let Some(last) = records.last() {
            *next = (*next).max(last.offset + 1);
        }
        Ok(RestoreProgress {
            store: store.name.to_string(),
            changelog: changelog.clone(),
            batch_records: records.len(),
            total_records: *total,
            next_offset: *next,
        })
    }

    /// Ends restoration: initialises the processors (parents first) and
    /// moves to `Running`.
    pub fn complete_restore(&mut self) -> Result<(), StreamsError> {
        if self.state != TaskState::Restoring {
            return Err(StreamsError::IllegalTaskState {
                task: self.id(),
                from: self.state.name(),
                to: TaskState::Running.name(),
            });
        }
        for &n in &self.order {
            if let Some(node) = &self.nodes[n] {
                node.init()?;
            }
        }
        self.transition_to(TaskState::Running)
    }

    /// Where the changelogs of persistent stores stand: the collector's
    /// acknowledged offsets, or what was checkpointed or restored before.
    fn changelog_snapshot(&self) -> BTreeMap<TopicPartition, i64> {
        let collector = self.shared.collector.borrow();
        let mut offsets = BTreeMap::new();
        for store in &self.stores {
            let Some(tp) = &store.changelog else { continue };
            if !store.lifecycle.borrow().persistent() {
                continue;
            }
            let produced = collector.last_offset(&tp.topic, tp.partition).map(|o| o + 1);
            let known = self.changelog_offsets.get(tp).copied();
            if let Some(next) = produced.max(known) {
                offsets.insert(tp.clone(), next);
            }
        }
        offsets
    }

    /// Writes the checkpoint file: where the changelogs of persistent stores
    /// stand. The stores must hold (durably) everything up to there.
    fn checkpoint(&mut self) -> Result<(), StreamsError> {
        let offsets = self.changelog_snapshot();
        self.write_checkpoint(offsets)
    }

    fn write_checkpoint(&mut self, offsets: BTreeMap<TopicPartition, i64>) -> Result<(), StreamsError> {
        let Some(lock) = &self.lock else { return Ok(()) };
        lock.checkpoint().write(&offsets)?;
        self.changelog_offsets = offsets;
        self.last_checkpoint_ms = self.shared.clock.now_ms();
        Ok(())
    }

    /// Whether `snapshot` is more than [`CHECKPOINT_DELTA`] records past the
    /// last checkpoint (or restore), at least [`CHECKPOINT_MIN_INTERVAL_MS`]
    /// after it.
    fn checkpoint_due(&self, snapshot: &BTreeMap<TopicPartition, i64>) -> bool {
        let delta: i64 = snapshot
            .iter()
            .map(|(tp, next)| next - self.changelog_offsets.get(tp).copied().unwrap_or(0))
            .sum();
        let elapsed = self.shared.clock.now_ms().saturating_sub(self.last_checkpoint_ms);
        regular_checkpoint_due(delta, elapsed)
    }

    /// Queues raw records of one input partition, in offset order.
    pub fn add_records(
        &mut self,
        partition: &TopicPartition,
        records: impl IntoIterator<Item = RawRecord>,
    ) -> Result<(), StreamsError> {
        let i = self.queue_of(partition)?;
        // Collecting a `Vec` into a `Vec` reuses it; the queue then copies in bulk.
        self.queues[i].extend(records.into_iter().collect());
        Ok(())
    }

    /// Queues one consumed record into input queue `queue` (an index from
    /// [`queue_of`](Self::queue_of) for `partition`): the runtime's path for
    /// runs of one partition, which look the queue up once per run.
    pub fn add_record_to(
        &mut self,
        queue: usize,
        partition: &TopicPartition,
        record: RawRecord,
    ) -> Result<(), StreamsError> {
        match self.queues.get_mut(queue) {
            Some(q) => {
                q.push(record);
                Ok(())
            }
            None => Err(StreamsError::UnknownPartition {
                task: self.shared.task_id,
                topic: partition.topic.to_string(),
                partition: partition.partition,
            }),
        }
    }

    /// The index of the input queue of `partition`.
    pub fn queue_of(&self, partition: &TopicPartition) -> Result<usize, StreamsError> {
        self.queue_index
            .get(partition)
            .copied()
            .ok_or_else(|| StreamsError::UnknownPartition {
                task: self.shared.task_id,
                topic: partition.topic.to_string(),
                partition: partition.partition,
            })
    }

    /// Records queued over all input partitions.
    pub fn records_queued(&self) -> usize {
        self.queues.iter().map(|q| q.len()).sum()
    }

    /// Whether any record is queued.
    pub fn has_records_queued(&self) -> bool {
        self.queues.iter().any(|q| q.len() > 0)
    }

    /// Processes the queued record with the smallest timestamp (ties: the
    /// first input partition). Returns whether a record was processed.
    pub fn process(&mut self) -> Result<bool, StreamsError> {
        self.ensure_running()?;
        let (i, offset) = if self.queues.len() == 1 {
            // One input partition: nothing to order, decode and process at once.
            match self.queues[0].process_next()? {
                Some(offset) => (0, offset),
                None => return Ok(false),
            }
        } else {
            let mut next: Option<(usize, i64)> = None;
            for (i, q) in self.queues.iter_mut().enumerate() {
                if let Some(ts) = q.head_timestamp()?
                    && next.is_none_or(|(_, best)| ts < best)
                {
                    next = Some((i, ts));
                }
            }
            let Some((i, ts)) = next else {
                return Ok(false);
            };
            // Stream time advances before the record is processed.
            self.shared.advance_stream_time(ts);
            match self.queues[i].process_head()? {
                Some(offset) => (i, offset),
                None => return Ok(false),
            }
        };
        self.consumed[i] = Some(offset);
        self.shared.processed.set(self.shared.processed.get() + 1);
        self.commit_needed = true;
        Ok(true)
    }

    /// Processes up to `max` records, firing stream-time punctuation after each
    /// record that makes it due: the same outcome as calling [`process`] and
    /// [`maybe_punctuate_stream_time`] in turn, with less work per record (a
    /// task with one input partition runs records in a tight loop). Returns how
    /// many records were processed. The Kafka runtime's poll loop uses this;
    /// the test driver processes one record at a time.
    ///
    /// [`process`]: Self::process
    /// [`maybe_punctuate_stream_time`]: Self::maybe_punctuate_stream_time
    pub fn process_batch(&mut self, max: usize) -> Result<usize, StreamsError> {
        self.ensure_running()?;
        let mut done = 0;
        while done < max {
            if self.queues.len() == 1 {
                let stop_at = self.shared.punctuations.borrow().stream_time.next_due();
                let (n, last) = self.queues[0].process_run(max - done, stop_at)?;
                if n == 0 {
                    break;
                }
                self.consumed[0] = last.or(self.consumed[0]);
                self.shared.processed.set(self.shared.processed.get() + n as u64);
                self.commit_needed = true;
                done += n;
            } else if self.process()? {
                done += 1;
            } else {
                break;
            }
            self.maybe_punctuate_stream_time()?;
        }
        Ok(done)
    }

    fn ensure_running(&self) -> Result<(), StreamsError> {
        if self.state == TaskState::Running {
            Ok(())
        } else {
            Err(StreamsError::IllegalTaskState {
                task: self.id(),
                from: self.state.name(),
                to: "processing",
            })
        }
    }

    /// Fires due stream-time punctuations. Returns whether any fired.
    pub fn maybe_punctuate_stream_time(&mut self) -> Result<bool, StreamsError> {
        let now = self.shared.stream_time.get();
        if now < 0 {
            return Ok(false);
        }
        self.punctuate(PunctuationType::StreamTime, now)
    }

    /// Fires due wall-clock punctuations. Returns whether any fired.
    pub fn maybe_punctuate_system_time(&mut self) -> Result<bool, StreamsError> {
        let now = self.shared.clock.now_ms();
        self.punctuate(PunctuationType::WallClockTime, now)
    }

    fn punctuate(&mut self, kind: PunctuationType, now: i64) -> Result<bool, StreamsError> {
        let mut fired = false;
        loop {
            // Do not hold the queue borrowed while the processor runs: it may schedule.
            let due = self.shared.punctuations.borrow_mut().queue(kind).pop_due(now);
            let Some(mut schedule) = due else { break };
            self.shared.current.set(None);
            self.shared.current_timestamp.set(now);
            *self.shared.current_raw.borrow_mut() = None;
            if let Some(node) = &self.nodes[schedule.node] {
                node.punctuate(Punctuation {
                    schedule: schedule.id,
                    kind,
                    timestamp: now,
                })?;
            }
            fired = true;
            self.commit_needed = true;
            if !schedule.cancelled.get() {
                schedule.due = schedule.next_due(now);
                self.shared.punctuations.borrow_mut().queue(kind).add(schedule);
            }
        }
        Ok(fired)
    }

    /// Whether anything happened since the last commit, or a processor asked
    /// for a commit.
    pub fn commit_needed(&self) -> bool {
        self.commit_needed || self.shared.commit_requested.get()
    }

    /// Commits in one go, checkpointing whatever the changelogs stand at:
    /// [`flush_caches`](Self::flush_caches), the collector's flush, then
    /// [`finish_commit`](Self::finish_commit) with an enforced checkpoint.
    /// Returns the offsets to commit (the next offset to read, per input
    /// partition that made progress).
    pub fn prepare_commit(&mut self) -> Result<BTreeMap<TopicPartition, i64>, StreamsError> {
        self.flush_caches()?;
        flush_for_commit(&mut *self.shared.collector.borrow_mut())?;
        self.finish_commit(true)
    }

    /// The first half of a commit: every caching store hands its dirty
    /// entries to the store underneath, its changelog and downstream. The
    /// caller then flushes the collector (once for all the tasks that share
    /// it) and calls [`finish_commit`](Self::finish_commit).
    pub fn flush_caches(&mut self) -> Result<(), StreamsError> {
        for store in &self.stores {
            store.lifecycle.borrow_mut().flush_cache()?;
        }
        Ok(())
    }

    /// The second half of a commit, once the collector has flushed: writes
    /// the checkpoint (after making the stores durable) if `enforce_checkpoint`
    /// or the changelogs moved more than 10,000 records since the last one,
    /// as Kafka Streams does at-least-once (a crash replays the changelog
    /// from an older checkpoint, which rewrites the same values), and at
    /// least 5 s after it (which lets stores hold writes back longer). Returns the
    /// offsets to commit.
    pub fn finish_commit(&mut self, enforce_checkpoint: bool) -> Result<BTreeMap<TopicPartition, i64>, StreamsError> {
        // Taken once: flushing the stores sends nothing, so acknowledged
        // offsets cannot move before the checkpoint is written.
        let snapshot = self.changelog_snapshot();
        if enforce_checkpoint || self.checkpoint_due(&snapshot) {
            for store in &self.stores {
                store.lifecycle.borrow_mut().flush()?;
            }
            self.write_checkpoint(snapshot)?;
        }
        let mut offsets = BTreeMap::new();
        for (tp, &i) in &self.queue_index {
            if let Some(o) = self.consumed[i] {
                offsets.insert(tp.clone(), o + 1);
            }
        }
        self.commit_needed = false;
        self.shared.commit_requested.set(false);
        Ok(offsets)
    }

    /// The task's stream time, or -1 before the first record.
    pub fn stream_time(&self) -> i64 {
        self.shared.stream_time.get()
    }

    /// The task's counters.
    pub fn metrics(&self) -> TaskMetrics {
        TaskMetrics {
            processed_records: self.shared.processed.get(),
            dropped_records: self.shared.dropped.get(),
        }
    }

    /// Names of the task's stores.
    pub fn store_names(&self) -> impl Iterator<Item = &str> {
        self.stores.iter().map(|s| &*s.name)
    }

    /// A store's handle, as the type its builder registered.
    pub fn store<H: Clone + 'static>(&self, name: &str) -> Option<H> {
        self.stores
            .iter()
            .find(|s| &*s.name == name)
            .and_then(|s| s.handle.downcast_ref::<H>().cloned())
    }

    /// Closes processors (parents first), then flushes and closes stores. The
    /// caller commits first if it wants the offsets. Idempotent once closed.
    pub fn close(&mut self) -> Result<(), StreamsError> {
        if self.state == TaskState::Closed {
            return Ok(());
        }
        let was_open = matches!(
            self.state,
            TaskState::Running | TaskState::Restoring | TaskState::Suspended
        );
        if self.state != TaskState::Suspended && self.state != TaskState::Created {
            self.transition_to(TaskState::Suspended)?;
        }
        let mut first_error = None;
        if was_open {
            for &n in &self.order {
                if let Some(node) = &self.nodes[n]
                    && let Err(e) = node.close()
                {
                    first_error.get_or_insert(e);
                }
            }
            for store in &self.stores {
                let mut s = store.lifecycle.borrow_mut();
                if s.is_open()
                    && let Err(e) = s.flush()
                {
                    first_error.get_or_insert(e);
                }
            }
            let flushed = flush_for_commit(&mut *self.shared.collector.borrow_mut());
            if let Err(e) = flushed.and_then(|()| self.checkpoint()) {
                first_error.get_or_insert(e);
            }
            for store in &self.stores {
                let mut s = store.lifecycle.borrow_mut();
                if s.is_open()
                    && let Err(e) = s.close()
                {
                    first_error.get_or_insert(e);
                }
            }
        }
        self.lock = None;
        *self.shared.punctuations.borrow_mut() = Punctuations::default();
        self.transition_to(TaskState::Closed)?;
        first_error.map_or(Ok(()), Err)
    }
}

impl fmt::Debug for StreamTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamTask")
            .field("id", &self.id())
            .field("state", &self.state)
            .field("queued", &self.records_queued())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::TaskState::*;

    #[test]
    fn legal_transitions() {
        assert!(Created.can_transition_to(Restoring));
        assert!(Restoring.can_transition_to(Running));
        assert!(Running.can_transition_to(Suspended));
        assert!(Suspended.can_transition_to(Closed));
        assert!(!Running.can_transition_to(Closed));
        assert!(!Closed.can_transition_to(Running));
        assert!(!Created.can_transition_to(Running));
    }

    #[test]
    fn a_regular_commit_checkpoints_past_the_delta_and_the_interval_only() {
        use super::regular_checkpoint_due as due;
        assert!(due(10_001, 5_000));
        assert!(!due(10_000, 60_000), "10,000 records are not past the delta");
        assert!(!due(1_000_000, 4_999), "too soon after the last checkpoint");
        assert!(due(10_001, i64::MAX), "the first checkpoint waits for no interval");
    }
}
