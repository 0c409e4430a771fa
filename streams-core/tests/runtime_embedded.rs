//! The Kafka runtime of streams-core on the embedded broker (librdkafka's
//! mock cluster) with Processor-API topologies: lifecycle, failure handling
//! and interactive queries.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::BorrowedMessage;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
use streams_core::prelude::*;
use streams_core::runtime::{EmbeddedBroker, KafkaStreams, State, ThreadFailureResponse};
use streams_core::store::InMemoryKeyValueStoreBuilder;

fn produce(servers: &str, topic: &str, records: &[(&str, &str)]) {
    let producer: BaseProducer = ClientConfig::new().set("bootstrap.servers", servers).create().unwrap();
    for (k, v) in records {
        producer.send(BaseRecord::to(topic).key(*k).payload(*v)).unwrap();
    }
    producer.flush(Duration::from_secs(10)).unwrap();
}

/// Reads `topic` until `n` records arrived (or 60 s passed).
fn read(servers: &str, topic: &str, partitions: i32, n: usize) -> Vec<(String, String)> {
    read_until(servers, topic, partitions, |out| out.len() >= n)
}

/// Reads `topic` until `done` holds for what arrived (or 60 s passed);
/// sorted.
fn read_until(
    servers: &str,
    topic: &str,
    partitions: i32,
    done: impl Fn(&[(String, String)]) -> bool,
) -> Vec<(String, String)> {
    let mut out = read_records(servers, topic, partitions, |m| (text(m.key()), text(m.payload())), done);
    out.sort();
    out
}

/// A key or value read back as text (null reads as empty).
fn text(bytes: Option<&[u8]>) -> String {
    String::from_utf8_lossy(bytes.unwrap_or_default()).into_owned()
}

/// Reads `topic` from the beginning, each record as `map` makes it, until
/// `done` holds for what arrived (or 60 s passed); in arrival order.
fn read_records<T>(
    servers: &str,
    topic: &str,
    partitions: i32,
    map: impl Fn(&BorrowedMessage<'_>) -> T,
    done: impl Fn(&[T]) -> bool,
) -> Vec<T> {
    // librdkafka wants a group id even for assigned (groupless) reading.
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", servers)
        .set("group.id", format!("reader-{topic}"))
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p, Offset::Beginning).unwrap();
    }
    consumer.assign(&tpl).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut out = Vec::new();
    while !done(&out) && Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
            out.push(map(&m));
        }
    }
    out
}

fn config(app: &str, dir: &std::path::Path) -> StreamsConfig {
    StreamsConfig::new(app)
        .with_state_dir(dir)
        .with("commit.interval.ms", "100")
        // Joins and leaves noticed within a second (Kafka's default: 3 s).
        .with("consumer.heartbeat.interval.ms", "500")
        .with("consumer.session.timeout.ms", "6000")
}

/// Upper-cases values; fails on "boom" while `fail` is set, once.
struct Upper {
    fail: Arc<AtomicBool>,
}

impl Processor<String, String> for Upper {
    fn process(&mut self, ctx: &mut ProcessorContext<String, String>, r: Record<String, String>) -> ProcessResult {
        if r.value == "boom" && self.fail.swap(false, Ordering::SeqCst) {
            return Err("boom".into());
        }
        let v = r.value.to_uppercase();
        ctx.forward(r.with_value(v))?;
        Ok(())
    }
}

/// in -> Upper -> out; the processor fails once on "boom" if `fail_once`.
fn upper_topology(input: &str, output: &str, fail_once: bool) -> Topology {
    let fail = Arc::new(AtomicBool::new(fail_once));
    let mut t = Topology::new();
    t.add_source("in", Source::<String, String>::new(input))
        .unwrap()
        .add_processor(
            "upper",
            move || Upper {
                fail: Arc::clone(&fail),
            },
            &["in"],
        )
        .unwrap()
        .add_sink("out", Sink::<String, String>::new(output), &["upper"])
        .unwrap();
    t
}

