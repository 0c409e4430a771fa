//! DSL benchmarks, each side by side with its baseline in one run.
//!
//! 1. Stateless chain (the foundation benchmark's `filter -> map_values`, and
//!    a longer five-step chain): the same work as a hand-built Processor-API
//!    topology, as a DSL topology lowered one processor per operation (fusion
//!    off, as Kafka Streams runs it), and as a DSL topology with the fusion
//!    rule on. All three run inside a `StreamTask` (`process_batch`).
//! 2. DSL word count through the task engine (split, repartition, count), with
//!    an in-memory and with a RocksDB store, against a hand-written loop doing
//!    the same split, get and put on the same store type.
//!
//! Run with `cargo bench -p streams-dsl --bench dsl`. Criterion reports each
//! side; then the sides are measured interleaved (alternating on the same
//! batch, order rotating each round, so machine noise hits all alike) and the
//! bench prints medians of rates and of per-round ratios, the figures to quote.
//! Under `cargo test` (no `--bench` argument) everything runs once on small
//! inputs and the sides are checked to agree.

// A benchmark that cannot set itself up panics: that is how it reports.
#![allow(clippy::unwrap_used, missing_docs)]

use std::cell::RefCell;
use std::hint::black_box;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use criterion::{BatchSize, Criterion, Throughput};
use state_stores::Stores;
use streams_core::engine::{OutgoingRecord, RawRecord, RecordCollector, StreamTask, TaskEnv, TaskId, TopicPartition};
use streams_core::store::{StateStoreContext, ThreadCache, ValueAndTimestamp};
use streams_core::{BoxError, MockClock, StateStore};
use streams_dsl::prelude::*;
use streams_dsl::{Optimizations, StoreType};

fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn records() -> usize {
    if measuring() { 100_000 } else { 2_000 }
}

fn keep(value: &str) -> bool {
    !value.ends_with('7')
}

fn transform(value: String) -> String {
    value.to_ascii_uppercase()
}

fn chain_input() -> Vec<RawRecord> {
    (0..records())
        .map(|i| RawRecord {
            offset: i as i64,
            timestamp: 1_700_000_000_000 + i as i64,
            key: Some(format!("user-{:015}", i % 5_000).into_bytes()),
            value: Some(format!("page-view-{i:010}").into_bytes()),
            headers: Headers::new(),
        })
        .collect()
}

/// Adds up the bytes it is given; keeps the records when asked (to feed a
/// repartition topic to the next task).
#[derive(Default)]
struct Collect {
    bytes: usize,
    keep: bool,
    kept: Vec<RawRecord>,
}

impl RecordCollector for Collect {
    fn send(&mut self, r: OutgoingRecord<'_>) -> Result<(), BoxError> {
        self.bytes += black_box(r.key.map_or(0, <[u8]>::len) + r.value.map_or(0, <[u8]>::len));
        if self.keep {
            self.kept.push(RawRecord {
                offset: self.kept.len() as i64,
                timestamp: r.timestamp,
                key: r.key.map(<[u8]>::to_vec),
                value: r.value.map(<[u8]>::to_vec),
                headers: r.headers.clone(),
            });
        }
        Ok(())
    }
    fn partition_count(&self, _topic: &str) -> Option<u32> {
        Some(1)
    }
    fn flush(&mut self) -> Result<(), BoxError> {
        Ok(())
    }
}

fn task(
    mut topology: Topology,
    sub: u32,
    input: &str,
    collector: Rc<RefCell<Collect>>,
    dir: &std::path::Path,
) -> StreamTask {
    topology.bind_application_id("bench");
    let env = TaskEnv {
        config: StreamsConfig::new("bench").with_state_dir(dir),
        clock: Arc::new(MockClock::new(0)),
        collector,
        cache: ThreadCache::new(0),
    };
    let mut task = StreamTask::new(&topology, TaskId::new(sub, 0), vec![TopicPartition::new(input, 0)], env).unwrap();
    task.initialize().unwrap();
    task
}

// ------------------------------------------------------------ stateless chain

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
        let v = transform(r.value.clone());
        ctx.forward(r.with_value(v))?;
        Ok(())
    }
}

struct Peek;

impl Processor<String, String> for Peek {
    fn process(&mut self, ctx: &mut ProcessorContext<String, String>, r: Record<String, String>) -> ProcessResult {
        black_box(&r.value);
        ctx.forward(r)?;
        Ok(())
    }
}

