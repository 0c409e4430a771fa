//! Stateless chain through the task engine vs. a hand-written loop.
//!
//! Both sides consume the same owned batch of raw records (String keys and
//! values of ~20 bytes) and do the same work per record: decode key and value
//! from UTF-8, a filter closure, a map_values closure, encode key and value into
//! reused buffers, and hand the bytes to a sink that adds up their lengths. The
//! engine side runs source -> filter -> map_values -> sink as a Processor-API
//! topology inside a `StreamTask` (`process_batch`, the loop the Kafka runtime
//! uses), with one commit per batch.
//!
//! Run with `cargo bench -p streams-core --bench stateless_chain`. Criterion
//! reports each side; then the two are measured interleaved (alternating on the
//! same batch, so machine noise hits both alike) and the bench prints both
//! rates and the median ratio engine / hand-written, the figure to quote. On a
//! shared machine the ratio still moves between processes (heap layout): quote
//! the median of several runs.

// A benchmark that cannot set itself up panics: that is how it reports.
#![allow(clippy::unwrap_used, missing_docs)]

use std::cell::RefCell;
use std::hint::black_box;
use std::rc::Rc;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput};
use streams_core::engine::{OutgoingRecord, RawRecord, RecordCollector, StreamTask, TaskEnv, TaskId, TopicPartition};
use streams_core::prelude::*;
use streams_core::{BoxError, MockClock};

const RECORDS: usize = 100_000;
const GROUP: &str = "stateless_chain";

fn keep(value: &str) -> bool {
    !value.ends_with('7')
}

fn transform(value: String) -> String {
    value.to_ascii_uppercase()
}

fn input() -> Vec<RawRecord> {
    (0..RECORDS)
        .map(|i| RawRecord {
            offset: i as i64,
            timestamp: 1_700_000_000_000 + i as i64,
            key: Some(format!("user-{:015}", i % 5_000).into_bytes()),
            value: Some(format!("page-view-{i:010}").into_bytes()),
            headers: Headers::new(),
        })
        .collect()
}

/// The sink both sides write to: adds up the bytes it is given.
#[derive(Default)]
struct CountingSink {
    bytes: usize,
}

impl RecordCollector for CountingSink {
    fn send(&mut self, r: OutgoingRecord<'_>) -> Result<(), BoxError> {
        self.bytes += black_box(r.key.map_or(0, <[u8]>::len) + r.value.map_or(0, <[u8]>::len));
        Ok(())
    }
    fn partition_count(&self, _topic: &str) -> Option<u32> {
        Some(1)
    }
    fn flush(&mut self) -> Result<(), BoxError> {
        Ok(())
    }
}

struct Filter;

impl Processor<String, String> for Filter {
    fn process(&mut self, ctx: &mut ProcessorContext<String, String>, r: Record<String, String>) -> ProcessResult {
        if keep(&r.value) {
            ctx.forward(r)?;
        }
        Ok(())
    }
}

struct MapValues;

impl Processor<String, String> for MapValues {
    fn process(&mut self, ctx: &mut ProcessorContext<String, String>, r: Record<String, String>) -> ProcessResult {
        let Record {
            key,
            value,
            timestamp,
            headers,
        } = r;
        ctx.forward(Record {
            key,
            value: transform(value),
            timestamp,
            headers,
        })?;
        Ok(())
    }
}

fn engine_task(sink: Rc<RefCell<CountingSink>>) -> StreamTask {
    let mut topology = Topology::new();
    topology
        .add_source("source", Source::<String, String>::new("in"))
        .unwrap()
        .add_processor("filter", || Filter, &["source"])
        .unwrap()
        .add_processor("map-values", || MapValues, &["filter"])
        .unwrap()
        .add_sink("sink", Sink::<String, String>::new("out"), &["map-values"])
        .unwrap();
    let env = TaskEnv {
        config: StreamsConfig::new("bench"),
        clock: Arc::new(MockClock::new(0)),
        collector: sink,
        cache: streams_core::store::ThreadCache::new(0),
    };
    let mut task = StreamTask::new(&topology, TaskId::new(0, 0), vec![TopicPartition::new("in", 0)], env).unwrap();
    task.initialize().unwrap();
    task
}