#[test]
fn a_processor_api_topology_runs_through_the_lifecycle() {
    let broker = Arc::new(EmbeddedBroker::start().unwrap());
    broker.create_topic("up-in", 2).unwrap();
    broker.create_topic("up-out", 2).unwrap();
    produce(
        broker.bootstrap_servers(),
        "up-in",
        &[("a", "x"), ("b", "y"), ("c", "z")],
    );
    let dir = tempfile::tempdir().unwrap();
    let streams = KafkaStreams::with_embedded_broker(
        upper_topology("up-in", "up-out", false),
        config("up", dir.path()).with_num_stream_threads(2),
        Arc::clone(&broker),
    )
    .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    streams.set_state_listener(move |old, new| s.lock().unwrap().push((old, new)));
    assert_eq!(streams.state(), State::Created);
    streams.start().unwrap();
    assert!(streams.start().is_err(), "a second start is an error");
    assert!(
        streams.wait_for_state(State::Running, Duration::from_secs(120)),
        "{:?} {:?} {:?}",
        streams.state(),
        streams.thread_errors(),
        streams.tasks()
    );
    let out = read(broker.bootstrap_servers(), "up-out", 2, 3);
    assert_eq!(
        out,
        [
            ("a".into(), "X".into()),
            ("b".into(), "Y".into()),
            ("c".into(), "Z".into())
        ]
    );
    assert!(streams.close(Duration::from_secs(30)));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.first(), Some(&(State::Created, State::Rebalancing)), "{seen:?}");
    assert!(seen.contains(&(State::Rebalancing, State::Running)), "{seen:?}");
    assert_eq!(
        &seen[seen.len() - 2..],
        [
            (State::Running, State::PendingShutdown),
            (State::PendingShutdown, State::NotRunning)
        ],
        "{seen:?}"
    );
    assert!(streams.cleanup().is_ok());
}

#[test]
fn a_failed_thread_is_replaced_when_the_handler_says_so() {
    let broker = Arc::new(EmbeddedBroker::start().unwrap());
    broker.create_topic("boom-in", 1).unwrap();
    broker.create_topic("boom-out", 1).unwrap();
    produce(
        broker.bootstrap_servers(),
        "boom-in",
        &[("a", "one"), ("b", "boom"), ("c", "three")],
    );
    let dir = tempfile::tempdir().unwrap();
    let streams = KafkaStreams::with_embedded_broker(
        upper_topology("boom-in", "boom-out", true),
        config("boom", dir.path()),
        Arc::clone(&broker),
    )
    .unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&calls);
    streams.set_uncaught_exception_handler(move |e| {
        assert!(e.to_string().contains("boom"), "{e}");
        c.fetch_add(1, Ordering::SeqCst);
        ThreadFailureResponse::ReplaceThread
    });
    streams.start().unwrap();
    // The replacement reprocesses from the last commit: every record arrives
    // (at least once).
    let expected: Vec<(String, String)> = [("a", "ONE"), ("b", "BOOM"), ("c", "THREE")]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .into();
    let out = read_until(broker.bootstrap_servers(), "boom-out", 1, |out| {
        expected.iter().all(|e| out.contains(e))
    });
    assert!(out.contains(&("b".into(), "BOOM".into())), "{out:?}");
    assert!(out.contains(&("c".into(), "THREE".into())), "{out:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(streams.thread_errors().len(), 1);
    assert!(streams.close(Duration::from_secs(30)));
}

#[test]
fn a_failed_thread_stops_the_client_by_default() {
    let broker = Arc::new(EmbeddedBroker::start().unwrap());
    broker.create_topic("fail-in", 1).unwrap();
    broker.create_topic("fail-out", 1).unwrap();
    produce(broker.bootstrap_servers(), "fail-in", &[("a", "boom")]);
    let dir = tempfile::tempdir().unwrap();
    let streams = KafkaStreams::with_embedded_broker(
        upper_topology("fail-in", "fail-out", true),
        config("fail", dir.path()),
        Arc::clone(&broker),
    )
    .unwrap();
    streams.start().unwrap();
    assert!(
        streams.wait_for_state(State::Error, Duration::from_secs(60)),
        "{:?}",
        streams.state()
    );
    assert!(streams.thread_errors()[0].contains("boom"));
    assert!(
        streams.close(Duration::from_secs(5)),
        "closing a failed client is a no-op"
    );
    assert_eq!(streams.state(), State::Error);
}

/// Counts values per key in an in-memory store.
struct Count;

impl Processor<String, String> for Count {
    fn process(&mut self, ctx: &mut ProcessorContext<String, String>, r: Record<String, String>) -> ProcessResult {
        let store = ctx.key_value_store::<String, i64>("counts")?;
        let n = store.get(&r.key)?.unwrap_or(0) + 1;
        store.put(&r.key, &n)?;
        Ok(())
    }
}

