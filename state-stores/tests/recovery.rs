//! Recovery: checkpoints, restores, task locks, and what happens when local
//! state is corrupt or the state directory unusable. Tasks run for real over
//! RocksDB stores, with an in-memory collector standing in for Kafka.
#![allow(clippy::unwrap_used)]

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use common::Capture;
use state_stores::Stores;
use streams_core::engine::{RawRecord, StreamTask, TaskEnv, TaskId, TaskState, TopicPartition};
use streams_core::prelude::*;
use streams_core::serde::{I64Serde, StringSerde};
use streams_core::state::StateError;
use streams_core::store::ThreadCache;
use streams_core::{MockClock, StreamsError};

/// Stores each record's value (parsed as a number) under its key.
struct Upsert;

impl Processor<String, String> for Upsert {
    fn process(&mut self, ctx: &mut ProcessorContext<String, String>, r: Record<String, String>) -> ProcessResult {
        let store = ctx.key_value_store::<String, i64>("totals")?;
        store.put(&r.key, &r.value.parse()?)?;
        Ok(())
    }
}

fn topology() -> Topology {
    topology_with(false)
}

/// in -> upsert into the RocksDB store `totals` (cached if `caching`).
fn topology_with(caching: bool) -> Topology {
    let store = Stores::key_value_store_builder(Stores::persistent_key_value_store("totals"), StringSerde, I64Serde);
    let store = if caching { store.with_caching_enabled() } else { store };
    let mut t = Topology::new();
    t.add_source("src", Source::<String, String>::new(["in"]))
        .unwrap()
        .add_processor("upsert", || Upsert, &["src"])
        .unwrap()
        .add_state_store(store, &["upsert"])
        .unwrap();
    t
}

struct Harness {
    dir: tempfile::TempDir,
    collector: Rc<RefCell<Capture>>,
}

impl Harness {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            collector: Rc::default(),
        }
    }

    fn task(&self) -> StreamTask {
        let config = StreamsConfig::new("app").with_state_dir(self.dir.path());
        self.task_with(config)
    }

    fn task_with(&self, config: StreamsConfig) -> StreamTask {
        self.task_of(&topology(), config)
    }

    fn task_of(&self, topology: &Topology, config: StreamsConfig) -> StreamTask {
        let env = TaskEnv {
            config,
            clock: Arc::new(MockClock::new(0)),
            collector: self.collector.clone(),
            cache: ThreadCache::new(1 << 20),
        };
        StreamTask::new(topology, TaskId::new(0, 2), vec![TopicPartition::new("in", 2)], env).unwrap()
    }

    fn task_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("app").join("0_2")
    }

    /// The changelog as Kafka would hold it: records with offsets.
    fn changelog(&self) -> Vec<RawRecord> {
        self.collector
            .borrow()
            .sent
            .iter()
            .filter(|s| s.topic == "app-totals-changelog")
            .enumerate()
            .map(|(i, s)| RawRecord {
                offset: i as i64,
                timestamp: s.timestamp,
                key: s.key.clone(),
                value: s.value.clone(),
                headers: Headers::new(),
            })
            .collect()
    }
}

fn input(offset: i64, key: &str, value: i64) -> RawRecord {
    RawRecord {
        offset,
        timestamp: offset,
        key: Some(key.as_bytes().to_vec()),
        value: Some(value.to_string().into_bytes()),
        headers: Headers::new(),
    }
}

fn run(task: &mut StreamTask, records: Vec<RawRecord>) {
    task.add_records(&TopicPartition::new("in", 2), records).unwrap();
    while task.process().unwrap() {}
}

fn totals(task: &StreamTask) -> Vec<(String, i64)> {
    let store: streams_core::store::KeyValueStoreHandle<String, i64> = task.store("totals").unwrap();
    store.all().unwrap()
}

