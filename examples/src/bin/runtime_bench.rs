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
//! The machine is shared and the broker runs on it, so one run's figures
//! move by a fifth from one run to the next. `--repeat N` runs each round's
//! applications N times in turn and reports medians; a ratio is then the
//! median of the ratios between runs of the same pass, which sat next to
//! each other in time, and the table lists each pass's ratio beside it.
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
    /// Passes over the applications of each round, in turn; the table
    /// reports medians, and each ratio is the median of the ratios of runs
    /// in the same pass.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,
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
    /// Which pass over the round's applications this run belongs to.
    pass: u32,
    elapsed: Duration,
    cpu_ms: u64,
    rss_kb: u64,
}

impl Run {
    /// Records per second of wall-clock time, `records` in the input.
    fn per_s(&self, records: u64) -> f64 {
        records as f64 / self.elapsed.as_secs_f64()
    }

    /// Records per CPU-second of the application process.
    fn per_cpu(&self, records: u64) -> f64 {
        records as f64 / (self.cpu_ms.max(1) as f64 / 1000.0)
    }
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
        for pass in 1..=args.repeat {
            for &kind in &kinds {
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
                let mut run = run_one(&servers, kind, threads, commit_ms, &app_id, &output, args.records)?;
                run.pass = pass;
                println!(
                    "  {:<15} threads={} commit={}ms pass {} {:>9.0} records/s {:>9.0} records/CPU-s  peak RSS {:>7.1} MiB",
                    run.name,
                    run.threads,
                    run.commit_ms,
                    run.pass,
                    run.per_s(args.records),
                    run.per_cpu(args.records),
                    run.rss_kb as f64 / 1024.0
                );
                runs.push(run);
            }
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
        pass: 1,
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
    let passes = runs.iter().map(|r| r.pass).max().unwrap_or(1);
    println!();
    if passes > 1 {
        println!(
            "medians of {passes} passes; a ratio is the median of the ratios within each pass (listed in brackets)"
        );
    }
    println!(
        "| application | threads | commit ms | records/s | records/CPU-s | peak RSS MiB | vs raw (records/CPU-s) | vs raw-headers (records/CPU-s) | vs Kafka Streams (records/CPU-s) | RSS vs Kafka Streams |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let per_cpu = |r: &Run| r.per_cpu(records);
    let per_s = |r: &Run| r.per_s(records);
    // The runs of one application in one round (same thread count, same
    // interval), in pass order.
    let group = |name: &str, threads: usize, commit_ms: u64| -> Vec<&Run> {
        runs.iter()
            .filter(|b| b.name == name && b.threads == threads && b.commit_ms == commit_ms)
            .collect()
    };
    // Each application's runs against a baseline's runs of the same pass.
    let ratio = |mine: &[&Run], base: &str, of: &dyn Fn(&Run, &Run) -> f64| -> String {
        let Some(first) = mine.first() else { return "-".into() };
        let theirs = group(base, first.threads, first.commit_ms);
        let each: Vec<f64> = mine
            .iter()
            .filter_map(|r| theirs.iter().find(|b| b.pass == r.pass).map(|b| of(r, b)))
            .collect();
        match median(&each) {
            None => "-".into(),
            Some(m) if each.len() > 1 => {
                let list: Vec<String> = each.iter().map(|v| format!("{v:.2}")).collect();
                format!("{m:.2}x ({})", list.join(", "))
            }
            Some(m) => format!("{m:.2}x"),
        }
    };
    let mut seen = Vec::new();
    for r in runs {
        let key = (r.name.as_str(), r.threads, r.commit_ms);
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let mine = group(&r.name, r.threads, r.commit_ms);
        let med = |f: &dyn Fn(&Run) -> f64| median(&mine.iter().map(|r| f(r)).collect::<Vec<_>>()).unwrap_or(0.0);
        let twin = r.name.strip_prefix("ours-").map(|app| format!("ks-{app}"));
        let vs_twin = |of: &dyn Fn(&Run, &Run) -> f64| twin.as_deref().map_or("-".into(), |t| ratio(&mine, t, of));
        println!(
            "| {} | {} | {} | {:.0} | {:.0} | {:.1} | {} | {} | {} | {} |",
            r.name,
            r.threads,
            r.commit_ms,
            med(&per_s),
            med(&per_cpu),
            mine.iter().map(|r| r.rss_kb).max().unwrap_or(0) as f64 / 1024.0,
            ratio(&mine, "raw", &|a, b| per_cpu(a) / per_cpu(b)),
            ratio(&mine, "raw-headers", &|a, b| per_cpu(a) / per_cpu(b)),
            vs_twin(&|a, b| per_cpu(a) / per_cpu(b)),
            vs_twin(&|a, b| a.rss_kb as f64 / b.rss_kb.max(1) as f64),
        );
    }
}

/// The median of `values` (the mean of the middle two for an even count).
fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_takes_the_middle_value_or_the_mean_of_the_middle_two() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[0.9, 0.5, 0.7]), Some(0.7));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }
}
