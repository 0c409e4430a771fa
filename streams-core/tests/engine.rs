//! The task engine driven directly, with an in-memory collector.

// A failing test panics: that is how it reports.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use streams_core::engine::{
    OutgoingRecord, RawRecord, RecordCollector, StreamTask, TaskEnv, TaskId, TaskState, TopicPartition,
};
use streams_core::prelude::*;
use streams_core::{BoxError, MockClock};

#[derive(Default)]
struct Collected {
    records: Vec<(String, Option<Vec<u8>>, i64)>,
    flushes: usize,
}

impl RecordCollector for Collected {
    fn send(&mut self, r: OutgoingRecord<'_>) -> Result<(), BoxError> {
        self.records
            .push((r.topic.to_owned(), r.value.map(<[u8]>::to_vec), r.timestamp));
        Ok(())
    }
    fn partition_count(&self, _topic: &str) -> Option<u32> {
        Some(4)
    }
    fn flush(&mut self) -> Result<(), BoxError> {
        self.flushes += 1;
        Ok(())
    }
}

/// Forwards the value with the current stream time appended.
struct StreamTimeTag;

impl Processor<String, String> for StreamTimeTag {
    fn process(&mut self, ctx: &mut ProcessorContext<String, String>, r: Record<String, String>) -> ProcessResult {
        if r.key == "commit" {
            ctx.commit();
        }
        let tagged = format!("{}@{}", r.value, ctx.current_stream_time());
        ctx.forward(r.with_value(tagged))?;
        Ok(())
    }
}

fn topology() -> Topology {
    let mut t = Topology::new();
    t.add_source("src", Source::<String, String>::new(["a", "b"]))
        .unwrap()
        .add_processor("tag", || StreamTimeTag, &["src"])
        .unwrap()
        .add_sink(
            "sink",
            Sink::<String, String>::new("out").with_partitioner(|_, k: &String, _, n| Some(k.len() as u32 % n)),
            &["tag"],
        )
        .unwrap();
    t
}

fn raw(offset: i64, timestamp: i64, key: &str, value: &str) -> RawRecord {
    RawRecord {
        offset,
        timestamp,
        key: Some(key.as_bytes().to_vec()),
        value: Some(value.as_bytes().to_vec()),
        headers: Headers::new(),
    }
}

fn task(collector: Rc<RefCell<Collected>>) -> StreamTask {
    let env = TaskEnv {
        config: StreamsConfig::new("engine-test"),
        clock: Arc::new(MockClock::new(0)),
        collector,
        cache: streams_core::store::ThreadCache::new(0),
    };
    let inputs = vec![TopicPartition::new("a", 3), TopicPartition::new("b", 3)];
    StreamTask::new(&topology(), TaskId::new(0, 3), inputs, env).unwrap()
}

#[test]
fn picks_the_smallest_head_timestamp_and_tracks_stream_time() {
    let collector = Rc::new(RefCell::new(Collected::default()));
    let mut task = task(collector.clone());
    task.initialize().unwrap();
    assert_eq!(task.state(), TaskState::Running);
    let (a, b) = (TopicPartition::new("a", 3), TopicPartition::new("b", 3));
    task.add_records(&a, [raw(10, 5, "k", "a5"), raw(11, 1, "k", "a1")])
        .unwrap();
    task.add_records(&b, [raw(20, 3, "k", "b3"), raw(21, 2, "k", "b2")])
        .unwrap();
    assert_eq!(task.records_queued(), 4);
    while task.process().unwrap() {}
    let values: Vec<String> = collector
        .borrow()
        .records
        .iter()
        .map(|(_, v, _)| String::from_utf8(v.clone().unwrap()).unwrap())
        .collect();
    // Heads 5 (a) and 3 (b): b3 first; then b2 (stream time stays 3); then a5, a1.
    assert_eq!(values, ["b3@3", "b2@3", "a5@5", "a1@5"]);
    assert_eq!(task.stream_time(), 5);
    assert_eq!(task.metrics().processed_records, 4);

    assert!(task.commit_needed());
    let offsets = task.prepare_commit().unwrap();
    assert_eq!(offsets.into_iter().collect::<Vec<_>>(), vec![(a, 12), (b, 22)]);
    assert!(!task.commit_needed());
    assert_eq!(collector.borrow().flushes, 1);
}

#[test]
fn processors_can_request_a_commit() {
    let collector = Rc::new(RefCell::new(Collected::default()));
    let mut task = task(collector);
    task.initialize().unwrap();
    task.add_records(&TopicPartition::new("a", 3), [raw(0, 1, "commit", "x")])
        .unwrap();
    task.process().unwrap();
    task.prepare_commit().unwrap();
    assert!(!task.commit_needed());
}

#[test]
fn lifecycle_is_enforced() {
    let collector = Rc::new(RefCell::new(Collected::default()));
    let mut task = task(collector);
    let err = task.process().unwrap_err();
    assert_eq!(err.to_string(), "task 0_3 cannot go from CREATED to processing");
    let err = task
        .add_records(&TopicPartition::new("c", 3), [raw(0, 1, "k", "v")])
        .unwrap_err();
    assert_eq!(err.to_string(), "task 0_3 does not own partition c-3");
    task.initialize().unwrap();
    assert!(task.initialize().is_err(), "initialising twice is illegal");
    task.close().unwrap();
    assert_eq!(task.state(), TaskState::Closed);
    task.close().unwrap();
    assert!(task.process().is_err());
}

