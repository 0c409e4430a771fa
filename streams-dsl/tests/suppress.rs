//! `KTable::suppress` through the test driver (and, for the restart, two
//! stream tasks sharing a changelog): time limits, window close, each
//! buffer policy, and a buffer that survives a restart.

// Tests report failures by panicking.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use streams_core::engine::{OutgoingRecord, RawRecord, RecordCollector, StreamTask, TaskEnv, TaskId, TopicPartition};
use streams_core::serde::{I64Serde, OptionSerde, SessionWindowedSerde, StringSerde};
use streams_core::store::ThreadCache;
use streams_core::{BoxError, MockClock, StreamsError};
use streams_dsl::options::{BufferConfig, Suppressed};
use streams_dsl::prelude::*;
use streams_dsl::windows::{SessionWindows, TimeWindows};
use test_driver::{DriverError, TopologyTestDriver};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A table of the latest value per key from `in`, suppressed, written to `out`.
fn table_program(suppressed: Suppressed<String>) -> Topology {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, i64>("in")
        .to_table(Materialized::new())
        .suppress(suppressed)
        .to_stream()
        .to("out");
    builder.build().unwrap()
}

struct Run {
    driver: TopologyTestDriver,
}

impl Run {
    fn new(suppressed: Suppressed<String>) -> Self {
        Self {
            driver: TopologyTestDriver::new(table_program(suppressed), StreamsConfig::new("sup")).unwrap(),
        }
    }

    fn pipe(&self, key: &str, value: i64, timestamp: i64) -> Result<(), DriverError> {
        self.driver
            .create_input_topic::<String, i64>("in")
            .pipe_input_with_timestamp(key.into(), value, timestamp)
    }

    /// `(key, value, timestamp)` written so far.
    fn out(&self) -> Vec<(String, Option<i64>, i64)> {
        self.driver
            .create_output_topic::<String, Option<i64>>("out")
            .read_records_to_list()
            .unwrap()
            .into_iter()
            .map(|r| (r.key, r.value, r.timestamp))
            .collect()
    }
}

#[test]
fn time_limit_keeps_the_first_buffer_time_and_emits_the_latest_value() {
    let r = Run::new(Suppressed::until_time_limit(ms(10), BufferConfig::unbounded()));
    r.pipe("a", 1, 100).unwrap();
    r.pipe("b", 1, 103).unwrap();
    // A later update of a replaces its value but keeps buffer time 100.
    r.pipe("a", 2, 105).unwrap();
    assert!(r.out().is_empty());
    // Stream time 110 >= 100 + 10: a leaves, with its latest value and time.
    r.pipe("c", 1, 110).unwrap();
    assert_eq!(r.out(), [("a".into(), Some(2), 105)]);
    // 113 >= 103 + 10: b; then c's own turn at 120.
    r.pipe("d", 1, 120).unwrap();
    assert_eq!(r.out(), [("b".into(), Some(1), 103), ("c".into(), Some(1), 110)]);
}

#[test]
fn entries_due_together_leave_in_buffer_time_then_key_order() {
    let r = Run::new(Suppressed::until_time_limit(ms(5), BufferConfig::unbounded()));
    r.pipe("b", 1, 10).unwrap();
    r.pipe("a", 1, 10).unwrap();
    r.pipe("c", 1, 9).unwrap();
    r.pipe("z", 1, 50).unwrap();
    assert_eq!(
        r.out(),
        [
            ("c".into(), Some(1), 9),
            ("a".into(), Some(1), 10),
            ("b".into(), Some(1), 10)
        ]
    );
}

#[test]
fn a_zero_time_limit_passes_every_update() {
    let r = Run::new(Suppressed::until_time_limit(Duration::ZERO, BufferConfig::unbounded()));
    r.pipe("a", 1, 5).unwrap();
    r.pipe("a", 2, 3).unwrap();
    assert_eq!(r.out(), [("a".into(), Some(1), 5), ("a".into(), Some(2), 3)]);
}

#[test]
fn a_full_buffer_emits_its_oldest_entries_early() {
    let r = Run::new(Suppressed::until_time_limit(ms(1_000), BufferConfig::max_records(2)));
    r.pipe("a", 1, 1).unwrap();
    r.pipe("b", 1, 2).unwrap();
    assert!(r.out().is_empty());
    r.pipe("c", 1, 3).unwrap();
    assert_eq!(r.out(), [("a".into(), Some(1), 1)]);
    // Updating a buffered key does not grow the buffer.
    r.pipe("c", 2, 4).unwrap();
    assert!(r.out().is_empty());
}

