//! The runtime benchmark, on a real Apache Kafka broker (single-node KRaft on
//! 127.0.0.1, started here): pre-fills a 4-partition topic with ~100-byte
//! records, then runs, one process at a time, on the same broker and
//! partitions:
//!
//! - (a) `raw`: an rdkafka consume -> produce pipe with the same client
//!   settings (the baseline), which copies key, value and timestamp;
//! - `raw-headers`: the same pipe also reading each record's headers and
//!   forwarding them, as a Kafka Streams application does (librdkafka
//!   parses a record's headers on first access; the patch in `vendor/`
//!   skips the parse for records that have none): it shows what that
//!   costs, next to the baseline;
//! - `raw-twice`: the plain pipe producing every record twice (both copies
//!   to the output topic): the Kafka work of a count-by-key application
//!   whose cache merges nothing, one changelog and one output record per
//!   input record, as at a 100 ms commit interval; its ratio to the raw
//!   pipe bounds what the count application can reach there;
//! - (b) `ours-stateless`: our filter / map_values application;
//! - (c) `ours-count`: our count by key (RocksDB store, changelog);
//! - (d) `ks-stateless` and `ks-count`: the same two applications on Apache
//!   Kafka Streams (Java, `benchmarks/kafka`);
//!
//! each with 1 and 2 stream threads, and prints records per second, records
//! per CPU-second of the application process (the broker shares the cores,
//! so CPU-seconds are the fair measure), peak RSS, and the ratios.
//!
//! Every run is repeated for each commit interval (`--commit-ms`, by default
//! 100 ms and Kafka Streams' at-least-once default of 30,000 ms); all
//! applications of a round commit at the same interval, and ratios compare
//! runs of the same thread count and interval. At 100 ms the record cache of
//! the count application merges few updates, so nearly every input record
//! reaches RocksDB, the changelog and the output; at 30 s the cache holds
//! each key's updates until the commit, as a Kafka Streams application with
//! default settings does. A run ends when the group's committed offsets
//! reach the end of the input, and its time counts from the process start
//! (start-up, the first rebalance and, at long intervals, the wait for the
//! first commit included: records per CPU-second is the measure to compare).
//!
//! `cargo run --release -p examples --bin runtime-bench -- --records 2000000`

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use clap::Parser;
use examples::kafka_broker::{KafkaBroker, class_path};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::ToBytes;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
use streams_core::StreamsConfig;
use streams_core::runtime::{
    ClusterAdmin, KafkaAdmin, KafkaStreams, MAIN_CONSUMER_FETCH_QUEUE_BACKOFF_MS, MAIN_CONSUMER_QUEUED_MIN_MESSAGES,
    NewTopic, State,
};
use streams_dsl::prelude::*;

type Error = Box<dyn std::error::Error + Send + Sync>;

const INPUT: &str = "bench-input";
const PARTITIONS: i32 = 4;

#[derive(Parser, Debug)]
struct Args {
    /// Records to pre-fill the input with.
    #[arg(long, default_value_t = 2_000_000)]
    records: u64,
    /// Thread counts to run each application with.
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    threads: Vec<usize>,
    /// Commit intervals (`commit.interval.ms`) to run every application with.
    #[arg(long, value_delimiter = ',', default_value = "100,30000")]
    commit_ms: Vec<u64>,
    /// Skip the Kafka Streams (Java) runs.
    #[arg(long)]
    no_java: bool,
    /// Run only these applications (e.g. `raw,ours-count`); all by default.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Internal: run one application in this process (`raw`, `raw-headers`, `raw-twice`, `ours-stateless`, `ours-count`).
    #[arg(long, hide = true)]
    child: Option<String>,
    #[arg(long, hide = true)]
    bootstrap: Option<String>,
    #[arg(long, hide = true)]
    app_id: Option<String>,
    #[arg(long, hide = true)]
    output: Option<String>,
}

fn main() -> Result<(), Error> {
    let args = Args::parse();
    match &args.child {
        Some(kind) => child(&args, kind),
        None => parent(&args),
    }
}

