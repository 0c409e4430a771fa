//! Tumbling-window count, each side by side with its baseline in one run.
//!
//! The DSL side (`group_by_key().windowed_by(1-minute tumbling).count()`,
//! caching and changelog off) runs inside a `StreamTask`; the baseline is a
//! hand-written loop doing the same decode, window-store fetch and put, and
//! encode on the same store type, with the same layers. Both run on an
//! in-memory and on a RocksDB window store: 1,000,000 records over 100,000
//! keys per batch, each key ten times within one window (one miss, nine
//! hits). Each batch is shifted past the previous one in time, so no record
//! is ever late and the store expires old windows as in steady state.
//!
//! Run with `cargo bench -p streams-dsl --bench windows`. Criterion reports
//! each side; then the sides run interleaved (alternating, order swapping
//! each round) and the bench prints median rates and the median per-round
//! ratio. Under `cargo test` everything runs once on small inputs and the
//! sides are checked to write the same bytes.

// A benchmark that cannot set itself up panics: that is how it reports.
#![allow(clippy::unwrap_used, missing_docs)]

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput};
use state_stores::Stores;
use streams_core::engine::{OutgoingRecord, RawRecord, RecordCollector, StreamTask, TaskEnv, TaskId, TopicPartition};
use streams_core::serde::{I64Serde, StringSerde, TimeWindowedSerde};
use streams_core::store::{StateStoreContext, ThreadCache, TimestampedSerde, ValueAndTimestamp, Window, WindowStore};
use streams_core::{BoxError, MockClock, Serde, StateStore};
use streams_dsl::StoreType;
use streams_dsl::prelude::*;
use streams_dsl::windows::TimeWindows;

const WINDOW_MS: i64 = 60_000;

fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn records() -> usize {
    if measuring() { 1_000_000 } else { 20_000 }
}

fn keys() -> usize {
    records() / 10
}

/// Batch `run`: keys in round-robin order, timestamps spread over half a
/// window, the whole batch two windows after the previous one.
fn batch(run: i64) -> Vec<RawRecord> {
    let n = records();
    let base = run * 2 * WINDOW_MS;
    (0..n)
        .map(|i| RawRecord {
            offset: i as i64,
            timestamp: base + (i as i64 * (WINDOW_MS / 2)) / n as i64,
            key: Some(format!("key-{:08}", i % keys()).into_bytes()),
            value: Some(b"v".to_vec()),
            headers: Headers::new(),
        })
        .collect()
}

/// Adds up the bytes it is given, as a producer would take them.
#[derive(Default)]
struct Collect {
    bytes: usize,
}

impl RecordCollector for Collect {
    fn send(&mut self, r: OutgoingRecord<'_>) -> Result<(), BoxError> {
        self.bytes += std::hint::black_box(r.key.map_or(0, <[u8]>::len) + r.value.map_or(0, <[u8]>::len));
        Ok(())
    }
    fn partition_count(&self, _topic: &str) -> Option<u32> {
        Some(1)
    }
    fn flush(&mut self) -> Result<(), BoxError> {
        Ok(())
    }
}

/// The DSL window count in a stream task.
struct Dsl {
    task: StreamTask,
    out: Rc<RefCell<Collect>>,
}

impl Dsl {
    fn new(store: StoreType, dir: &std::path::Path) -> Self {
        let builder = StreamsBuilder::new();
        builder
            .stream::<String, String>("in")
            .group_by_key()
            .windowed_by(TimeWindows::of_size_with_no_grace(Duration::from_millis(WINDOW_MS as u64)).unwrap())
            .count_with(
                Materialized::as_("counts")
                    .with_store_type(store)
                    .with_caching_disabled()
                    .with_logging_disabled(),
            )
            .to_stream()
            .to("out");
        let mut topology = builder.build().unwrap();
        topology.bind_application_id("bench");
        let out = Rc::new(RefCell::new(Collect::default()));
        let env = TaskEnv {
            config: StreamsConfig::new("bench").with_state_dir(dir),
            clock: Arc::new(MockClock::new(0)),
            collector: out.clone(),
            cache: ThreadCache::new(0),
        };
        let mut task = StreamTask::new(&topology, TaskId::new(0, 0), vec![TopicPartition::new("in", 0)], env).unwrap();
        task.initialize().unwrap();
        Self { task, out }
    }

    fn run(&mut self, batch: Vec<RawRecord>) -> f64 {
        let start = Instant::now();
        self.task.add_records(&TopicPartition::new("in", 0), batch).unwrap();
        self.task.process_batch(usize::MAX).unwrap();
        self.task.prepare_commit().unwrap();
        start.elapsed().as_secs_f64()
    }

    fn bytes(&self) -> usize {
        self.out.borrow().bytes
    }
}

/// The hand-written loop: decode, window start, fetch, put, encode, send.
struct Hand {
    store: Box<dyn WindowStore<String, ValueAndTimestamp<i64>>>,
    out: Collect,
    keys: TimeWindowedSerde<StringSerde>,
    kbuf: Vec<u8>,
    headers: Headers,
}

