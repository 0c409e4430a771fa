//! The driver's processing model: feedback of produced records, several
//! sub-topologies, pattern sources, metadata, headers and time.

// A failing test panics: that is how it reports.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use streams_core::prelude::*;
use streams_core::serde::{OptionSerde, StringSerde};
use test_driver::{DriverError, TopologyTestDriver};

/// Forwards (key, value + 1) while the value is below `limit`, to both children.
struct Increment {
    limit: i64,
}

impl Processor<String, i64> for Increment {
    fn process(&mut self, ctx: &mut ProcessorContext<String, i64>, r: Record<String, i64>) -> ProcessResult {
        ctx.forward_to("out", r.clone())?;
        if r.value < self.limit {
            let next = r.value + 1;
            ctx.forward_to("loop", r.with_value(next))?;
        }
        Ok(())
    }
}

fn looping(limit: i64) -> TopologyTestDriver {
    let mut topology = Topology::new();
    topology
        .add_source("src", Source::<String, i64>::new("numbers"))
        .unwrap()
        .add_processor("inc", move || Increment { limit }, &["src"])
        .unwrap()
        .add_sink("out", Sink::<String, i64>::new("seen"), &["inc"])
        .unwrap()
        .add_sink("loop", Sink::<String, i64>::new("numbers"), &["inc"])
        .unwrap();
    TopologyTestDriver::new(topology, StreamsConfig::new("app")).unwrap()
}

#[test]
fn records_written_to_an_input_topic_are_fed_back_within_the_same_call() {
    let driver = looping(3);
    driver
        .create_input_topic::<String, i64>("numbers")
        .pipe_input("k".into(), 0)
        .unwrap();
    let seen = driver.create_output_topic::<String, i64>("seen");
    assert_eq!(seen.read_values_to_list().unwrap(), vec![0, 1, 2, 3]);
    // The fed-back records are visible on the topic too, as in Kafka's driver.
    let numbers = driver.create_output_topic::<String, i64>("numbers");
    assert_eq!(numbers.read_values_to_list().unwrap(), vec![1, 2, 3]);
}

#[test]
fn a_topology_that_loops_forever_is_reported_not_a_stack_overflow() {
    let driver = looping(i64::MAX);
    let err = driver
        .create_input_topic::<String, i64>("numbers")
        .pipe_input("k".into(), 0)
        .unwrap_err();
    assert!(
        matches!(err, DriverError::FeedbackLoop { ref topic, limit: 1000 } if topic == "numbers"),
        "{err}"
    );
}

/// Re-keys by value, forwarding (value, 1).
struct ByValue;

impl Processor<String, String, String, i64> for ByValue {
    fn process(&mut self, ctx: &mut ProcessorContext<String, i64>, r: Record<String, String>) -> ProcessResult {
        let key = r.value.clone();
        ctx.forward(r.with_key(key).with_value(1))?;
        Ok(())
    }
}

/// Sums values per key in store "sums" and forwards the running sum.
struct Sum {
    store: Option<KeyValueStoreHandle<String, i64>>,
}

impl Processor<String, i64> for Sum {
    fn init(&mut self, ctx: &mut ProcessorContext<String, i64>) -> ProcessResult {
        self.store = Some(ctx.key_value_store("sums")?);
        Ok(())
    }
    fn process(&mut self, ctx: &mut ProcessorContext<String, i64>, r: Record<String, i64>) -> ProcessResult {
        let store = self.store.as_ref().ok_or("not initialised")?;
        let sum = store.get(&r.key)?.unwrap_or(0) + r.value;
        store.put(&r.key, &sum)?;
        ctx.forward(r.with_value(sum))?;
        Ok(())
    }
}

