//! RocksDB through the typed store facade versus rust-rocksdb directly, with
//! the same options and the same batch sizes, side by side in one run; and
//! bulk restore throughput, with a direct `WriteBatch` baseline.
//!
//! `cargo bench -p state-stores --bench rocksdb_kv` prints, per operation,
//! the median time of each side over interleaved rounds and the ratio
//! (facade throughput / direct throughput), then criterion's own figures.
//! Each write case ends with both sides durable (the store's `flush`, which
//! writes what it holds back and syncs the log; a synced log on the direct
//! side), so held-back writes are counted.
//! Under `cargo test` (criterion's test mode) it runs small sizes once, to
//! prove the benchmark works.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::Criterion;
use rocksdb::{DB, WriteBatch, WriteOptions};
use state_stores::{MeteredKeyValueStore, RocksDbSettings, Stores, rocksdb_options};
use streams_core::engine::{RawRecord, TaskId};
use streams_core::serde::BytesSerde;
use streams_core::store::{KeyValueStore, StateStore, StateStoreContext};

const BATCH: usize = 100;
/// Entries per batch in the cache-flush case: about what one task's record
/// cache hands its store at a 100 ms commit in the runtime benchmark.
const FLUSH: usize = 5_000;
/// Distinct keys of one task in that benchmark (100,000 keys, 4 partitions).
const TASK_KEYS: u64 = 25_000;

fn key(i: u64) -> Vec<u8> {
    let mut k = i.to_be_bytes().to_vec();
    k.extend_from_slice(&(i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).to_be_bytes());
    k
}

fn value(i: u64) -> Vec<u8> {
    let mut v = vec![0u8; 64];
    v[..8].copy_from_slice(&i.to_le_bytes());
    v
}

struct Pair {
    _dir: tempfile::TempDir,
    facade: MeteredKeyValueStore<Vec<u8>, Vec<u8>>,
    direct: DB,
    write: WriteOptions,
}

fn context(dir: &Path) -> StateStoreContext {
    StateStoreContext::new("bench", TaskId::new(0, 0), dir)
}

fn pair() -> Pair {
    let dir = tempfile::tempdir().unwrap();
    let ctx = context(dir.path());
    let mut facade =
        Stores::key_value_store_builder(Stores::persistent_key_value_store("facade"), BytesSerde, BytesSerde)
            .with_logging_disabled()
            .build_store();
    facade.init(&ctx).unwrap();
    let opts = rocksdb_options("direct", &ctx, &RocksDbSettings::default()).unwrap();
    let direct = DB::open(&opts, dir.path().join("direct")).unwrap();
    Pair {
        _dir: dir,
        facade,
        direct,
        write: WriteOptions::default(),
    }
}

/// Key-value pairs to write or read.
type Data = [(Vec<u8>, Vec<u8>)];
/// One side of a case: runs the operation over every pair.
type Side = Box<dyn FnMut(&mut Pair, &Data)>;

/// One operation measured on both sides.
struct Case {
    name: &'static str,
    /// Whether the pairs come in arrival order (as a record cache flushes
    /// them: no key order) instead of key order.
    arrival_order: bool,
    facade: Side,
    direct: Side,
}

/// Batches of `size` through the store's `put_all`, beside direct write batches.
fn put_all_case(name: &'static str, size: usize, arrival_order: bool) -> Case {
    Case {
        name,
        arrival_order,
        facade: Box::new(move |p, data| {
            for chunk in data.chunks(size) {
                p.facade.put_all(chunk).unwrap();
            }
            p.facade.flush().unwrap();
        }),
        direct: Box::new(move |p, data| {
            write_batches(p, data, size);
            p.direct.flush_wal(true).unwrap();
        }),
    }
}

/// Writes `data` in batches of `size`, in the order given.
fn write_batches(p: &mut Pair, data: &Data, size: usize) {
    for chunk in data.chunks(size) {
        let mut batch = WriteBatch::default();
        for (k, v) in chunk {
            batch.put(k, v);
        }
        p.direct.write_opt(batch, &p.write).unwrap();
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "put",
            arrival_order: false,
            facade: Box::new(|p, data| {
                for (k, v) in data {
                    p.facade.put(k, v).unwrap();
                }
                p.facade.flush().unwrap();
            }),
            direct: Box::new(|p, data| {
                for (k, v) in data {
                    p.direct.put_opt(k, v, &p.write).unwrap();
                }
                p.direct.flush_wal(true).unwrap();
            }),
        },
        Case {
            name: "get",
            arrival_order: false,
            facade: Box::new(|p, data| {
                for (k, _) in data {
                    black_box(p.facade.get(k).unwrap());
                }
            }),
            direct: Box::new(|p, data| {
                for (k, _) in data {
                    black_box(p.direct.get(k).unwrap());
                }
            }),
        },
        put_all_case("put_all(100)", BATCH, false),
        // A cache flush: the store sorts each batch by key before writing it;
        // the baseline writes it in arrival order.
        put_all_case("put_all(flush)", FLUSH, true),
    ]
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// `n` writes as one task's record cache flushes them in the runtime
/// benchmark's count at a 100 ms commit: passes over [`TASK_KEYS`] keys, each
/// pass in a new pseudo-random order, so that a batch of [`FLUSH`] entries
/// holds distinct keys spread over the task's key space.
fn arrival_order(n: u64) -> Vec<(Vec<u8>, Vec<u8>)> {
    let keys = TASK_KEYS.min(n);
    let mut order: Vec<u64> = (0..keys).collect();
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let mut out = Vec::with_capacity(n as usize);
    while (out.len() as u64) < n {
        // Fisher-Yates with an xorshift generator: the same order every run.
        for i in (1..order.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            order.swap(i, (state % (i as u64 + 1)) as usize);
        }
        out.extend(order.iter().map(|&i| (key(i), value(i))));
    }
    out.truncate(n as usize);
    out
}