// ---------------------------------------------------------------- children

/// Runs one application until standard input closes, then prints its CPU
/// time and peak RSS.
fn child(args: &Args, kind: &str) -> Result<(), Error> {
    let bootstrap = args.bootstrap.as_deref().ok_or("--bootstrap")?;
    let app_id = args.app_id.as_deref().ok_or("--app-id")?;
    let output = args.output.as_deref().ok_or("--output")?;
    let threads = *args.threads.first().unwrap_or(&1);
    let commit_ms = *args.commit_ms.first().ok_or("--commit-ms")?;
    // Closed standard input stops the run: the raw pipes check `stop` in
    // their loop, our applications sleep on `stopped` until it (or a failure
    // that ends the application) arrives.
    let stop = Arc::new(AtomicBool::new(false));
    let (stopped, stop_reason) = mpsc::channel::<Option<State>>();
    let s = Arc::clone(&stop);
    let input_closed = stopped.clone();
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
        s.store(true, Ordering::Relaxed);
        let _ = input_closed.send(None);
    });
    let state_dir = tempfile::tempdir()?;
    match kind {
        "raw" | "raw-headers" | "raw-twice" => {
            let pipe = Pipe {
                headers: kind == "raw-headers",
                copies: if kind == "raw-twice" { 2 } else { 1 },
            };
            raw_pipe(bootstrap, app_id, output, threads, commit_ms, pipe, &stop)?;
        }
        "ours-stateless" | "ours-count" => {
            let config = StreamsConfig::new(app_id)
                .with_bootstrap_servers(bootstrap)
                .with_num_stream_threads(threads)
                .with_state_dir(state_dir.path())
                .with_commit_interval(Duration::from_millis(commit_ms));
            let builder = StreamsBuilder::new();
            let stream = builder.stream::<String, String>(INPUT);
            if kind == "ours-stateless" {
                stream
                    .filter(|_, v| !v.starts_with('#'))
                    .map_values(|v| v.to_uppercase())
                    .to(output);
            } else {
                stream.group_by_key().count().to_stream().to(output);
            }
            let streams = KafkaStreams::new(builder.build_with(&config)?, config)?;
            streams.set_state_listener(move |_, new| {
                if new == State::Error {
                    let _ = stopped.send(Some(new));
                }
            });
            streams.start()?;
            println!("STARTED");
            if let Ok(Some(state)) = stop_reason.recv() {
                let errors = streams.thread_errors().join("; ");
                return Err(format!("{kind} stopped in state {state}: {errors}").into());
            }
            streams.close(Duration::from_secs(60));
        }
        other => return Err(format!("unknown application {other}").into()),
    }
    let (cpu_ms, rss_kb) = own_usage()?;
    println!("RESULT cpu_ms={cpu_ms} peak_rss_kb={rss_kb}");
    Ok(())
}

/// What a raw pipe forwards of each record.
#[derive(Clone, Copy)]
struct Pipe {
    /// Read the record's headers and forward them.
    headers: bool,
    /// Records produced per record consumed.
    copies: usize,
}