fn two_subtopologies() -> Topology {
    let mut topology = Topology::new();
    topology
        .add_source("words", Source::<String, String>::new("words"))
        .unwrap()
        .add_processor("by-value", || ByValue, &["words"])
        .unwrap()
        .add_sink(
            "to-repartition",
            Sink::<String, i64>::new("app-sums-repartition"),
            &["by-value"],
        )
        .unwrap()
        .add_source("from-repartition", Source::<String, i64>::new("app-sums-repartition"))
        .unwrap()
        .add_processor("sum", || Sum { store: None }, &["from-repartition"])
        .unwrap()
        .add_state_store(
            InMemoryKeyValueStoreBuilder::<String, i64>::with_default_serdes("sums"),
            &["sum"],
        )
        .unwrap()
        .add_sink("result", Sink::<String, i64>::new("sums"), &["sum"])
        .unwrap();
    topology
}

#[test]
fn repartition_round_trip_through_a_second_subtopology() {
    let topology = two_subtopologies();
    assert_eq!(topology.subtopologies().len(), 2);
    let driver = TopologyTestDriver::new(topology, StreamsConfig::new("app")).unwrap();
    let words = driver.create_input_topic::<String, String>("words");
    let sums = driver.create_output_topic::<String, i64>("sums");
    for (i, w) in ["a", "b", "a", "a"].iter().enumerate() {
        words
            .pipe_input_with_timestamp(format!("line{i}"), (*w).into(), 10 * i as i64)
            .unwrap();
    }
    let out = sums.read_records_to_list().unwrap();
    let got: Vec<(String, i64, i64)> = out.into_iter().map(|r| (r.key, r.value, r.timestamp)).collect();
    let want = [("a", 1, 0), ("b", 1, 10), ("a", 2, 20), ("a", 3, 30)];
    assert_eq!(got, want.map(|(k, v, t)| (k.to_string(), v, t)));
    assert_eq!(
        driver.produced_topic_names().into_iter().collect::<Vec<_>>(),
        ["app-sums-repartition", "sums"]
    );
    let store = driver.key_value_store::<String, i64>("sums").unwrap();
    assert_eq!(store.all().unwrap(), vec![("a".to_string(), 3), ("b".to_string(), 1)]);
    assert_eq!(driver.metrics().processed_records, 8);
}

/// Forwards the record's source topic and offset as the value.
struct Where;

impl Processor<String, String> for Where {
    fn process(&mut self, ctx: &mut ProcessorContext<String, String>, r: Record<String, String>) -> ProcessResult {
        let md = ctx.record_metadata().ok_or("metadata missing")?;
        let value = format!("{}@{}/{}", md.topic, md.partition, md.offset);
        ctx.forward(r.with_value(value))?;
        Ok(())
    }
}

#[test]
fn pattern_sources_and_record_metadata() {
    let mut topology = Topology::new();
    topology
        .add_source("src", Source::<String, String>::new(Subscription::pattern("in-[0-9]+")))
        .unwrap()
        .add_processor("where", || Where, &["src"])
        .unwrap()
        .add_sink("sink", Sink::<String, String>::new("out"), &["where"])
        .unwrap();
    let driver = TopologyTestDriver::new(topology, StreamsConfig::new("app")).unwrap();
    let out = driver.create_output_topic::<String, String>("out");
    driver
        .create_input_topic::<String, String>("in-1")
        .pipe_input("k".into(), "x".into())
        .unwrap();
    driver
        .create_input_topic::<String, String>("in-22")
        .pipe_input("k".into(), "x".into())
        .unwrap();
    driver
        .create_input_topic::<String, String>("in-1")
        .pipe_input("k".into(), "x".into())
        .unwrap();
    assert_eq!(
        out.read_values_to_list().unwrap(),
        ["in-1@0/0", "in-22@0/0", "in-1@0/1"]
    );
    // The whole topic name must match.
    let err = driver
        .create_input_topic::<String, String>("in-1x")
        .pipe_input("k".into(), "x".into());
    assert!(matches!(err, Err(DriverError::UnknownTopic { .. })));
}