impl Hand {
    fn new(store_type: StoreType, dir: &std::path::Path) -> Self {
        let (retention, size) = (
            Duration::from_millis(WINDOW_MS as u64),
            Duration::from_millis(WINDOW_MS as u64),
        );
        let supplier = match store_type {
            StoreType::RocksDb => Stores::persistent_window_store("hand-counts", retention, size, false),
            StoreType::InMemory => Stores::in_memory_window_store("hand-counts", retention, size, false),
        }
        .unwrap();
        let builder = Stores::window_store_builder(supplier, StringSerde, TimestampedSerde(I64Serde))
            .unwrap()
            .with_caching_disabled()
            .with_logging_disabled();
        let mut store = builder.build_store();
        store
            .init(&StateStoreContext::new("bench", TaskId::new(9, 0), dir.join("hand")))
            .unwrap();
        Self {
            store: Box::new(store),
            out: Collect::default(),
            keys: TimeWindowedSerde::new(StringSerde, WINDOW_MS),
            kbuf: Vec::new(),
            headers: Headers::new(),
        }
    }

    fn run(&mut self, batch: Vec<RawRecord>) -> f64 {
        let start = Instant::now();
        for raw in batch {
            let key = StringSerde.deserialize_owned("in", raw.key).unwrap();
            let ts = raw.timestamp;
            let window_start = ts - ts % WINDOW_MS;
            let (count, new_ts) = match self.store.fetch_one(&key, window_start).unwrap() {
                Some(v) => (v.value + 1, v.timestamp.max(ts)),
                None => (1, ts),
            };
            self.store
                .put(&key, Some(&ValueAndTimestamp::new(count, new_ts)), window_start)
                .unwrap();
            let windowed = Windowed::new(key, Window::new(window_start, window_start + WINDOW_MS));
            self.kbuf.clear();
            self.keys.serialize_into("out", &windowed, &mut self.kbuf).unwrap();
            self.out
                .send(OutgoingRecord {
                    topic: "out",
                    partition: None,
                    key: Some(&self.kbuf),
                    value: Some(&count.to_be_bytes()),
                    timestamp: new_ts,
                    headers: &self.headers,
                })
                .unwrap();
        }
        self.store.flush().unwrap();
        start.elapsed().as_secs_f64()
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

const STORES: [(&str, StoreType); 2] = [("memory", StoreType::InMemory), ("rocksdb", StoreType::RocksDb)];

fn criterion_runs(c: &mut Criterion, dir: &std::path::Path) {
    let mut group = c.benchmark_group("tumbling_window_count");
    group.throughput(Throughput::Elements(records() as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(20));
    for (label, store) in STORES {
        let mut dsl = Dsl::new(store, &dir.join(format!("dsl-{label}")));
        let mut run = 0;
        group.bench_function(format!("dsl_{label}"), |b| {
            b.iter_batched(
                || {
                    run += 1;
                    batch(run)
                },
                |input| dsl.run(input),
                BatchSize::PerIteration,
            );
        });
        let mut hand = Hand::new(store, &dir.join(format!("hand-{label}")));
        let mut run = 0;
        group.bench_function(format!("hand_{label}"), |b| {
            b.iter_batched(
                || {
                    run += 1;
                    batch(run)
                },
                |input| hand.run(input),
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

/// Both sides write the same bytes for the same batches.
fn check_agreement(dir: &std::path::Path) {
    for (label, store) in STORES {
        let mut dsl = Dsl::new(store, &dir.join(format!("check-dsl-{label}")));
        let mut hand = Hand::new(store, &dir.join(format!("check-hand-{label}")));
        for run in 0..2 {
            dsl.run(batch(run));
            hand.run(batch(run));
        }
        assert_eq!(dsl.bytes(), hand.out.bytes, "window counts disagree ({label})");
        assert!(hand.out.bytes > 0);
    }
}

fn interleaved(dir: &std::path::Path) {
    for (label, store) in STORES {
        // In-memory rounds take a second or two, RocksDB ones ~20 s.
        let rounds = if store == StoreType::InMemory { 20 } else { 6 };
        let mut dsl = Dsl::new(store, &dir.join(format!("il-dsl-{label}")));
        let mut hand = Hand::new(store, &dir.join(format!("il-hand-{label}")));
        let (mut d, mut h, mut r) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            let input = batch(round as i64);
            let (td, th) = if round % 2 == 0 {
                let td = dsl.run(input.clone());
                (td, hand.run(input))
            } else {
                let th = hand.run(input.clone());
                (dsl.run(input), th)
            };
            d.push(records() as f64 / td);
            h.push(records() as f64 / th);
            r.push(th / td);
        }
        println!(
            "\ntumbling-window count ({label} window store), {} records / {} keys per batch, interleaved over {rounds} rounds (medians):",
            records(),
            keys()
        );
        println!(
            "  dsl (group_by_key, windowed_by, count)  {:>12.0} records/s",
            median(&mut d)
        );
        println!(
            "  hand-written loop (fetch, put)           {:>12.0} records/s",
            median(&mut h)
        );
        println!("  ratio dsl / hand-written = {:.3}", median(&mut r));
    }
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    check_agreement(&dir.join("check"));
    let mut c = Criterion::default().configure_from_args();
    criterion_runs(&mut c, &dir.join("criterion"));
    c.final_summary();
    if measuring() {
        interleaved(&dir.join("interleaved"));
    }
}