/// The hand-built chain: `steps` 2 is filter -> map_values; 5 adds peek,
/// map_values, filter.
fn papi_chain(steps: usize) -> Topology {
    let mut t = Topology::new();
    t.add_source("source", Source::<String, String>::new("in")).unwrap();
    t.add_processor("p0", || Filter, &["source"]).unwrap();
    t.add_processor("p1", || MapValues, &["p0"]).unwrap();
    let mut last = "p1";
    if steps == 5 {
        t.add_processor("p2", || Peek, &["p1"]).unwrap();
        t.add_processor("p3", || MapValues, &["p2"]).unwrap();
        t.add_processor("p4", || Filter, &["p3"]).unwrap();
        last = "p4";
    }
    t.add_sink("sink", Sink::<String, String>::new("out"), &[last]).unwrap();
    t
}

fn dsl_chain(steps: usize, fused: bool) -> Topology {
    let builder = StreamsBuilder::new();
    let mut s = builder
        .stream::<String, String>("in")
        .filter(|_, v| keep(v))
        .map_values(|v| transform(v.clone()));
    if steps == 5 {
        s = s
            .peek(|_, v| {
                black_box(v);
            })
            .map_values(|v| transform(v.clone()))
            .filter(|_, v| keep(v));
    }
    s.to("out");
    let rules = if fused {
        Optimizations::parse("fuse.stateless.operations").unwrap()
    } else {
        Optimizations::none()
    };
    builder.build_optimized(&rules).unwrap()
}

struct ChainSide {
    name: &'static str,
    task: StreamTask,
    sink: Rc<RefCell<Collect>>,
}

fn chain_sides(steps: usize, dir: &std::path::Path) -> Vec<ChainSide> {
    let make = |name, topology| {
        let sink = Rc::new(RefCell::new(Collect::default()));
        ChainSide {
            name,
            task: task(topology, 0, "in", Rc::clone(&sink), dir),
            sink,
        }
    };
    // Built in reverse of the order reported, so the baseline is not the
    // side that gets the first (and best placed) allocations.
    let fused = make("dsl-fused", dsl_chain(steps, true));
    let unfused = make("dsl-unfused", dsl_chain(steps, false));
    let papi = make("processor-api", papi_chain(steps));
    vec![papi, unfused, fused]
}

fn run_chain(side: &mut ChainSide, batch: Vec<RawRecord>) -> f64 {
    let tp = TopicPartition::new("in", 0);
    let start = Instant::now();
    side.task.add_records(&tp, batch).unwrap();
    side.task.process_batch(usize::MAX).unwrap();
    side.task.prepare_commit().unwrap();
    start.elapsed().as_secs_f64()
}

// ----------------------------------------------------------------- word count

fn lines() -> Vec<RawRecord> {
    let words = [
        "kafka", "streams", "rust", "state", "store", "table", "topic", "record", "window", "join",
    ];
    (0..records() / 10)
        .map(|i| {
            let line: Vec<String> = (0..10)
                .map(|j| format!("{}{}", words[(i + j) % 10], (i * 7 + j) % 500))
                .collect();
            RawRecord {
                offset: i as i64,
                timestamp: i as i64,
                key: None,
                value: Some(line.join(" ").into_bytes()),
                headers: Headers::new(),
            }
        })
        .collect()
}

fn word_count_topology(store: StoreType) -> Topology {
    let builder = StreamsBuilder::new();
    builder
        .stream::<Option<String>, String>("lines")
        .flat_map_values(|l| l.split(' ').map(str::to_owned).collect::<Vec<_>>())
        .group_by_with(|_, w| w.clone(), Grouped::as_("words"))
        .count_with(
            Materialized::as_("counts")
                .with_store_type(store)
                .with_caching_disabled()
                .with_logging_disabled(),
        )
        .to_stream()
        .to("counts-out");
    builder.build_optimized(&Optimizations::all()).unwrap()
}

/// The DSL word count: task 0 splits and writes the repartition topic, task 1
/// reads it back and counts.
struct DslWordCount {
    split: StreamTask,
    split_out: Rc<RefCell<Collect>>,
    count: StreamTask,
    count_out: Rc<RefCell<Collect>>,
}