#[test]
fn interactive_queries_read_the_local_stores() {
    let broker = Arc::new(EmbeddedBroker::start().unwrap());
    broker.create_topic("iq-in", 3).unwrap();
    let keys = ["k1", "k2", "k3", "k4", "k5", "k6"];
    let records: Vec<(&str, &str)> = keys.iter().flat_map(|k| [(*k, "x"), (*k, "y")]).collect();
    produce(broker.bootstrap_servers(), "iq-in", &records);
    let mut t = Topology::new();
    t.add_source("in", Source::<String, String>::new("iq-in"))
        .unwrap()
        .add_processor("count", || Count, &["in"])
        .unwrap()
        .add_state_store(
            InMemoryKeyValueStoreBuilder::<String, i64>::with_default_serdes("counts"),
            &["count"],
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = config("iq", dir.path()).with("application.server", "127.0.0.1:7070");
    let streams = KafkaStreams::with_embedded_broker(t, c, Arc::clone(&broker)).unwrap();
    streams.start().unwrap();
    assert!(streams.wait_for_state(State::Running, Duration::from_secs(60)));
    let counts = streams.key_value_store::<String, i64>("counts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while counts.approximate_num_entries().unwrap_or(0) < 6 || counts.all().unwrap().iter().any(|(_, n)| *n < 2) {
        assert!(Instant::now() < deadline, "{:?}", counts.all());
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(counts.get(&"k3".to_string()).unwrap(), Some(2));
    assert_eq!(counts.get(&"nope".to_string()).unwrap(), None);
    let mut all = counts.all().unwrap();
    all.sort();
    assert_eq!(all.len(), 6);
    let wrong = streams.key_value_store::<String, String>("counts");
    let err = wrong.get(&"k1".to_string()).unwrap_err().to_string();
    assert!(err.contains("counts"), "{err}");
    let missing = streams.window_store::<String, i64>("no-such-store");
    assert!(missing.fetch(&"k1".to_string(), 0, 10).is_err());

    // The mock cluster cannot describe groups, so the host lookup fails
    // with a clear error here (kafka_runtime.rs checks it on a real broker).
    let err = streams
        .metadata_for_key("counts", &"k3".to_string(), &streams_core::serde::StringSerde)
        .unwrap_err()
        .to_string();
    assert!(err.contains("describing consumer group iq"), "{err}");
    assert!(streams.close(Duration::from_secs(30)));
}

/// A consumed record's headers, as (key, value) pairs in order.
type HeaderList = Vec<(String, Option<Vec<u8>>)>;

/// Headers reach the output as they came in: none, one, several (a null
/// value and a repeated key among them). Records without headers take
/// the patched shortcut in vendor/patches (librdkafka answers "no headers"
/// from the zero header count); the others take librdkafka's parse.
#[test]
fn headers_pass_through_the_runtime_unchanged() {
    use rdkafka::message::{Header, Headers as _, OwnedHeaders};

    let broker = Arc::new(EmbeddedBroker::start().unwrap());
    broker.create_topic("hd-in", 1).unwrap();
    broker.create_topic("hd-out", 1).unwrap();
    let sent: Vec<(&str, HeaderList)> = vec![
        ("a", vec![]),
        ("b", vec![("trace".into(), Some(b"t-1".to_vec()))]),
        ("c", vec![]),
        (
            "d",
            vec![
                ("trace".into(), Some(b"t-2".to_vec())),
                ("gone".into(), None),
                ("trace".into(), Some(Vec::new())),
            ],
        ),
        ("e", vec![]),
    ];
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap_servers())
        .create()
        .unwrap();
    for (k, headers) in &sent {
        let mut record = BaseRecord::to("hd-in").key(*k).payload("v");
        if !headers.is_empty() {
            let mut owned = OwnedHeaders::new();
            for (key, value) in headers {
                owned = owned.insert(Header {
                    key,
                    value: value.as_deref(),
                });
            }
            record = record.headers(owned);
        }
        producer.send(record).unwrap();
    }
    producer.flush(Duration::from_secs(10)).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let streams = KafkaStreams::with_embedded_broker(
        upper_topology("hd-in", "hd-out", false),
        config("hd", dir.path()),
        Arc::clone(&broker),
    )
    .unwrap();
    streams.start().unwrap();

    let got = read_records(
        broker.bootstrap_servers(),
        "hd-out",
        1,
        |m| {
            let headers: HeaderList = m
                .headers()
                .map(|h| {
                    h.iter()
                        .map(|h| (h.key.to_owned(), h.value.map(<[u8]>::to_vec)))
                        .collect()
                })
                .unwrap_or_default();
            (text(m.key()), headers)
        },
        |got| got.len() >= sent.len(),
    );
    assert!(streams.close(Duration::from_secs(30)));
    let want: Vec<(String, HeaderList)> = sent.into_iter().map(|(k, h)| (k.to_owned(), h)).collect();
    assert_eq!(got, want);
}