#[test]
fn a_byte_limit_emits_early_too() {
    // Each entry: 1 key byte + 16 bytes of times + 4 (no prior) + 4 + 8.
    let r = Run::new(Suppressed::until_time_limit(
        ms(1_000),
        BufferConfig::max_bytes(66).emit_early_when_full(),
    ));
    r.pipe("a", 1, 1).unwrap();
    r.pipe("b", 1, 2).unwrap();
    assert!(r.out().is_empty(), "two entries of 33 bytes fit in 66");
    r.pipe("c", 1, 3).unwrap();
    assert_eq!(r.out(), [("a".into(), Some(1), 1)]);
}

#[test]
fn a_full_buffer_set_to_shut_down_stops_with_a_clear_error() {
    let r = Run::new(Suppressed::until_time_limit(
        ms(1_000),
        BufferConfig::max_records(1).shutdown_when_full(),
    ));
    r.pipe("a", 1, 1).unwrap();
    let err = r.pipe("b", 1, 2).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("full") && text.contains("KTABLE-SUPPRESS-"), "{text}");
    assert!(
        matches!(
            err,
            DriverError::Streams(StreamsError::BufferFull {
                records: 2,
                max_records: Some(1),
                ..
            })
        ),
        "{err:?}"
    );
    assert!(r.out().is_empty(), "nothing is emitted early or dropped");
}

#[test]
fn until_window_closes_emits_one_final_result_per_window() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .group_by_key()
        .windowed_by(TimeWindows::of_size_and_grace(ms(10), ms(5)).unwrap())
        .count()
        .suppress(Suppressed::until_window_closes(BufferConfig::unbounded()).with_name("finals"))
        .to_stream()
        .map(|k, v| (k.to_string(), v.unwrap_or(-1)))
        .to("out");
    let topology = builder.build().unwrap();
    assert!(topology.describe().to_string().contains("finals-store"));
    let driver = TopologyTestDriver::new(topology, StreamsConfig::new("sup")).unwrap();
    let input = driver.create_input_topic::<String, String>("in");
    for (k, t) in [("a", 1), ("a", 3), ("b", 9), ("a", 12), ("a", 14), ("a", 8)] {
        input.pipe_input_with_timestamp(k.into(), "v".into(), t).unwrap();
    }
    let out = driver.create_output_topic::<String, i64>("out");
    assert!(out.read_key_values_to_list().unwrap().is_empty(), "[0,10) closes at 15");
    input.pipe_input_with_timestamp("c".into(), "v".into(), 15).unwrap();
    assert_eq!(
        out.read_records_to_list()
            .unwrap()
            .into_iter()
            .map(|r| (r.key, r.value, r.timestamp))
            .collect::<Vec<_>>(),
        [("[a@0/10]".to_string(), 3, 8), ("[b@0/10]".to_string(), 1, 9)]
    );
    input.pipe_input_with_timestamp("c".into(), "v".into(), 100).unwrap();
    assert_eq!(
        out.read_key_values_to_list().unwrap(),
        [("[a@10/20]".to_string(), 2), ("[c@10/20]".to_string(), 1)]
    );
}

#[test]
fn final_session_results_drop_the_tombstones_of_merged_sessions() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .group_by_key()
        .windowed_by(SessionWindows::of_inactivity_gap_with_no_grace(ms(10)).unwrap())
        .count_with(Materialized::new().with_caching_disabled())
        .suppress(Suppressed::until_window_closes(BufferConfig::unbounded()))
        .to_stream()
        .to("out");
    let driver = TopologyTestDriver::new(builder.build().unwrap(), StreamsConfig::new("sup")).unwrap();
    let input = driver.create_input_topic::<String, String>("in");
    for t in [0, 5, 30] {
        input.pipe_input_with_timestamp("a".into(), "v".into(), t).unwrap();
    }
    let out =
        driver.create_output_topic_with_serdes("out", SessionWindowedSerde::new(StringSerde), OptionSerde(I64Serde));
    // [0,0] was merged into [0,5] (its tombstone is buffered, then dropped);
    // [0,5] closes once stream time reaches 5 + 10.
    let rows: Vec<_> = out
        .read_records_to_list()
        .unwrap()
        .into_iter()
        .map(|r| (r.key.window.start, r.key.window.end, r.value))
        .collect();
    assert_eq!(rows, [(0, 5, Some(2))]);
}

#[test]
fn until_window_closes_on_a_table_that_is_not_windowed_fails_the_build() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<Windowed<String>, i64>("in")
        .to_table(Materialized::new())
        .suppress(Suppressed::until_window_closes(BufferConfig::unbounded()));
    let err = builder.build().unwrap_err();
    assert!(matches!(err, TopologyError::InvalidOperation { .. }), "{err}");
    assert!(err.to_string().contains("windowed aggregation"), "{err}");
}