#[test]
fn commit_writes_a_checkpoint_and_a_restart_resumes_from_it() {
    let h = Harness::new();
    let mut task = h.task();
    task.initialize().unwrap();
    run(&mut task, vec![input(0, "a", 1), input(1, "b", 2), input(2, "a", 3)]);
    task.prepare_commit().unwrap();
    let checkpoint = std::fs::read_to_string(h.task_dir().join(".checkpoint")).unwrap();
    assert_eq!(
        checkpoint, "0\n1\napp-totals-changelog 2 3\n",
        "next offset after three changelog records"
    );
    task.close().unwrap();

    let mut again = h.task();
    again.open_stores().unwrap();
    let parts = again.changelog_partitions();
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].partition, TopicPartition::new("app-totals-changelog", 2));
    assert_eq!(parts[0].start_offset, 3, "restore resumes after the checkpoint");
    assert!(parts[0].persistent);
    again.complete_restore().unwrap();
    assert_eq!(
        totals(&again),
        [("a".to_owned(), 3), ("b".to_owned(), 2)],
        "local state survived"
    );
    again.close().unwrap();
}

#[test]
fn a_corrupt_checkpoint_wipes_local_state_for_a_full_restore() {
    let h = Harness::new();
    let mut task = h.task();
    task.initialize().unwrap();
    run(&mut task, vec![input(0, "a", 1), input(1, "b", 2)]);
    task.close().unwrap();
    std::fs::write(h.task_dir().join(".checkpoint"), b"0\n7\ntruncated").unwrap();

    let mut again = h.task();
    again.open_stores().unwrap();
    assert_eq!(again.state(), TaskState::Restoring);
    assert_eq!(again.changelog_partitions()[0].start_offset, 0, "full restore");
    assert!(totals(&again).is_empty(), "untrusted local state was wiped");
    let changelog = h.changelog();
    let tp = TopicPartition::new("app-totals-changelog", 2);
    let progress = again.restore(&tp, &changelog[..1]).unwrap();
    assert_eq!(
        (progress.batch_records, progress.total_records, progress.next_offset),
        (1, 1, 1)
    );
    let progress = again.restore(&tp, &changelog[1..]).unwrap();
    assert_eq!((progress.total_records, progress.next_offset), (2, 2));
    again.complete_restore().unwrap();
    assert_eq!(totals(&again), [("a".to_owned(), 1), ("b".to_owned(), 2)]);
    assert!(
        again.restore(&tp, &changelog).is_err(),
        "restoring after the restore phase is an error"
    );
    again.prepare_commit().unwrap();
    again.close().unwrap();
}

/// A cached store reports the changelog of the logging layer beneath it,
/// so that it is restored (Kafka Streams' DSL caches by default).
#[test]
fn a_cached_store_reports_its_changelog() {
    let h = Harness::new();
    let config = StreamsConfig::new("app").with_state_dir(h.dir.path());
    let mut task = h.task_of(&topology_with(true), config);
    task.open_stores().unwrap();
    let parts = task.changelog_partitions();
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].partition, TopicPartition::new("app-totals-changelog", 2));
    task.complete_restore().unwrap();
    task.close().unwrap();
}

#[test]
fn local_state_without_a_checkpoint_is_wiped_for_a_full_restore() {
    let h = Harness::new();
    let mut task = h.task();
    task.initialize().unwrap();
    run(&mut task, vec![input(0, "a", 1), input(1, "b", 2)]);
    task.close().unwrap();
    // As after a crash before the first commit: store files, no checkpoint.
    std::fs::remove_file(h.task_dir().join(".checkpoint")).unwrap();

    let mut again = h.task();
    again.open_stores().unwrap();
    assert_eq!(again.changelog_partitions()[0].start_offset, 0, "full restore");
    assert!(totals(&again).is_empty(), "state of unknown progress was wiped");
    let tp = TopicPartition::new("app-totals-changelog", 2);
    again.restore(&tp, &h.changelog()).unwrap();
    again.complete_restore().unwrap();
    assert_eq!(totals(&again), [("a".to_owned(), 1), ("b".to_owned(), 2)]);
    again.close().unwrap();
}

