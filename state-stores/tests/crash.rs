//! Crash safety: a child process writing to a RocksDB store (and
//! checkpointing after each flush) is killed mid-write; the store and the
//! checkpoint must reopen cleanly, hold at least what the checkpoint claims,
//! and a restore from the changelog must complete the state.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use state_stores::{MeteredKeyValueStore, Stores};
use streams_core::engine::{RawRecord, TaskId, TopicPartition};
use streams_core::serde::{I64Serde, Serde, StringSerde};
use streams_core::state::StateDirectory;
use streams_core::store::{KeyValueStore, StateStore, StateStoreContext};

const CHILD_ENV: &str = "STATE_STORES_CRASH_DIR";
const FLUSH_EVERY: i64 = 250;

fn key(i: i64) -> String {
    format!("key-{i:08}")
}

fn changelog() -> TopicPartition {
    TopicPartition::new("app-data-changelog", 0)
}

fn open_store(task_dir: &Path) -> MeteredKeyValueStore<String, i64> {
    let mut store = Stores::key_value_store_builder(Stores::persistent_key_value_store("data"), StringSerde, I64Serde)
        .with_logging_disabled()
        .build_store();
    store
        .init(&StateStoreContext::new("app", TaskId::new(0, 0), task_dir))
        .unwrap();
    store
}

/// The child: writes `key(i) -> i * 7` forever, flushing and checkpointing
/// every `FLUSH_EVERY` writes. Does nothing unless started by the parent.
#[test]
#[ignore = "run as a child process by killed_mid_write_reopens_with_at_least_the_checkpointed_state"]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else { return };
    let lock = StateDirectory::open(Path::new(&dir), "app")
        .unwrap()
        .lock_task(TaskId::new(0, 0))
        .unwrap();
    let mut store = open_store(lock.dir());
    let checkpoint = lock.checkpoint();
    for i in 0.. {
        store.put(&key(i), &(i * 7)).unwrap();
        if (i + 1) % FLUSH_EVERY == 0 {
            store.flush().unwrap();
            checkpoint.write(&BTreeMap::from([(changelog(), i + 1)])).unwrap();
            println!("checkpointed {}", i + 1);
        }
    }
}

#[test]
fn killed_mid_write_reopens_with_at_least_the_checkpointed_state() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut checkpoints = 0;
    for line in BufReader::new(stdout).lines() {
        if line.unwrap().starts_with("checkpointed ") {
            checkpoints += 1;
            if checkpoints == 4 {
                break;
            }
        }
    }
    // SIGKILL while the child keeps writing: no destructor, no final flush.
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(checkpoints, 4, "the child checkpointed before it was killed");

    let lock = StateDirectory::open(dir.path(), "app")
        .unwrap()
        .lock_task(TaskId::new(0, 0))
        .expect("the dead child's lock is released with its process");
    let offsets = lock.checkpoint().read().expect("the checkpoint is never torn");
    let next = offsets[&changelog()];
    assert!(next >= 4 * FLUSH_EVERY && next % FLUSH_EVERY == 0, "checkpoint {next}");
    let mut store = open_store(lock.dir());
    for i in 0..next {
        assert_eq!(
            store.get(&key(i)).unwrap(),
            Some(i * 7),
            "key {i} is below the checkpoint"
        );
    }
    // The changelog holds every write; restoring from the checkpoint on
    // completes the state, whatever the crash left above it.
    let (ks, vs) = (StringSerde, I64Serde);
    let tail: Vec<RawRecord> = (next..next + 1000)
        .map(|i| RawRecord {
            offset: i,
            timestamp: 0,
            key: ks.serialize("t", &key(i)).unwrap(),
            value: vs.serialize("t", &(i * 7)).unwrap(),
            ..RawRecord::default()
        })
        .collect();
    store.restore(&tail).unwrap();
    store.flush().unwrap();
    for i in 0..next + 1000 {
        assert_eq!(store.get(&key(i)).unwrap(), Some(i * 7), "key {i} after the restore");
    }
    store.close().unwrap();
}