/// The baseline: consume, produce the same bytes `pipe.copies` times (with
/// `pipe.headers`, the record's headers too), commit after flushing, on
/// `threads` threads (one consumer and producer each), with the client
/// settings the runtime uses.
fn raw_pipe(
    bootstrap: &str,
    group: &str,
    output: &str,
    threads: usize,
    commit_ms: u64,
    pipe: Pipe,
    stop: &Arc<AtomicBool>,
) -> Result<(), Error> {
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (bootstrap, group, output, stop) = (
                bootstrap.to_owned(),
                group.to_owned(),
                output.to_owned(),
                Arc::clone(stop),
            );
            std::thread::spawn(move || -> Result<(), Error> {
                let consumer: BaseConsumer = ClientConfig::new()
                    .set("bootstrap.servers", &bootstrap)
                    .set("group.id", &group)
                    .set("enable.auto.commit", "false")
                    .set("auto.offset.reset", "earliest")
                    .set("partition.assignment.strategy", "range")
                    .set("statistics.interval.ms", "5000")
                    .set("queued.min.messages", MAIN_CONSUMER_QUEUED_MIN_MESSAGES)
                    .set("fetch.queue.backoff.ms", MAIN_CONSUMER_FETCH_QUEUE_BACKOFF_MS)
                    .create()?;
                let producer: BaseProducer = ClientConfig::new()
                    .set("bootstrap.servers", &bootstrap)
                    .set("partitioner", "murmur2_random")
                    .set("acks", "all")
                    .set("linger.ms", "100")
                    .set("compression.type", "none")
                    .create()?;
                consumer.subscribe(&[INPUT])?;
                let commit_every = Duration::from_millis(commit_ms);
                let mut last_commit = Instant::now();
                // Next offset to commit per input partition.
                let mut consumed: HashMap<i32, i64> = HashMap::new();
                while !stop.load(Ordering::Relaxed) {
                    let mut next = consumer.poll(Duration::from_millis(100));
                    let mut n = 0;
                    while let Some(item) = next {
                        let m = item?;
                        for _ in 0..pipe.copies {
                            let mut record = BaseRecord::<[u8], [u8]>::to(&output);
                            if let Some(k) = m.key() {
                                record = record.key(k);
                            }
                            if let Some(v) = m.payload() {
                                record = record.payload(v);
                            }
                            if let Some(ts) = m.timestamp().to_millis() {
                                record = record.timestamp(ts);
                            }
                            if pipe.headers
                                && let Some(h) = m.headers()
                            {
                                record = record.headers(h.detach());
                            }
                            send_queued(&producer, record);
                        }
                        consumed.insert(m.partition(), m.offset() + 1);
                        n += 1;
                        if n >= 1_000 {
                            break;
                        }
                        next = consumer.poll(Duration::ZERO);
                    }
                    producer.poll(Duration::ZERO);
                    if last_commit.elapsed() >= commit_every && !consumed.is_empty() {
                        producer.flush(Duration::from_secs(30))?;
                        let mut offsets = TopicPartitionList::new();
                        for (partition, offset) in consumed.drain() {
                            offsets.add_partition_offset(INPUT, partition, Offset::Offset(offset))?;
                        }
                        consumer.commit(&offsets, CommitMode::Sync)?;
                        last_commit = Instant::now();
                    }
                }
                Ok(())
            })
        })
        .collect();
    for h in handles {
        h.join().map_err(|_| "a pipe thread panicked")??;
    }
    Ok(())
}

/// CPU time (user + system) and peak RSS of this process, from /proc.
fn own_usage() -> Result<(u64, u64), Error> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // Fields after the command name (which may hold spaces) start at ") ".
    let rest = stat.rsplit_once(") ").ok_or("malformed /proc/self/stat")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 (1-based), in USER_HZ (100/s on Linux).
    let field = |i: usize| -> Result<u64, Error> { Ok(fields.get(i).ok_or("short /proc/self/stat")?.parse()?) };
    let ticks = field(11)? + field(12)?;
    let status = std::fs::read_to_string("/proc/self/status")?;
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    Ok((ticks * 10, hwm))
}

// ---------------------------------------------------------------- parent

struct Run {
    name: String,
    threads: usize,
    commit_ms: u64,
    elapsed: Duration,
    cpu_ms: u64,
    rss_kb: u64,
}