impl DslWordCount {
    fn new(store: StoreType, dir: &std::path::Path) -> Self {
        let split_out = Rc::new(RefCell::new(Collect {
            keep: true,
            ..Collect::default()
        }));
        let count_out = Rc::new(RefCell::new(Collect::default()));
        let topology = word_count_topology(store);
        let split = task(word_count_topology(store), 0, "lines", Rc::clone(&split_out), dir);
        drop(topology);
        let count = task(
            word_count_topology(store),
            1,
            "bench-words-repartition",
            Rc::clone(&count_out),
            dir,
        );
        Self {
            split,
            split_out,
            count,
            count_out,
        }
    }

    fn run(&mut self, batch: Vec<RawRecord>) -> f64 {
        let start = Instant::now();
        self.split.add_records(&TopicPartition::new("lines", 0), batch).unwrap();
        self.split.process_batch(usize::MAX).unwrap();
        self.split.prepare_commit().unwrap();
        let repartitioned = std::mem::take(&mut self.split_out.borrow_mut().kept);
        self.count
            .add_records(&TopicPartition::new("bench-words-repartition", 0), repartitioned)
            .unwrap();
        self.count.process_batch(usize::MAX).unwrap();
        self.count.prepare_commit().unwrap();
        start.elapsed().as_secs_f64()
    }
}

/// The hand-written loop: decode, split, get, put (the same timestamped
/// store, no cache, no changelog), encode and hand each count to a sink.
struct HandWordCount {
    store: Box<dyn KeyValueStore<String, ValueAndTimestamp<i64>>>,
    out: Collect,
    kbuf: Vec<u8>,
}

impl HandWordCount {
    fn new(store_type: StoreType, dir: &std::path::Path) -> Self {
        let supplier = match store_type {
            StoreType::RocksDb => Stores::persistent_timestamped_key_value_store("hand-counts"),
            StoreType::InMemory => Stores::in_memory_key_value_store("hand-counts"),
        };
        let builder = Stores::timestamped_key_value_store_builder(
            supplier,
            streams_core::serde::StringSerde,
            streams_core::serde::I64Serde,
        )
        .with_caching_disabled()
        .with_logging_disabled();
        let mut store = builder.build_store();
        store
            .init(&StateStoreContext::new("bench", TaskId::new(9, 0), dir.join("hand")))
            .unwrap();
        Self {
            store: Box::new(store),
            out: Collect::default(),
            kbuf: Vec::new(),
        }
    }

    fn run(&mut self, batch: Vec<RawRecord>) -> f64 {
        let start = Instant::now();
        for raw in batch {
            let line = String::from_utf8(raw.value.unwrap()).unwrap();
            for word in line.split(' ') {
                let word = word.to_owned();
                let (count, ts) = match self.store.get(&word).unwrap() {
                    Some(v) => (v.value + 1, v.timestamp.max(raw.timestamp)),
                    None => (1, raw.timestamp),
                };
                self.store.put(&word, &ValueAndTimestamp::new(count, ts)).unwrap();
                self.kbuf.clear();
                self.kbuf.extend_from_slice(word.as_bytes());
                self.out
                    .send(OutgoingRecord {
                        topic: "counts-out",
                        partition: None,
                        key: Some(&self.kbuf),
                        value: Some(&count.to_be_bytes()),
                        timestamp: ts,
                        headers: &raw.headers,
                    })
                    .unwrap();
            }
        }
        self.store.flush().unwrap();
        start.elapsed().as_secs_f64()
    }
}

// ---------------------------------------------------------------------- runs

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn criterion_runs(c: &mut Criterion, dir: &std::path::Path) {
    let data = chain_input();
    for steps in [2, 5] {
        let mut group = c.benchmark_group(format!("stateless_chain_{steps}"));
        group.throughput(Throughput::Elements(data.len() as u64));
        group.sample_size(10);
        for mut side in chain_sides(steps, dir) {
            group.bench_function(side.name, |b| {
                b.iter_batched(
                    || data.clone(),
                    |batch| run_chain(&mut side, batch),
                    BatchSize::LargeInput,
                );
            });
        }
        group.finish();
    }
    let text = lines();
    let mut group = c.benchmark_group("word_count");
    group.throughput(Throughput::Elements(text.len() as u64));
    group.sample_size(10);
    for (label, store) in [("memory", StoreType::InMemory), ("rocksdb", StoreType::RocksDb)] {
        let mut dsl = DslWordCount::new(store, &dir.join(format!("dsl-{label}")));
        group.bench_function(format!("dsl_{label}"), |b| {
            b.iter_batched(|| text.clone(), |batch| dsl.run(batch), BatchSize::LargeInput);
        });
        let mut hand = HandWordCount::new(store, &dir.join(format!("hand-{label}")));
        group.bench_function(format!("hand_{label}"), |b| {
            b.iter_batched(|| text.clone(), |batch| hand.run(batch), BatchSize::LargeInput);
        });
    }
    group.finish();
}

