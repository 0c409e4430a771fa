//! Scenarios run against both brokers: the embedded mock cluster
//! (`embedded_runtime.rs`) and a real Apache Kafka broker (`kafka_runtime.rs`).

#![allow(clippy::unwrap_used, dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use examples::dsl_word_count::{INPUT_TOPIC, OUTPUT_TOPIC, build_topology};
use examples::kafka_broker::KafkaBroker;
use examples::kafka_io::{CountsReader, expected_counts, produce_lines, sample_line, total};
use streams_core::runtime::{ClusterAdmin, EmbeddedBroker, KafkaAdmin, KafkaStreams, NewTopic, State};
use streams_core::{StreamsConfig, Topology};

/// A broker to run scenarios on.
pub enum Cluster {
    /// librdkafka's mock cluster.
    Embedded(Arc<EmbeddedBroker>),
    /// A real broker process and an admin client on it.
    Real(KafkaBroker, Arc<KafkaAdmin>),
}

/// Logs to the test's output (shown for failing tests) at `RUST_LOG`
/// (default: info for the runtime).
fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "streams_core::runtime=info".into()),
        )
        .try_init();
}

impl Cluster {
    pub fn embedded() -> Self {
        init_logging();
        Cluster::Embedded(Arc::new(EmbeddedBroker::start().unwrap()))
    }

    pub fn real() -> Self {
        init_logging();
        let broker = KafkaBroker::start().unwrap();
        let admin =
            KafkaAdmin::new(&StreamsConfig::new("admin").with_bootstrap_servers(broker.bootstrap_servers())).unwrap();
        Cluster::Real(broker, Arc::new(admin))
    }

    pub fn servers(&self) -> &str {
        match self {
            Cluster::Embedded(b) => b.bootstrap_servers(),
            Cluster::Real(b, _) => b.bootstrap_servers(),
        }
    }

    pub fn admin(&self) -> Arc<dyn ClusterAdmin> {
        match self {
            Cluster::Embedded(b) => b.clone(),
            Cluster::Real(_, a) => a.clone(),
        }
    }

    pub fn create_topic(&self, name: &str, partitions: i32) {
        let topic = NewTopic {
            name: name.to_owned(),
            partitions,
            replication_factor: 1,
            config: Default::default(),
        };
        self.admin().create_topics(&[topic], Duration::from_secs(30)).unwrap();
    }

    pub fn streams(&self, topology: Topology, config: StreamsConfig) -> KafkaStreams {
        match self {
            Cluster::Embedded(b) => KafkaStreams::with_embedded_broker(topology, config, Arc::clone(b)).unwrap(),
            Cluster::Real(b, _) => {
                KafkaStreams::new(topology, config.with_bootstrap_servers(b.bootstrap_servers())).unwrap()
            }
        }
    }
}

pub fn config(app: &str, state_dir: &std::path::Path) -> StreamsConfig {
    StreamsConfig::new(app)
        .with_state_dir(state_dir)
        .with("commit.interval.ms", "100")
        .with("topology.optimization", "all")
        // Members that leave say so; a crashed one is noticed after this.
        .with("consumer.session.timeout.ms", "10000")
        .with("consumer.heartbeat.interval.ms", "500")
}

