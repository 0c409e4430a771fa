//! The driver: one task per sub-topology, fed synchronously.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use streams_core::engine::{RawRecord, StreamTask, TaskEnv, TaskId, TaskMetrics, TopicPartition};
use streams_core::serde::{DefaultSerde, Serde, SharedSerde};
use streams_core::store::{
    KeyValueStoreHandle, SessionStoreHandle, StoreHandle, ThreadCache, ValueAndTimestamp, WindowStoreHandle,
};
use streams_core::{Clock, Headers, MockClock, StreamsConfig, SystemClock, Topology};

use crate::collector::{CapturingCollector, ProducedRecord};
use crate::error::DriverError;
use crate::topics::{TestInputTopic, TestOutputTopic};

/// How deep records fed back into the topology may nest before the driver
/// reports a loop instead of overflowing the stack.
const MAX_FEEDBACK_DEPTH: usize = 1_000;

pub(crate) struct Inner {
    topology: Arc<Topology>,
    tasks: Vec<StreamTask>,
    clock: MockClock,
    collector: Rc<RefCell<CapturingCollector>>,
    outputs: HashMap<String, VecDeque<ProducedRecord>>,
    produced_topics: BTreeSet<String>,
    next_offset: HashMap<String, i64>,
    closed: bool,
    /// Dropped (deleted) after the tasks, which close when the driver does.
    _state_dir: tempfile::TempDir,
}

/// Drives a [`Topology`] through the real task engine, synchronously, with no
/// broker. See the [crate documentation](crate) for the processing model.
pub struct TopologyTestDriver {
    inner: Rc<RefCell<Inner>>,
}

impl TopologyTestDriver {
    /// A driver whose mock wall clock starts at the system time.
    pub fn new(topology: Topology, config: StreamsConfig) -> Result<Self, DriverError> {
        Self::with_wall_clock_time(topology, config, SystemClock.now_ms())
    }

    /// A driver whose mock wall clock starts at `initial_wall_clock_ms`.
    pub fn with_wall_clock_time(
        mut topology: Topology,
        config: StreamsConfig,
        initial_wall_clock_ms: i64,
    ) -> Result<Self, DriverError> {
        topology.validate().map_err(streams_core::StreamsError::from)?;
        // Internal (repartition) topics are `<application.id>-<name>`, as on Kafka.
        topology.bind_application_id(config.application_id());
        let topology = Arc::new(topology);
        let clock = MockClock::new(initial_wall_clock_ms);
        let collector = Rc::new(RefCell::new(CapturingCollector::default()));
        // Each driver keeps its state in a fresh directory, removed when the
        // driver is dropped, so tests running in parallel never share a task's
        // state (or its lock).
        let state_dir = tempfile::Builder::new()
            .prefix("kafka-streams-ttd-")
            .tempdir()
            .map_err(DriverError::StateDir)?;
        let config = config.with_state_dir(state_dir.path());
        // As Kafka Streams' test driver: emit-on-close aggregations look for
        // closed windows on every record unless the test asks otherwise.
        let emit_interval = streams_core::config::keys::EMIT_INTERVAL_MS_WINDOWED_AGGREGATION;
        let config = match config.get(emit_interval) {
            Some(_) => config,
            None => config.with(emit_interval, "0"),
        };
        let cache = ThreadCache::new(config.cache_max_bytes());
        let env = TaskEnv {
            config,
            clock: Arc::new(clock.clone()),
            collector: collector.clone(),
            cache: cache.clone(),
        };
        let mut tasks = Vec::new();
        for sub in topology.subtopologies() {
            let inputs = sub
                .source_topics
                .iter()
                .map(|t| TopicPartition::new(t.as_str(), 0))
                .collect();
            let mut task = StreamTask::new(&topology, TaskId::new(sub.id, 0), inputs, env.clone())?;
            task.initialize()?;
            tasks.push(task);
        }
        let mut inner = Inner {
            topology,
            tasks,
            clock,
            collector,
            outputs: HashMap::new(),
            produced_topics: BTreeSet::new(),
            next_offset: HashMap::new(),
            closed: false,
            _state_dir: state_dir,
        };
        // Processors may produce during init (rare, but Kafka allows it).
        inner.complete_all_processable_work()?;
        Ok(Self {
            inner: Rc::new(RefCell::new(inner)),
        })
    }

    /// An input topic with the default serdes of `K` and `V`.
    pub fn create_input_topic<K: DefaultSerde, V: DefaultSerde>(&self, topic: &str) -> TestInputTopic<K, V> {
        self.create_input_topic_with_serdes(topic, K::Serde::default(), V::Serde::default())
    }

