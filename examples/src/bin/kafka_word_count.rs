//! Word count on Kafka: produces sample text into an input topic, runs the
//! DSL word count with two stream threads, prints the counts as they arrive,
//! then restarts with its local state wiped to show a restore from the
//! changelog, and prints throughput and restore figures.
//!
//! With no `--bootstrap-servers` it starts an embedded broker (librdkafka's
//! in-process mock cluster), so it runs with nothing installed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use examples::dsl_word_count::{INPUT_TOPIC, OUTPUT_TOPIC, build_topology};
use examples::kafka_io::{CountsReader, expected_counts, produce_lines, sample_line, top};
use indicatif::{ProgressBar, ProgressStyle};
use streams_core::StreamsConfig;
use streams_core::engine::TopicPartition;
use streams_core::runtime::{
    ClusterAdmin, EmbeddedBroker, KafkaAdmin, KafkaStreams, NewTopic, State, StateRestoreListener,
};

#[derive(Parser, Debug)]
#[command(about = "Word count on Kafka (embedded broker unless --bootstrap-servers is given)")]
struct Args {
    /// Kafka cluster to join; default: start an embedded broker.
    #[arg(long)]
    bootstrap_servers: Option<String>,
    /// Lines of sample text to produce.
    #[arg(long, default_value_t = 20_000)]
    lines: usize,
    /// Stream threads.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Partitions of the input and output topics (when this creates them).
    #[arg(long, default_value_t = 4)]
    partitions: i32,
    /// Updates printed one by one before switching to a summary per second.
    #[arg(long, default_value_t = 40)]
    print_updates: u64,
}

/// Shows restore progress as a progress bar per changelog partition.
struct RestoreBars {
    bars: std::sync::Mutex<std::collections::HashMap<String, ProgressBar>>,
}