#[test]
fn headers_timestamps_and_auto_advance() {
    let mut topology = Topology::new();
    topology
        .add_source("src", Source::<String, String>::new("in"))
        .unwrap()
        .add_sink("sink", Sink::<String, String>::new("out"), &["src"])
        .unwrap();
    let driver = TopologyTestDriver::with_wall_clock_time(topology, StreamsConfig::new("app"), 5_000).unwrap();
    let out = driver.create_output_topic::<String, String>("out");

    let input = driver.create_input_topic::<String, String>("in");
    input.pipe_input("a".into(), "1".into()).unwrap();
    assert_eq!(
        out.read_record().unwrap().timestamp,
        5_000,
        "defaults to the driver's wall clock"
    );

    let input = driver
        .create_input_topic::<String, String>("in")
        .with_time(100, Duration::from_millis(10));
    input
        .pipe_key_value_list([("a".into(), "1".into()), ("b".into(), "2".into())])
        .unwrap();
    input.advance_time(Duration::from_millis(1000));
    input.pipe_input("c".into(), "3".into()).unwrap();
    let ts: Vec<i64> = out
        .read_records_to_list()
        .unwrap()
        .iter()
        .map(|r| r.timestamp)
        .collect();
    assert_eq!(ts, [100, 110, 1120]);

    let headers = Headers::new().with("trace", "abc").with("trace", "def");
    input
        .pipe_record(Record::new("k".into(), "v".into(), 7).with_headers(headers.clone()))
        .unwrap();
    let r = out.read_record().unwrap();
    assert_eq!((r.timestamp, r.headers.clone()), (7, headers));
    assert_eq!(
        r.headers.last_header("trace").unwrap().value.as_deref(),
        Some(&b"def"[..])
    );
    assert_eq!(out.queue_size(), 0);
}

#[test]
fn nullable_values_travel_as_kafka_nulls() {
    let mut topology = Topology::new();
    topology
        .add_source("src", Source::<String, Option<i64>>::new("in"))
        .unwrap()
        .add_sink("sink", Sink::<String, Option<i64>>::new("out"), &["src"])
        .unwrap();
    let driver = TopologyTestDriver::new(topology, StreamsConfig::new("app")).unwrap();
    let input = driver.create_input_topic::<String, Option<i64>>("in");
    input.pipe_input("k".into(), None).unwrap();
    input.pipe_input("k".into(), Some(3)).unwrap();
    // Read as raw bytes: the tombstone is a true null, the value 8 big-endian bytes.
    let raw = driver.create_output_topic_with_serdes::<String, Option<Vec<u8>>>(
        "out",
        StringSerde,
        OptionSerde(streams_core::serde::BytesSerde),
    );
    assert_eq!(raw.read_value().unwrap(), None);
    assert_eq!(raw.read_value().unwrap(), Some(3i64.to_be_bytes().to_vec()));
}

#[test]
fn wall_clock_extractor_uses_the_mock_clock() {
    let mut topology = Topology::new();
    topology
        .add_source(
            "src",
            Source::<String, String>::new("in").with_timestamp_extractor(TimestampExtractor::wall_clock()),
        )
        .unwrap()
        .add_sink("sink", Sink::<String, String>::new("out"), &["src"])
        .unwrap();
    let driver = TopologyTestDriver::with_wall_clock_time(topology, StreamsConfig::new("app"), 42).unwrap();
    driver
        .create_input_topic::<String, String>("in")
        .pipe_input_with_timestamp("k".into(), "v".into(), 1)
        .unwrap();
    driver.advance_wall_clock_time(Duration::from_millis(8)).unwrap();
    driver
        .create_input_topic::<String, String>("in")
        .pipe_input_with_timestamp("k".into(), "v".into(), 1)
        .unwrap();
    let out = driver.create_output_topic::<String, String>("out");
    let ts: Vec<i64> = out
        .read_records_to_list()
        .unwrap()
        .iter()
        .map(|r| r.timestamp)
        .collect();
    assert_eq!(ts, [42, 50]);
}