fn parent(args: &Args) -> Result<(), Error> {
    println!("starting a Kafka broker (single-node KRaft) on 127.0.0.1 ...");
    let broker = KafkaBroker::start()?;
    let servers = broker.bootstrap_servers().to_owned();
    let admin = KafkaAdmin::new(&StreamsConfig::new("bench").with_bootstrap_servers(&servers))?;
    admin.create_topics(
        &[NewTopic {
            name: INPUT.into(),
            partitions: PARTITIONS,
            replication_factor: 1,
            config: Default::default(),
        }],
        Duration::from_secs(30),
    )?;
    let started = Instant::now();
    prefill(&servers, args.records)?;
    println!(
        "pre-filled {INPUT} ({PARTITIONS} partitions) with {} records of ~100 bytes in {:.1?}",
        args.records,
        started.elapsed()
    );

    let mut runs = Vec::new();
    let mut n = 0;
    let mut rounds = Vec::new();
    for &commit_ms in &args.commit_ms {
        for &threads in &args.threads {
            rounds.push((commit_ms, threads));
        }
    }
    for (commit_ms, threads) in rounds {
        let mut kinds = vec!["raw", "raw-headers", "raw-twice", "ours-stateless", "ours-count"];
        if !args.no_java {
            kinds.extend(["ks-stateless", "ks-count"]);
        }
        kinds.retain(|k| args.only.is_empty() || args.only.iter().any(|o| o == k));
        for kind in kinds {
            n += 1;
            let app_id = format!("bench-{kind}-{threads}-{commit_ms}-{n}");
            let output = format!("{app_id}-out");
            admin.create_topics(
                &[NewTopic {
                    name: output.clone(),
                    partitions: PARTITIONS,
                    replication_factor: 1,
                    config: Default::default(),
                }],
                Duration::from_secs(30),
            )?;
            let run = run_one(&servers, kind, threads, commit_ms, &app_id, &output, args.records)?;
            println!(
                "  {:<15} threads={} commit={}ms {:>9.0} records/s {:>9.0} records/CPU-s  peak RSS {:>7.1} MiB",
                run.name,
                run.threads,
                run.commit_ms,
                args.records as f64 / run.elapsed.as_secs_f64(),
                args.records as f64 / (run.cpu_ms as f64 / 1000.0),
                run.rss_kb as f64 / 1024.0
            );
            runs.push(run);
        }
    }
    report(&runs, args.records);
    drop(broker);
    Ok(())
}

fn prefill(servers: &str, records: u64) -> Result<(), Error> {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", servers)
        .set("partitioner", "murmur2_random")
        .set("linger.ms", "20")
        .set("batch.size", "1000000")
        .create()?;
    let text = "the quick brown fox jumps over the lazy dog while streams of records flow through kafka topics";
    for i in 0..records {
        let key = format!("k{:07}", i % 100_000);
        let value = &text[..92];
        send_queued(&producer, BaseRecord::to(INPUT).key(&key).payload(value));
    }
    producer.flush(Duration::from_secs(120))?;
    Ok(())
}

/// Queues `record` on `producer`, serving delivery reports (which frees
/// room) for as long as the producer's queue is full.
fn send_queued<K: ToBytes + ?Sized, P: ToBytes + ?Sized>(producer: &BaseProducer, mut record: BaseRecord<'_, K, P>) {
    loop {
        match producer.send(record) {
            Ok(()) => return,
            Err((_, r)) => {
                record = r;
                producer.poll(Duration::from_millis(10));
            }
        }
    }
}