fn hand_written(batch: Vec<RawRecord>, sink: &mut CountingSink, kbuf: &mut Vec<u8>, vbuf: &mut Vec<u8>) {
    for raw in batch {
        let key = std::str::from_utf8(raw.key.as_deref().unwrap()).unwrap().to_owned();
        let value = std::str::from_utf8(raw.value.as_deref().unwrap()).unwrap().to_owned();
        if !keep(&value) {
            continue;
        }
        let value = transform(value);
        kbuf.clear();
        kbuf.extend_from_slice(key.as_bytes());
        vbuf.clear();
        vbuf.extend_from_slice(value.as_bytes());
        sink.send(OutgoingRecord {
            topic: "out",
            partition: None,
            key: Some(kbuf),
            value: Some(vbuf),
            timestamp: raw.timestamp,
            headers: &raw.headers,
        })
        .unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let data = input();
    let mut group = c.benchmark_group(GROUP);
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.sample_size(20);

    let engine_sink = Rc::new(RefCell::new(CountingSink::default()));
    let mut task = engine_task(engine_sink.clone());
    let tp = TopicPartition::new("in", 0);
    group.bench_function("engine", |b| {
        b.iter_batched(
            || data.clone(),
            |batch| {
                task.add_records(&tp, batch).unwrap();
                task.process_batch(usize::MAX).unwrap();
                task.prepare_commit().unwrap();
            },
            BatchSize::LargeInput,
        );
    });

    let mut sink = CountingSink::default();
    let (mut kbuf, mut vbuf) = (Vec::new(), Vec::new());
    group.bench_function("hand_written", |b| {
        b.iter_batched(
            || data.clone(),
            |batch| hand_written(batch, &mut sink, &mut kbuf, &mut vbuf),
            BatchSize::LargeInput,
        );
    });
    group.finish();

    // Both sides must have done the same work (per full pass).
    let mut check_engine = CountingSink::default();
    let mut check_hand = CountingSink::default();
    let (mut kb, mut vb) = (Vec::new(), Vec::new());
    hand_written(data.clone(), &mut check_hand, &mut kb, &mut vb);
    let sink2 = Rc::new(RefCell::new(CountingSink::default()));
    let mut t2 = engine_task(sink2.clone());
    t2.add_records(&tp, data).unwrap();
    t2.process_batch(usize::MAX).unwrap();
    check_engine.bytes = sink2.borrow().bytes;
    assert_eq!(
        check_engine.bytes, check_hand.bytes,
        "engine and hand-written loop disagree"
    );
}

/// Engine and hand-written loop, alternated on the same batch for `rounds`
/// rounds (the order flips each round so neither side always runs warm), so
/// that machine noise lands on both sides alike. Returns the median rate of
/// each side and the median of the per-round ratios.
fn interleaved(data: &[RawRecord], rounds: usize) -> (f64, f64, f64) {
    let sink = Rc::new(RefCell::new(CountingSink::default()));
    let mut task = engine_task(sink);
    let tp = TopicPartition::new("in", 0);
    let mut hand_sink = CountingSink::default();
    let (mut kbuf, mut vbuf) = (Vec::new(), Vec::new());
    let mut run_engine = |batch: Vec<RawRecord>| {
        let start = std::time::Instant::now();
        task.add_records(&tp, batch).unwrap();
        task.process_batch(usize::MAX).unwrap();
        task.prepare_commit().unwrap();
        start.elapsed().as_secs_f64()
    };
    let mut run_hand = |batch: Vec<RawRecord>| {
        let start = std::time::Instant::now();
        hand_written(batch, &mut hand_sink, &mut kbuf, &mut vbuf);
        start.elapsed().as_secs_f64()
    };
    let (mut engine, mut hand, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (a, b) = (data.to_vec(), data.to_vec());
        let (e, h) = if round % 2 == 0 {
            let e = run_engine(a);
            (e, run_hand(b))
        } else {
            let h = run_hand(b);
            (run_engine(a), h)
        };
        engine.push(data.len() as f64 / e);
        hand.push(data.len() as f64 / h);
        ratios.push(h / e);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (median(&mut engine), median(&mut hand), median(&mut ratios))
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
    // Only a real measurement run (`cargo bench`) writes fresh estimates.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rounds = 60;
    let (engine, hand, ratio) = interleaved(&input(), rounds);
    println!("\nstateless chain, {RECORDS} records per batch, interleaved A/B over {rounds} rounds (medians):");
    println!("  engine        {engine:>12.0} records/s");
    println!("  hand-written  {hand:>12.0} records/s");
    println!("  ratio engine / hand-written = {ratio:.3} (target >= 0.75)");
}