    /// An input topic with explicit serdes. Records piped without a timestamp
    /// get the driver's wall-clock time at creation; see
    /// [`TestInputTopic::with_time`] to choose a start and an auto-advance.
    pub fn create_input_topic_with_serdes<K: 'static, V: 'static>(
        &self,
        topic: &str,
        key_serde: impl Serde<K>,
        value_serde: impl Serde<V>,
    ) -> TestInputTopic<K, V> {
        let now = self.inner.borrow().clock.now_ms();
        TestInputTopic::new(
            Rc::clone(&self.inner),
            topic,
            Arc::new(key_serde),
            Arc::new(value_serde),
            now,
        )
    }

    /// An output topic with the default serdes of `K` and `V`.
    pub fn create_output_topic<K: DefaultSerde, V: DefaultSerde>(&self, topic: &str) -> TestOutputTopic<K, V> {
        self.create_output_topic_with_serdes(topic, K::Serde::default(), V::Serde::default())
    }

    /// An output topic with explicit serdes.
    pub fn create_output_topic_with_serdes<K: 'static, V: 'static>(
        &self,
        topic: &str,
        key_serde: impl Serde<K>,
        value_serde: impl Serde<V>,
    ) -> TestOutputTopic<K, V> {
        let (k, v): (SharedSerde<K>, SharedSerde<V>) = (Arc::new(key_serde), Arc::new(value_serde));
        TestOutputTopic::new(Rc::clone(&self.inner), topic, k, v)
    }

    /// Advances the mock wall clock, fires due wall-clock punctuations, commits,
    /// and processes whatever they fed back.
    pub fn advance_wall_clock_time(&self, advance: Duration) -> Result<(), DriverError> {
        let mut inner = self.inner.borrow_mut();
        inner.ensure_open()?;
        inner
            .clock
            .advance(i64::try_from(advance.as_millis()).unwrap_or(i64::MAX));
        for i in 0..inner.tasks.len() {
            inner.tasks[i].maybe_punctuate_system_time()?;
            inner.tasks[i].prepare_commit()?;
        }
        inner.complete_all_processable_work()
    }

    /// The mock wall-clock time.
    pub fn wall_clock_time_ms(&self) -> i64 {
        self.inner.borrow().clock.now_ms()
    }

    /// A key-value store of the topology, by name.
    pub fn key_value_store<K: 'static, V: 'static>(
        &self,
        name: &str,
    ) -> Result<KeyValueStoreHandle<K, V>, DriverError> {
        self.state_store(name)
    }

    /// A timestamped key-value store (as the DSL's tables use), by name.
    pub fn timestamped_key_value_store<K: 'static, V: 'static>(
        &self,
        name: &str,
    ) -> Result<KeyValueStoreHandle<K, ValueAndTimestamp<V>>, DriverError> {
        self.state_store(name)
    }

    /// A window store, by name.
    pub fn window_store<K: 'static, V: 'static>(&self, name: &str) -> Result<WindowStoreHandle<K, V>, DriverError> {
        self.state_store(name)
    }

    /// A session store, by name.
    pub fn session_store<K: 'static, V: 'static>(&self, name: &str) -> Result<SessionStoreHandle<K, V>, DriverError> {
        self.state_store(name)
    }

    /// A store of a user-defined type `S`, by name.
    pub fn custom_store<S: 'static>(&self, name: &str) -> Result<StoreHandle<S>, DriverError> {
        self.state_store(name)
    }

    /// A store's handle as the type its builder registered.
    pub fn state_store<H: Clone + 'static>(&self, name: &str) -> Result<H, DriverError> {
        let inner = self.inner.borrow();
        inner
            .tasks
            .iter()
            .find_map(|t| t.store::<H>(name))
            .ok_or_else(|| DriverError::UnknownStore {
                name: name.to_owned(),
                handle: std::any::type_name::<H>(),
            })
    }

    /// Every topic that received at least one record, internal topics included.
    pub fn produced_topic_names(&self) -> BTreeSet<String> {
        self.inner.borrow().produced_topics.clone()
    }

    /// Counters summed over all tasks.
    pub fn metrics(&self) -> TaskMetrics {
        let inner = self.inner.borrow();
        inner
            .tasks
            .iter()
            .map(StreamTask::metrics)
            .fold(TaskMetrics::default(), |a, m| TaskMetrics {
                processed_records: a.processed_records + m.processed_records,
                dropped_records: a.dropped_records + m.dropped_records,
            })
    }

    /// Closes every task (processors, then stores). Records produced while
    /// closing remain readable.
    pub fn close(self) -> Result<(), DriverError> {
        self.inner.borrow_mut().close()
    }
}