fn run_one(
    servers: &str,
    kind: &str,
    threads: usize,
    commit_ms: u64,
    app_id: &str,
    output: &str,
    records: u64,
) -> Result<Run, Error> {
    let started = Instant::now();
    let mut child = if let Some(app) = kind.strip_prefix("ks-") {
        let state = tempfile::tempdir()?.keep();
        Command::new("java")
            .args([
                "-Xmx2g",
                "-cp",
                &class_path()?,
                "bench.Apps",
                app,
                servers,
                INPUT,
                output,
            ])
            .arg(threads.to_string())
            .arg(&state)
            .arg(app_id)
            .arg(commit_ms.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?
    } else {
        Command::new(std::env::current_exe()?)
            .args([
                "--child",
                kind,
                "--bootstrap",
                servers,
                "--app-id",
                app_id,
                "--output",
                output,
            ])
            .arg("--threads")
            .arg(threads.to_string())
            .arg("--commit-ms")
            .arg(commit_ms.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // Our children write nothing there but the error they fail with.
            .stderr(Stdio::inherit())
            .spawn()?
    };
    let done = wait_for_commits(servers, app_id, records, &mut child, Duration::from_secs(900));
    let elapsed = started.elapsed();
    // Stop: Rust children when their stdin closes, the JVM on SIGTERM.
    drop(child.stdin.take());
    if kind.starts_with("ks-") {
        Command::new("kill").arg("-TERM").arg(child.id().to_string()).status()?;
    }
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let result = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.starts_with("RESULT"));
    child.wait()?;
    done?;
    let result = result.ok_or_else(|| format!("{kind} printed no RESULT line"))?;
    let field = |name: &str| -> Result<u64, Error> {
        Ok(result
            .split_whitespace()
            .find_map(|f| f.strip_prefix(name))
            .ok_or_else(|| format!("{name} missing in {result}"))?
            .parse()?)
    };
    Ok(Run {
        name: kind.to_owned(),
        threads,
        commit_ms,
        elapsed,
        cpu_ms: field("cpu_ms=")?,
        rss_kb: field("peak_rss_kb=")?,
    })
}

/// Waits until group `group` has committed the end offset of every input partition.
fn wait_for_commits(
    servers: &str,
    group: &str,
    records: u64,
    child: &mut Child,
    timeout: Duration,
) -> Result<(), Error> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", servers)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()?;
    let mut tpl = TopicPartitionList::new();
    for p in 0..PARTITIONS {
        tpl.add_partition(INPUT, p);
    }
    let deadline = Instant::now() + timeout;
    let mut last_error: Option<rdkafka::error::KafkaError>;
    loop {
        if let Some(status) = child.try_wait()? {
            return Err(format!("the application exited early ({status})").into());
        }
        // The group coordinator (and __consumer_offsets) may not exist yet
        // while the application starts: a failed lookup counts as nothing
        // committed so far, and a failure still standing at the timeout is reported.
        let total: i64 = match consumer.committed_offsets(tpl.clone(), Duration::from_secs(5)) {
            Ok(committed) => {
                last_error = None;
                committed
                    .elements()
                    .iter()
                    .filter_map(|e| e.offset().to_raw())
                    .filter(|o| *o > 0)
                    .sum()
            }
            Err(e) => {
                last_error = Some(e);
                0
            }
        };
        if total as u64 >= records {
            return Ok(());
        }
        if Instant::now() > deadline {
            let cause = last_error.map_or_else(String::new, |e| format!(" (last offset lookup: {e})"));
            return Err(format!("{group} committed {total} of {records} records within {timeout:?}{cause}").into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn report(runs: &[Run], records: u64) {
    println!();
    println!(
        "| application | threads | commit ms | records/s | records/CPU-s | peak RSS MiB | vs raw (records/CPU-s) | vs raw-headers (records/CPU-s) | vs Kafka Streams (records/CPU-s) | RSS vs Kafka Streams |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let per_cpu = |r: &Run| records as f64 / (r.cpu_ms.max(1) as f64 / 1000.0);
    // Baselines come from the same round: same thread count, same interval.
    let find = |name: &str, r: &Run| {
        runs.iter()
            .find(|b| b.name == name && b.threads == r.threads && b.commit_ms == r.commit_ms)
    };
    for r in runs {
        let raw = find("raw", r);
        let raw_headers = find("raw-headers", r);
        let twin = r
            .name
            .strip_prefix("ours-")
            .and_then(|app| find(&format!("ks-{app}"), r));
        let fmt = |x: Option<f64>| x.map_or("-".to_owned(), |v| format!("{v:.2}x"));
        println!(
            "| {} | {} | {} | {:.0} | {:.0} | {:.1} | {} | {} | {} | {} |",
            r.name,
            r.threads,
            r.commit_ms,
            records as f64 / r.elapsed.as_secs_f64(),
            per_cpu(r),
            r.rss_kb as f64 / 1024.0,
            fmt(raw.map(|b| per_cpu(r) / per_cpu(b))),
            fmt(raw_headers.map(|b| per_cpu(r) / per_cpu(b))),
            fmt(twin.map(|b| per_cpu(r) / per_cpu(b))),
            fmt(twin.map(|b| r.rss_kb as f64 / b.rss_kb.max(1) as f64)),
        );
    }
}