pub fn wait(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Starts every instance and waits until each is running tasks.
///
/// Scenarios produce their input once the group is stable: records processed
/// while the group rebalances cannot be committed on the embedded mock
/// cluster (it refuses commits as soon as a member joins or leaves, where
/// Kafka accepts them until the new generation forms), and a partition that
/// moves meanwhile is processed again by its new owner: correct for
/// at-least-once, but not the exact counts these scenarios check.
pub fn start_and_share(instances: &[KafkaStreams]) {
    for i in instances {
        i.start().unwrap();
    }
    wait("every instance running with tasks", Duration::from_secs(90), || {
        instances
            .iter()
            .all(|i| i.state() == State::Running && total(&i.tasks()) > 0)
    });
}

/// The word count on one instance with two threads: the output counts equal
/// the input's.
pub fn word_count_end_to_end(cluster: &Cluster, app: &str) {
    let (input, output) = (format!("{app}-in"), format!("{app}-out"));
    cluster.create_topic(&input, 4);
    cluster.create_topic(&output, 4);
    let dir = tempfile::tempdir().unwrap();
    let c = config(app, dir.path()).with_num_stream_threads(2);
    let topology = examples::dsl_word_count::build_topology_on(&c, &input, &output).unwrap();
    let streams = cluster.streams(topology, c);
    start_and_share(std::slice::from_ref(&streams));
    wait("both threads running tasks", Duration::from_secs(60), || {
        let tasks = streams.tasks();
        tasks.len() == 2 && tasks.values().all(|t| !t.is_empty())
    });
    // Produced once the group is stable (see `start_and_share`).
    let lines: Vec<&str> = (0..500).map(sample_line).collect();
    produce_lines(cluster.servers(), &input, lines.iter().copied()).unwrap();
    let mut reader = CountsReader::new(cluster.servers(), &output, 4).unwrap();
    let expected = expected_counts(lines.iter().copied());
    assert!(
        reader.wait_for(&expected, Duration::from_secs(90)).unwrap(),
        "{:?} != {expected:?}; errors: {:?}",
        reader.counts,
        streams.thread_errors()
    );
    assert_eq!(streams.state(), State::Running);
    assert_eq!(streams.metrics().len(), 2, "two stream threads");
    assert!(streams.close(Duration::from_secs(30)));
    assert_eq!(streams.state(), State::NotRunning);
}

/// How soon a fresh application answers its first input. Group formation
/// takes a second or two; without the start-up wait for new topics, the
/// answer came only after librdkafka's periodic metadata refresh, five
/// minutes later.
pub const FIRST_OUTPUT_WITHIN: Duration = Duration::from_secs(15);

/// A fresh application, whose repartition and changelog topics do not exist
/// yet, answers its first input within seconds: `start` creates the internal
/// topics and returns only once the metadata shows them, so the stream
/// threads' subscription covers them from the first rebalance on.
pub fn fresh_application_answers_at_once(cluster: &Cluster, app: &str) {
    let (input, output) = (format!("{app}-in"), format!("{app}-out"));
    cluster.create_topic(&input, 8);
    cluster.create_topic(&output, 8);
    // On a broker that has never had a consumer group, the group coordinator
    // (`__consumer_offsets`) takes a second to appear, long enough for new
    // topics to reach the metadata and hide the bug: have one first, as
    // every cluster in use does.
    group_coordinator_is_up(cluster, &output);
    // And a busy broker, as in production: it is still creating the logs of
    // a topic with many partitions when the application starts, so its
    // metadata shows topics created next only once that is done.
    cluster.create_topic(&format!("{app}-busy"), 512);
    let (repartition, changelog) = (
        format!("{app}-counts-store-repartition"),
        format!("{app}-counts-store-changelog"),
    );
    let before = cluster.admin().partition_counts(Duration::from_secs(10)).unwrap();
    assert!(!before.contains_key(&repartition) && !before.contains_key(&changelog));

    let dir = tempfile::tempdir().unwrap();
    // One stream thread: a group of one is formed at once on both brokers
    // (the mock cluster takes a session timeout to settle members that join
    // a moment apart), and a lone member's first assignment is the one that
    // missed the new topics.
    let c = config(app, dir.path());
    let topology = examples::dsl_word_count::build_topology_on(&c, &input, &output).unwrap();
    let streams = cluster.streams(topology, c);
    streams.start().unwrap();
    let after = cluster.admin().partition_counts(Duration::from_secs(10)).unwrap();
    assert_eq!(
        (after.get(&repartition), after.get(&changelog)),
        (Some(&8), Some(&8)),
        "the internal topics are in the metadata once start returns"
    );

    let line = "fresh applications answer at once";
    let sent = Instant::now();
    produce_lines(cluster.servers(), &input, [line]).unwrap();
    let mut reader = CountsReader::new(cluster.servers(), &output, 8).unwrap();
    let expected = expected_counts([line]);
    let answered = reader.wait_for(&expected, FIRST_OUTPUT_WITHIN).unwrap();
    assert!(
        answered,
        "no answer within {FIRST_OUTPUT_WITHIN:?} of the first input: {:?} != {expected:?}; tasks {:?}, errors {:?}",
        reader.counts,
        streams.tasks(),
        streams.thread_errors()
    );
    eprintln!(
        "{app}: first output {} ms after the first input",
        sent.elapsed().as_millis()
    );
    // Both sub-topologies' 8 tasks run: the repartition topic was in the
    // first assignment.
    assert_eq!(total(&streams.tasks()), 16, "{:?}", streams.tasks());
    assert!(streams.close(Duration::from_secs(30)));
}

/// Waits until a consumer group on `topic` has an assignment, so that the
/// cluster has a group coordinator.
pub fn group_coordinator_is_up(cluster: &Cluster, topic: &str) {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let consumer: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", cluster.servers())
        .set("group.id", format!("{topic}-coordinator-check"))
        .create()
        .unwrap();
    consumer.subscribe(&[topic]).unwrap();
    wait("a consumer group's first assignment", Duration::from_secs(60), || {
        let _ = consumer.poll(Duration::from_millis(100));
        consumer.assignment().is_ok_and(|a| a.count() > 0)
    });
}

/// Two instances share a 4-partition input; when one closes, the other takes
/// over its tasks, restores their counts from the changelog, and the final
/// counts equal the input's.
pub fn two_instances_take_over(cluster: &Cluster, app: &str) {
    cluster.create_topic(INPUT_TOPIC, 4);
    cluster.create_topic(OUTPUT_TOPIC, 4);
    let servers = cluster.servers().to_owned();

    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let instances: Vec<KafkaStreams> = dirs
        .iter()
        .map(|d| {
            let c = config(app, d.path());
            cluster.streams(build_topology(&c).unwrap(), c)
        })
        .collect();
    start_and_share(&instances);
    let first: Vec<&str> = (0..200).map(sample_line).collect();
    produce_lines(&servers, INPUT_TOPIC, first.iter().copied()).unwrap();
    // 2 sub-topologies x 4 partitions, split between the two.
    let tasks: usize = instances.iter().map(|i| total(&i.tasks())).sum();
    assert_eq!(
        tasks,
        8,
        "{:?}",
        instances.iter().map(KafkaStreams::tasks).collect::<Vec<_>>()
    );

    let mut reader = CountsReader::new(&servers, OUTPUT_TOPIC, 4).unwrap();
    let expected = expected_counts(first.iter().copied());
    assert!(
        reader.wait_for(&expected, Duration::from_secs(60)).unwrap(),
        "first phase: {:?} != {expected:?}",
        reader.counts
    );

    let [survivor, leaving] = <[KafkaStreams; 2]>::try_from(instances).unwrap();
    assert!(leaving.close(Duration::from_secs(30)));
    assert_eq!(leaving.state(), State::NotRunning);

    wait("the survivor running every task", Duration::from_secs(90), || {
        survivor.state() == State::Running && total(&survivor.tasks()) == 8
    });
    let second: Vec<&str> = (200..300).map(sample_line).collect();
    produce_lines(&servers, INPUT_TOPIC, second.iter().copied()).unwrap();
    let expected = expected_counts(first.iter().chain(&second).copied());
    assert!(
        reader.wait_for(&expected, Duration::from_secs(90)).unwrap(),
        "after takeover: {:?} != {expected:?}; survivor {:?}, errors {:?}",
        reader.counts,
        survivor.state(),
        survivor.thread_errors()
    );
    assert_eq!(total(&survivor.tasks()), 8, "the survivor runs every task");
    let restored: u64 = survivor.metrics().iter().map(|m| m.restored_total).sum();
    assert!(restored > 0, "the moved tasks restored from the changelog");
    assert!(survivor.close(Duration::from_secs(30)));
}

pub fn missing_source_topic_is_an_error(cluster: &Cluster, app: &str) {
    let dir = tempfile::tempdir().unwrap();
    let c = config(app, dir.path());
    let topology = examples::dsl_word_count::build_topology_on(&c, "no-such-topic", "out").unwrap();
    let streams = cluster.streams(topology, c);
    let err = streams.start().unwrap_err().to_string();
    assert!(err.contains("no-such-topic") && err.contains("do not exist"), "{err}");
    assert_eq!(streams.state(), State::Created);
}

/// Internal topics exist once `start` returns, with the source's partition count.
pub fn internal_topics_are_created(cluster: &Cluster, app: &str) {
    let (input, output) = (format!("{app}-in"), format!("{app}-out"));
    cluster.create_topic(&input, 3);
    cluster.create_topic(&output, 3);
    let dir = tempfile::tempdir().unwrap();
    let c = config(app, dir.path()).with("topology.optimization", "none");
    let topology = examples::dsl_word_count::build_topology_on(&c, &input, &output).unwrap();
    let streams = cluster.streams(topology, c);
    streams.start().unwrap();
    // In the metadata once `start` returns (it waits for them).
    let (repartition, changelog) = (
        format!("{app}-counts-store-repartition"),
        format!("{app}-counts-store-changelog"),
    );
    let counts = cluster.admin().partition_counts(Duration::from_secs(10)).unwrap();
    assert_eq!(counts.get(&repartition), Some(&3), "{counts:?}");
    assert_eq!(counts.get(&changelog), Some(&3), "{counts:?}");
    assert!(streams.close(Duration::from_secs(30)));
}

/// Two instances with their `application.server`: `metadata_for_key` names
/// the one whose thread owns the key's partition, and that instance's local
/// store answers for the key while the other's does not. Needs a broker
/// that describes groups (not the mock cluster).
pub fn metadata_for_key_names_the_host(cluster: &Cluster, app: &str) {
    use streams_core::engine::TaskId;
    use streams_core::serde::StringSerde;
    let (input, output) = (format!("{app}-in"), format!("{app}-out"));
    cluster.create_topic(&input, 4);
    cluster.create_topic(&output, 4);
    let lines: Vec<&str> = (0..60).map(sample_line).collect();
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let instances: Vec<KafkaStreams> = dirs
        .iter()
        .zip(["127.0.0.1:7001", "127.0.0.1:7002"])
        .map(|(d, server)| {
            let c = config(app, d.path()).with("application.server", server);
            let topology = examples::dsl_word_count::build_topology_on(&c, &input, &output).unwrap();
            cluster.streams(topology, c)
        })
        .collect();
    start_and_share(&instances);
    produce_lines(cluster.servers(), &input, lines.iter().copied()).unwrap();
    let mut reader = CountsReader::new(cluster.servers(), &output, 4).unwrap();
    assert!(
        reader
            .wait_for(&expected_counts(lines.iter().copied()), Duration::from_secs(60))
            .unwrap()
    );

    let word = "kafka".to_string();
    let meta = instances[0]
        .metadata_for_key("counts-store", &word, &StringSerde)
        .unwrap()
        .expect("a member owns the key's partition");
    // The store's sub-topology (1) reads the repartition topic; its task
    // for the key's partition runs on the named instance.
    let task = TaskId::new(1, meta.partition);
    let (host, other) = if meta.active_host.port == 7001 { (0, 1) } else { (1, 0) };
    assert!(total(&instances[host].tasks()) > 0);
    assert!(
        instances[host].tasks().values().any(|ts| ts.contains(&task)),
        "{meta:?}: {:?}",
        instances[host].tasks()
    );
    let expected = expected_counts(lines.iter().copied())[&word];
    let local = instances[host].key_value_store::<String, i64>("counts-store");
    assert_eq!(local.get(&word).unwrap(), Some(expected));
    let remote = instances[other].key_value_store::<String, i64>("counts-store");
    assert_eq!(
        remote.get(&word).unwrap(),
        None,
        "the other instance does not host the key"
    );
    // Both instances give the same answer.
    let again = instances[1]
        .metadata_for_key("counts-store", &word, &StringSerde)
        .unwrap();
    assert_eq!(again, Some(meta));
    for i in &instances {
        assert!(i.close(Duration::from_secs(30)));
    }
}