impl Drop for TopologyTestDriver {
    fn drop(&mut self) {
        if let Ok(mut inner) = self.inner.try_borrow_mut()
            && let Err(e) = inner.close()
        {
            tracing::warn!("closing the test driver failed: {e}");
        }
    }
}

impl Inner {
    fn ensure_open(&self) -> Result<(), DriverError> {
        if self.closed { Err(DriverError::Closed) } else { Ok(()) }
    }

    /// Queues one record on partition 0 of `topic` and processes everything
    /// to completion.
    pub(crate) fn pipe(
        &mut self,
        topic: &str,
        key: Option<Vec<u8>>,
        value: Option<Vec<u8>>,
        timestamp: i64,
        headers: Headers,
    ) -> Result<(), DriverError> {
        self.ensure_open()?;
        self.enqueue(topic, key, value, timestamp, headers)?;
        self.complete_all_processable_work()
    }

    fn enqueue(
        &mut self,
        topic: &str,
        key: Option<Vec<u8>>,
        value: Option<Vec<u8>>,
        timestamp: i64,
        headers: Headers,
    ) -> Result<(), DriverError> {
        let sub = self
            .topology
            .subtopology_for_topic(topic)
            .ok_or_else(|| DriverError::UnknownTopic {
                topic: topic.to_owned(),
            })?;
        let offset = self.next_offset.entry(topic.to_owned()).or_insert(0);
        let record = RawRecord {
            offset: *offset,
            timestamp,
            key,
            value,
            headers,
        };
        *offset += 1;
        let tp = TopicPartition::new(topic, 0);
        let task = &mut self.tasks[sub as usize];
        task.add_input_partition(tp.clone())?;
        task.add_records(&tp, [record])?;
        Ok(())
    }

    fn take_produced(&mut self) -> VecDeque<ProducedRecord> {
        std::mem::take(&mut self.collector.borrow_mut().records).into()
    }

    /// Processes everything queued, one record at a time (process, stream-time
    /// punctuation, commit), and handles what each record produced before the
    /// next: outputs are captured in order, and those written to the
    /// topology's own topics are fed back and processed at once, depth first,
    /// exactly as Kafka Streams' driver recurses. The recursion is kept on an
    /// explicit stack (one batch of produced records per nesting level), so a
    /// topology that loops on itself is reported instead of overflowing.
    fn complete_all_processable_work(&mut self) -> Result<(), DriverError> {
        let mut stack: Vec<VecDeque<ProducedRecord>> = vec![self.take_produced()];
        loop {
            if let Some(task) = self.tasks.iter_mut().find(|t| t.has_records_queued()) {
                task.process()?;
                task.maybe_punctuate_stream_time()?;
                task.prepare_commit()?;
                let produced = self.take_produced();
                stack.push(produced);
                continue;
            }
            let Some(batch) = stack.last_mut() else {
                return Ok(());
            };
            let Some(record) = batch.pop_front() else {
                stack.pop();
                continue;
            };
            self.produced_topics.insert(record.topic.clone());
            self.outputs
                .entry(record.topic.clone())
                .or_default()
                .push_back(record.clone());
            if self.topology.subtopology_for_topic(&record.topic).is_some() {
                if stack.len() > MAX_FEEDBACK_DEPTH {
                    return Err(DriverError::FeedbackLoop {
                        topic: record.topic,
                        limit: MAX_FEEDBACK_DEPTH,
                    });
                }
                self.enqueue(
                    &record.topic,
                    record.key,
                    record.value,
                    record.timestamp,
                    record.headers,
                )?;
            }
        }
    }

    pub(crate) fn take_output(&mut self, topic: &str) -> Option<ProducedRecord> {
        self.outputs.get_mut(topic).and_then(VecDeque::pop_front)
    }

    pub(crate) fn output_size(&self, topic: &str) -> usize {
        self.outputs.get(topic).map_or(0, VecDeque::len)
    }

    fn close(&mut self) -> Result<(), DriverError> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        let mut first_error = None;
        for task in &mut self.tasks {
            if let Err(e) = task.close() {
                first_error.get_or_insert(e);
            }
        }
        let produced = std::mem::take(&mut self.collector.borrow_mut().records);
        for record in produced {
            self.produced_topics.insert(record.topic.clone());
            self.outputs.entry(record.topic.clone()).or_default().push_back(record);
        }
        first_error.map_or(Ok(()), |e| Err(e.into()))
    }
}