impl StateRestoreListener for RestoreBars {
    fn on_restore_start(&self, store: &str, changelog: &TopicPartition, start: i64, end: i64) {
        let bar = ProgressBar::new((end - start).max(0) as u64);
        bar.set_style(
            ProgressStyle::with_template("  restoring {msg:<40} [{bar:30}] {pos}/{len}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(format!("{store} from {changelog}"));
        if let Ok(mut bars) = self.bars.lock() {
            bars.insert(changelog.to_string(), bar);
        }
    }

    fn on_batch_restored(&self, _store: &str, changelog: &TopicPartition, _next: i64, records: usize) {
        if let Ok(bars) = self.bars.lock()
            && let Some(bar) = bars.get(&changelog.to_string())
        {
            bar.inc(records as u64);
        }
    }

    fn on_restore_end(&self, _store: &str, changelog: &TopicPartition, _total: u64) {
        if let Ok(mut bars) = self.bars.lock()
            && let Some(bar) = bars.remove(&changelog.to_string())
        {
            bar.finish();
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .init();
    let args = Args::parse();

    let (servers, admin, broker): (String, Arc<dyn ClusterAdmin>, Option<Arc<EmbeddedBroker>>) =
        match &args.bootstrap_servers {
            Some(s) => {
                let admin = KafkaAdmin::new(&StreamsConfig::new("wordcount").with_bootstrap_servers(s))?;
                (s.clone(), Arc::new(admin), None)
            }
            None => {
                let broker = Arc::new(EmbeddedBroker::start()?);
                println!("embedded broker on {}", broker.bootstrap_servers());
                (broker.bootstrap_servers().to_owned(), broker.clone(), Some(broker))
            }
        };
    let existing = admin.partition_counts(Duration::from_secs(30))?;
    let missing: Vec<NewTopic> = [INPUT_TOPIC, OUTPUT_TOPIC]
        .iter()
        .filter(|t| !existing.contains_key(**t))
        .map(|t| NewTopic {
            name: (*t).to_owned(),
            partitions: args.partitions,
            replication_factor: -1,
            config: Default::default(),
        })
        .collect();
    admin.create_topics(&missing, Duration::from_secs(30))?;
    let partitions = admin
        .partition_counts(Duration::from_secs(30))?
        .get(OUTPUT_TOPIC)
        .copied()
        .unwrap_or(args.partitions);

    let lines: Vec<&str> = (0..args.lines).map(sample_line).collect();
    let expected = expected_counts(lines.iter().copied());

    let state_dir = std::env::temp_dir().join(format!("kafka-word-count-{}", std::process::id()));
    let config = StreamsConfig::new("wordcount")
        .with_bootstrap_servers(&servers)
        .with_num_stream_threads(args.threads)
        .with_state_dir(&state_dir)
        .with("commit.interval.ms", "200")
        .with("topology.optimization", "all")
        // Notice joins and leaves within a second, not Kafka's 3 s.
        .with("consumer.heartbeat.interval.ms", "500")
        .with("consumer.session.timeout.ms", "10000");
    let topology = build_topology(&config)?;
    println!("{}", topology.describe());

    let run = |phase: &str| -> Result<KafkaStreams, Box<dyn std::error::Error + Send + Sync>> {
        let topology = build_topology(&config)?;
        let streams = match &broker {
            Some(b) => KafkaStreams::with_embedded_broker(topology, config.clone(), Arc::clone(b))?,
            None => KafkaStreams::with_admin(topology, config.clone(), Arc::clone(&admin))?,
        };
        let phase = phase.to_owned();
        streams.set_state_listener(move |old, new| println!("[{phase}] {old} -> {new}"));
        streams.set_global_state_restore_listener(RestoreBars {
            bars: Default::default(),
        });
        streams.start()?;
        Ok(streams)
    };

    // Phase 1: start, produce the text once both threads have their tasks,
    // and print the counts as they arrive.
    let streams = run("run")?;
    if !streams.wait_for_state(State::Running, Duration::from_secs(120)) {
        return Err(format!("the application did not reach RUNNING: {:?}", streams.thread_errors()).into());
    }
    let mut reader = CountsReader::new(&servers, OUTPUT_TOPIC, partitions)?;
    let started = Instant::now();
    produce_lines(&servers, INPUT_TOPIC, lines.iter().copied())?;
    println!(
        "produced {} lines to {INPUT_TOPIC} in {:?}",
        lines.len(),
        started.elapsed()
    );
    let mut last_summary = Instant::now();
    while reader.counts != expected {
        let limit = args.print_updates;
        let mut printed = reader.updates;
        reader.poll(Duration::from_millis(200), |word, count| {
            if printed < limit {
                println!("  {word:<12} {count}");
                printed += 1;
            }
        })?;
        if reader.updates >= limit && last_summary.elapsed() >= Duration::from_secs(1) {
            let words: i64 = reader.counts.values().sum();
            println!(
                "  ... {} updates, {words} words counted; top: {:?}",
                reader.updates,
                top(&reader.counts, 5)
            );
            last_summary = Instant::now();
        }
        if started.elapsed() > Duration::from_secs(300) {
            return Err("the counts did not reach the input's within 5 minutes".into());
        }
        if streams.state() == State::Error {
            return Err(format!("the application failed: {:?}", streams.thread_errors()).into());
        }
    }
    let elapsed = started.elapsed();
    let processed: u64 = streams.metrics().iter().map(|m| m.processed_total).sum();
    println!("final counts (top 10): {:?}", top(&reader.counts, 10));
    println!(
        "throughput: {processed} records processed (lines and re-keyed words) in {elapsed:.2?}: {:.0} records/s with {} threads",
        processed as f64 / elapsed.as_secs_f64(),
        args.threads
    );
    streams.close(Duration::from_secs(30));

    // Phase 2: wipe the local state and start again: the stores restore
    // from their changelog topics before processing.
    streams.cleanup()?;
    drop(streams);
    println!("local state wiped; restarting to restore from the changelog");
    let started = Instant::now();
    let streams = run("restore")?;
    if !streams.wait_for_state(State::Running, Duration::from_secs(120)) {
        return Err(format!("the restarted application did not reach RUNNING: {:?}", streams.state()).into());
    }
    let restored: u64 = streams.metrics().iter().map(|m| m.restored_total).sum();
    let elapsed = started.elapsed();
    println!(
        "restore: {restored} changelog records in {elapsed:.2?} ({:.0} records/s) before RUNNING",
        restored as f64 / elapsed.as_secs_f64().max(1e-9)
    );
    streams.close(Duration::from_secs(30));
    streams.cleanup()?;
    Ok(())
}