// ------------------------------------------------------------------ restart

/// Keeps everything a task writes.
#[derive(Default)]
struct Kept(Vec<(String, RawRecord)>);

impl RecordCollector for Kept {
    fn send(&mut self, r: OutgoingRecord<'_>) -> Result<(), BoxError> {
        let offset = self.0.iter().filter(|(t, _)| t == r.topic).count() as i64;
        self.0.push((
            r.topic.to_owned(),
            RawRecord {
                offset,
                timestamp: r.timestamp,
                key: r.key.map(<[u8]>::to_vec),
                value: r.value.map(<[u8]>::to_vec),
                headers: r.headers.clone(),
            },
        ));
        Ok(())
    }

    fn partition_count(&self, _: &str) -> Option<u32> {
        Some(1)
    }

    fn flush(&mut self) -> Result<(), BoxError> {
        Ok(())
    }
}

fn task(topology: &Topology, dir: &std::path::Path, kept: Rc<RefCell<Kept>>) -> StreamTask {
    let env = TaskEnv {
        config: StreamsConfig::new("sup").with_state_dir(dir),
        clock: Arc::new(MockClock::new(0)),
        collector: kept,
        cache: ThreadCache::new(0),
    };
    StreamTask::new(topology, TaskId::new(0, 0), vec![TopicPartition::new("in", 0)], env).unwrap()
}

fn input(records: &[(&str, i64, i64)], first_offset: i64) -> Vec<RawRecord> {
    records
        .iter()
        .zip(first_offset..)
        .map(|(&(k, v, t), offset)| RawRecord {
            offset,
            timestamp: t,
            key: Some(k.as_bytes().to_vec()),
            value: Some(v.to_be_bytes().to_vec()),
            headers: Default::default(),
        })
        .collect()
}

fn written(kept: &RefCell<Kept>, topic: &str) -> Vec<RawRecord> {
    kept.borrow()
        .0
        .iter()
        .filter(|(t, _)| t == topic)
        .map(|(_, r)| r.clone())
        .collect()
}

#[test]
fn the_buffer_survives_a_restart_without_losing_or_repeating_results() {
    let mut topology = table_program(Suppressed::until_time_limit(ms(10), BufferConfig::unbounded()));
    topology.bind_application_id("sup");
    let tp = TopicPartition::new("in", 0);

    // First run: a is emitted, b and c stay buffered.
    let first_dir = tempfile::tempdir().unwrap();
    let kept = Rc::new(RefCell::new(Kept::default()));
    let mut first = task(&topology, first_dir.path(), Rc::clone(&kept));
    first.initialize().unwrap();
    first
        .add_records(
            &tp,
            input(&[("a", 1, 100), ("b", 1, 105), ("a", 2, 107), ("c", 1, 111)], 0),
        )
        .unwrap();
    first.process_batch(usize::MAX).unwrap();
    first.prepare_commit().unwrap();
    first.close().unwrap();
    let out = |kept: &RefCell<Kept>| -> Vec<(Vec<u8>, i64)> {
        written(kept, "out")
            .into_iter()
            .map(|r| (r.key.unwrap(), r.timestamp))
            .collect()
    };
    assert_eq!(out(&kept), [(b"a".to_vec(), 107)]);

    // Second run elsewhere (empty state directory): the buffer is restored
    // from its changelog.
    let second_dir = tempfile::tempdir().unwrap();
    let kept_again = Rc::new(RefCell::new(Kept::default()));
    let mut second = task(&topology, second_dir.path(), Rc::clone(&kept_again));
    second.open_stores().unwrap();
    let changelogs = second.changelog_partitions();
    let buffer_log = changelogs
        .iter()
        .find(|c| c.partition.topic.contains("SUPPRESS"))
        .expect("the suppression buffer is change-logged");
    let logged = written(&kept, &buffer_log.partition.topic);
    assert!(!logged.is_empty());
    second.restore(&buffer_log.partition, &logged).unwrap();
    for other in changelogs.iter().filter(|c| !c.partition.topic.contains("SUPPRESS")) {
        second
            .restore(&other.partition, &written(&kept, &other.partition.topic))
            .unwrap();
    }
    second.complete_restore().unwrap();
    second.add_records(&tp, input(&[("d", 1, 125)], 4)).unwrap();
    second.process_batch(usize::MAX).unwrap();
    second.prepare_commit().unwrap();
    // b (buffered at 105) and c (111) are due at 125; a is not repeated.
    assert_eq!(out(&kept_again), [(b"b".to_vec(), 105), (b"c".to_vec(), 111)]);
    second.close().unwrap();
}