/// Every side must do the same work: same bytes out of the chains, same
/// counts out of both word counts.
fn check_agreement(dir: &std::path::Path) {
    let data = chain_input();
    for steps in [2, 5] {
        let mut sides = chain_sides(steps, &dir.join(format!("check-{steps}")));
        let bytes: Vec<usize> = sides
            .iter_mut()
            .map(|s| {
                run_chain(s, data.clone());
                s.sink.borrow().bytes
            })
            .collect();
        assert!(
            bytes.iter().all(|b| *b == bytes[0] && *b > 0),
            "chain sides disagree: {bytes:?}"
        );
    }
    for store in [StoreType::InMemory, StoreType::RocksDb] {
        let mut dsl = DslWordCount::new(store, &dir.join(format!("check-dsl-{store:?}")));
        let mut hand = HandWordCount::new(store, &dir.join(format!("check-hand-{store:?}")));
        dsl.run(lines());
        hand.run(lines());
        assert_eq!(
            dsl.count_out.borrow().bytes,
            hand.out.bytes,
            "word counts disagree ({store:?})"
        );
        assert!(hand.out.bytes > 0);
    }
}

fn interleaved_chain(steps: usize, rounds: usize, dir: &std::path::Path) {
    let data = chain_input();
    let mut sides = chain_sides(steps, dir);
    let mut times = vec![Vec::new(); sides.len()];
    for round in 0..rounds {
        let n = sides.len();
        for k in 0..n {
            let i = (round + k) % n;
            times[i].push(run_chain(&mut sides[i], data.clone()));
        }
    }
    let rate = |t: &[f64]| {
        let mut r: Vec<f64> = t.iter().map(|s| data.len() as f64 / s).collect();
        median(&mut r)
    };
    let ratio = |a: usize, b: usize| {
        let mut r: Vec<f64> = times[b].iter().zip(&times[a]).map(|(tb, ta)| tb / ta).collect();
        median(&mut r)
    };
    println!(
        "\nstateless chain of {steps} operations, {} records per batch, interleaved over {rounds} rounds (medians):",
        data.len()
    );
    for (i, s) in sides.iter().enumerate() {
        println!("  {:<14} {:>12.0} records/s", s.name, rate(&times[i]));
    }
    println!("  ratio dsl-fused / processor-api = {:.3} (target >= 1.0)", ratio(2, 0));
    println!("  ratio dsl-unfused / processor-api = {:.3}", ratio(1, 0));
    println!("  ratio dsl-fused / dsl-unfused (fusion gain) = {:.3}", ratio(2, 1));
}

fn interleaved_word_count(store: StoreType, rounds: usize, dir: &std::path::Path) {
    let text = lines();
    let words = text.len() * 10;
    let mut dsl = DslWordCount::new(store, &dir.join(format!("il-dsl-{store:?}")));
    let mut hand = HandWordCount::new(store, &dir.join(format!("il-hand-{store:?}")));
    let (mut d, mut h, mut r) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (td, th) = if round % 2 == 0 {
            let td = dsl.run(text.clone());
            (td, hand.run(text.clone()))
        } else {
            let th = hand.run(text.clone());
            (dsl.run(text.clone()), th)
        };
        d.push(text.len() as f64 / td);
        h.push(text.len() as f64 / th);
        r.push(th / td);
    }
    println!(
        "\nword count ({store:?} store), {} lines / {words} words per batch, interleaved over {rounds} rounds (medians):",
        text.len()
    );
    println!("  dsl (split, repartition, count)  {:>10.0} lines/s", median(&mut d));
    println!("  hand-written loop                {:>10.0} lines/s", median(&mut h));
    println!("  ratio dsl / hand-written = {:.3}", median(&mut r));
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    check_agreement(&dir.join("check"));
    let mut c = Criterion::default().configure_from_args();
    criterion_runs(&mut c, &dir.join("criterion"));
    c.final_summary();
    if measuring() {
        interleaved_chain(2, 40, &dir.join("il-2"));
        interleaved_chain(5, 40, &dir.join("il-5"));
        interleaved_word_count(StoreType::InMemory, 20, dir);
        interleaved_word_count(StoreType::RocksDb, 20, dir);
    }
}