#[test]
fn a_corrupt_store_is_wiped_and_restored_instead_of_failing() {
    let h = Harness::new();
    let mut task = h.task();
    task.initialize().unwrap();
    run(&mut task, vec![input(0, "a", 1)]);
    task.close().unwrap();
    let store_dir = h.task_dir().join("rocksdb").join("totals");
    std::fs::write(store_dir.join("CURRENT"), b"MANIFEST-999999\n").unwrap();

    let mut again = h.task();
    again.open_stores().unwrap();
    assert_eq!(again.changelog_partitions()[0].start_offset, 0);
    let tp = TopicPartition::new("app-totals-changelog", 2);
    again.restore(&tp, &h.changelog()).unwrap();
    again.complete_restore().unwrap();
    assert_eq!(totals(&again), [("a".to_owned(), 1)]);
    again.close().unwrap();
}

#[test]
fn two_tasks_cannot_open_the_same_state() {
    let h = Harness::new();
    let mut first = h.task();
    first.open_stores().unwrap();
    let mut second = h.task();
    match second.open_stores() {
        Err(StreamsError::State(StateError::Locked { task, .. })) => assert_eq!(task, TaskId::new(0, 2)),
        other => panic!("expected a locked task directory, got {other:?}"),
    }
    first.complete_restore().unwrap();
    first.close().unwrap();
    let mut third = h.task();
    third.initialize().unwrap();
    third.close().unwrap();
}

#[test]
fn an_unwritable_state_directory_fails_at_start_up() {
    let h = Harness::new();
    let file = h.dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let mut task = h.task_with(StreamsConfig::new("app").with_state_dir(&file));
    let err = task.initialize().unwrap_err();
    assert!(
        matches!(err, StreamsError::State(StateError::NotWritable { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("not writable"), "{err}");
}

#[test]
fn restoring_an_in_memory_window_store_from_its_changelog() {
    use streams_core::store::{StateStore, WindowStore};
    let env = common::Env::new(1 << 20);
    let builder = Stores::window_store_builder(
        common::Combo {
            rocksdb: false,
            caching: false,
            logging: true,
        }
        .window_supplier("w", 1000, 10, false),
        StringSerde,
        I64Serde,
    )
    .unwrap();
    let mut store = builder.build_store();
    store.init(&env.context()).unwrap();
    store.put(&"k".to_owned(), Some(&1), 0).unwrap();
    store.put(&"k".to_owned(), Some(&2), 10).unwrap();
    let log: Vec<RawRecord> = env
        .changelog("app-w-changelog")
        .into_iter()
        .enumerate()
        .map(|(i, s)| RawRecord {
            offset: i as i64,
            timestamp: s.timestamp,
            key: s.key,
            value: s.value,
            headers: Headers::new(),
        })
        .collect();
    store.close().unwrap();
    let mut fresh = builder.build_store();
    fresh.init(&common::Env::new(1 << 20).context()).unwrap();
    fresh.restore(&log).unwrap();
    let got: Vec<(i64, i64)> = fresh
        .fetch(&"k".to_owned(), 0, 100)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(got, [(0, 1), (10, 2)]);
    assert_eq!(fresh.metrics().unwrap().restored, 2);
}

#[test]
fn the_rocksdb_config_setter_tunes_each_store() {
    use std::sync::Mutex;
    use streams_core::store::{KeyValueStore, StateStore};
    static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let env = common::Env::new(1 << 20);
    let supplier = Stores::persistent_key_value_store("tuned").with_rocksdb_config(
        |name: &str, options: &mut state_stores::rocksdb::Options| {
            options.set_write_buffer_size(1 << 20);
            SEEN.lock().unwrap().push(name.to_owned());
        },
    );
    let mut store = Stores::key_value_store_builder(supplier, StringSerde, I64Serde).build_store();
    store.init(&env.context()).unwrap();
    store.put(&"k".to_owned(), &1).unwrap();
    assert_eq!(store.get(&"k".to_owned()).unwrap(), Some(1));
    store.close().unwrap();
    assert_eq!(*SEEN.lock().unwrap(), ["tuned"], "called once, with the store's name");
}