/// Interleaved rounds: each round runs both sides, alternating which goes
/// first, so drift on a shared machine hits both alike.
fn side_by_side(n: u64, rounds: usize) {
    let data: Vec<(Vec<u8>, Vec<u8>)> = (0..n).map(|i| (key(i), value(i))).collect();
    let arrival = arrival_order(n);
    let mut p = pair();
    println!("rocksdb key-value, {n} ops of 16-byte keys / 64-byte values, {rounds} interleaved rounds:");
    for mut case in cases() {
        let data = if case.arrival_order { &arrival } else { &data };
        let (mut f, mut d) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            let mut run_facade = |p: &mut Pair| {
                let t = Instant::now();
                (case.facade)(p, data);
                f.push(t.elapsed());
            };
            if round % 2 == 0 {
                run_facade(&mut p);
                let t = Instant::now();
                (case.direct)(&mut p, data);
                d.push(t.elapsed());
            } else {
                let t = Instant::now();
                (case.direct)(&mut p, data);
                d.push(t.elapsed());
                run_facade(&mut p);
            }
        }
        let (fm, dm) = (median(f), median(d));
        println!(
            "  {:<14} facade {:>9.0} ns/op   direct {:>9.0} ns/op   facade/direct throughput {:.2}",
            case.name,
            fm.as_nanos() as f64 / n as f64,
            dm.as_nanos() as f64 / n as f64,
            dm.as_secs_f64() / fm.as_secs_f64()
        );
    }
}

/// Bulk restore of `n` changelog records, in batches of 10,000, through the
/// store's restore path, beside a direct unlogged `WriteBatch` of the same
/// batches.
fn restore(n: u64) {
    const RESTORE_BATCH: usize = 10_000;
    let records: Vec<RawRecord> = (0..n)
        .map(|i| RawRecord {
            offset: i as i64,
            timestamp: 0,
            key: Some(key(i)),
            value: Some(value(i)),
            ..RawRecord::default()
        })
        .collect();
    let mut p = pair();
    let t = Instant::now();
    for chunk in records.chunks(RESTORE_BATCH) {
        p.facade.restore(chunk).unwrap();
    }
    p.facade.flush().unwrap();
    let store_time = t.elapsed();
    let mut unlogged = WriteOptions::default();
    unlogged.disable_wal(true);
    let t = Instant::now();
    for chunk in records.chunks(RESTORE_BATCH) {
        let mut batch = WriteBatch::default();
        for r in chunk {
            batch.put(r.key.as_ref().unwrap(), r.value.as_ref().unwrap());
        }
        p.direct.write_opt(batch, &unlogged).unwrap();
    }
    p.direct.flush().unwrap();
    let direct_time = t.elapsed();
    assert_eq!(p.facade.get(&key(n - 1)).unwrap(), Some(value(n - 1)));
    println!(
        "restore of {n} changelog records: store {:.0} records/s ({:.2?}), direct WriteBatch {:.0} records/s, ratio {:.2}",
        n as f64 / store_time.as_secs_f64(),
        store_time,
        n as f64 / direct_time.as_secs_f64(),
        direct_time.as_secs_f64() / store_time.as_secs_f64()
    );
}

fn criterion_benches(c: &mut Criterion) {
    let mut p = pair();
    let data: Vec<(Vec<u8>, Vec<u8>)> = (0..10_000).map(|i| (key(i), value(i))).collect();
    for (k, v) in &data {
        p.facade.put(k, v).unwrap();
        p.direct.put(k, v).unwrap();
    }
    let mut group = c.benchmark_group("rocksdb_kv");
    let mut i = 0usize;
    group.bench_function("put/facade", |b| {
        b.iter(|| {
            let (k, v) = &data[i % data.len()];
            i += 1;
            p.facade.put(k, v).unwrap();
        })
    });
    group.bench_function("put/direct", |b| {
        b.iter(|| {
            let (k, v) = &data[i % data.len()];
            i += 1;
            p.direct.put_opt(k, v, &p.write).unwrap();
        })
    });
    group.bench_function("get/facade", |b| {
        b.iter(|| {
            i += 1;
            black_box(p.facade.get(&data[i % data.len()].0).unwrap())
        })
    });
    group.bench_function("get/direct", |b| {
        b.iter(|| {
            i += 1;
            black_box(p.direct.get(&data[i % data.len()].0).unwrap())
        })
    });
    group.finish();
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test` runs the binary without it
    // (criterion's test mode).
    let test_mode = !std::env::args().any(|a| a == "--bench");
    if test_mode {
        side_by_side(2_000, 2);
        restore(20_000);
    } else {
        side_by_side(200_000, 9);
        restore(1_000_000);
    }
    let mut c = Criterion::default().configure_from_args();
    criterion_benches(&mut c);
    c.final_summary();
}