#[test]
fn tasks_only_accept_partitions_their_sources_read() {
    let collector = Rc::new(RefCell::new(Collected::default()));
    let env = TaskEnv {
        config: StreamsConfig::new("engine-test"),
        clock: Arc::new(MockClock::new(0)),
        collector,
        cache: streams_core::store::ThreadCache::new(0),
    };
    let err = StreamTask::new(
        &topology(),
        TaskId::new(0, 0),
        vec![TopicPartition::new("zzz", 0)],
        env.clone(),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "task 0_0 does not own partition zzz-0");
    let err = StreamTask::new(&topology(), TaskId::new(7, 0), vec![], env.clone()).unwrap_err();
    assert!(err.to_string().contains("no sub-topology 7"), "{err}");
    let bad = TaskEnv {
        config: StreamsConfig::new("has space"),
        ..env
    };
    assert!(StreamTask::new(&topology(), TaskId::new(0, 0), vec![], bad).is_err());
}

#[test]
fn custom_partitioner_chooses_the_partition() {
    let collector = Rc::new(RefCell::new(Collected::default()));
    let seen = Rc::new(RefCell::new(Vec::new()));
    struct Spy(Rc<RefCell<Vec<Option<i32>>>>);
    impl RecordCollector for Spy {
        fn send(&mut self, r: OutgoingRecord<'_>) -> Result<(), BoxError> {
            self.0.borrow_mut().push(r.partition);
            Ok(())
        }
        fn partition_count(&self, _topic: &str) -> Option<u32> {
            Some(4)
        }
        fn flush(&mut self) -> Result<(), BoxError> {
            Ok(())
        }
    }
    drop(collector);
    let env = TaskEnv {
        config: StreamsConfig::new("engine-test"),
        clock: Arc::new(MockClock::new(0)),
        collector: Rc::new(RefCell::new(Spy(seen.clone()))),
        cache: streams_core::store::ThreadCache::new(0),
    };
    let mut task = StreamTask::new(&topology(), TaskId::new(0, 3), vec![TopicPartition::new("a", 3)], env).unwrap();
    task.initialize().unwrap();
    task.add_records(
        &TopicPartition::new("a", 3),
        [raw(0, 1, "abcde", "x"), raw(1, 1, "ab", "y")],
    )
    .unwrap();
    while task.process().unwrap() {}
    assert_eq!(*seen.borrow(), vec![Some(1), Some(2)]);
}

/// Forwards each record, and a marker at each stream-time punctuation (every 10).
struct Marks;

impl Processor<String, String> for Marks {
    fn init(&mut self, ctx: &mut ProcessorContext<String, String>) -> ProcessResult {
        ctx.schedule(std::time::Duration::from_millis(10), PunctuationType::StreamTime)?;
        Ok(())
    }
    fn process(&mut self, ctx: &mut ProcessorContext<String, String>, r: Record<String, String>) -> ProcessResult {
        ctx.forward(r)?;
        Ok(())
    }
    fn punctuate(&mut self, ctx: &mut ProcessorContext<String, String>, p: Punctuation) -> ProcessResult {
        ctx.forward(Record::new("k".to_string(), "tick".to_string(), p.timestamp))?;
        Ok(())
    }
}

fn marks_task(inputs: &[&str], collector: Rc<RefCell<Collected>>) -> StreamTask {
    let mut t = Topology::new();
    t.add_source("src", Source::<String, String>::new(["a", "b"]))
        .unwrap()
        .add_processor("marks", || Marks, &["src"])
        .unwrap()
        .add_sink("sink", Sink::<String, String>::new("out"), &["marks"])
        .unwrap();
    let env = TaskEnv {
        config: StreamsConfig::new("engine-test"),
        clock: Arc::new(MockClock::new(0)),
        collector,
        cache: streams_core::store::ThreadCache::new(0),
    };
    let inputs = inputs.iter().map(|t| TopicPartition::new(*t, 0)).collect();
    let mut task = StreamTask::new(&t, TaskId::new(0, 0), inputs, env).unwrap();
    task.initialize().unwrap();
    task
}

#[test]
fn process_batch_matches_record_at_a_time_processing() {
    let timestamps = [5, 7, 10, 25, 26, 41, 39, 60, 61];
    for inputs in [&["a"][..], &["a", "b"][..]] {
        let run = |batch: Option<usize>| {
            let collector = Rc::new(RefCell::new(Collected::default()));
            let mut task = marks_task(inputs, collector.clone());
            for (i, ts) in timestamps.iter().enumerate() {
                let tp = TopicPartition::new(inputs[i % inputs.len()], 0);
                task.add_records(&tp, [raw(i as i64, *ts, "k", &ts.to_string())])
                    .unwrap();
            }
            let processed = match batch {
                None => {
                    let mut n = 0;
                    while task.process().unwrap() {
                        task.maybe_punctuate_stream_time().unwrap();
                        n += 1;
                    }
                    n
                }
                Some(max) => {
                    let mut n = 0;
                    loop {
                        let done = task.process_batch(max).unwrap();
                        if done == 0 {
                            break;
                        }
                        n += done;
                    }
                    n
                }
            };
            assert_eq!(processed, timestamps.len());
            let offsets = task.prepare_commit().unwrap();
            let out: Vec<String> = collector
                .borrow()
                .records
                .iter()
                .map(|(_, v, ts)| format!("{}@{ts}", String::from_utf8(v.clone().unwrap()).unwrap()))
                .collect();
            (out, offsets, task.metrics())
        };
        let one_by_one = run(None);
        assert_eq!(run(Some(usize::MAX)), one_by_one, "inputs {inputs:?}");
        assert_eq!(run(Some(2)), one_by_one, "inputs {inputs:?}");
        if inputs.len() == 1 {
            assert_eq!(
                one_by_one.0,
                [
                    "5@5", "tick@5", "7@7", "10@10", "tick@10", "25@25", "tick@25", "26@26", "41@41", "tick@41",
                    "39@39", "60@60", "tick@60", "61@61"
                ]
            );
        }
    }
}
