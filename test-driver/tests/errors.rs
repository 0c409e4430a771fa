//! Every bad input named by the foundation issue gives a typed error or goes to
//! the configured handler; nothing panics, nothing is lost silently.

// A failing test panics: that is how it reports.
#![allow(clippy::unwrap_used)]

use streams_core::handler::dlq_headers;
use streams_core::prelude::*;
use streams_core::serde::{I64Serde, Payload, StringSerde};
use streams_core::{RecordPart, SerdeError};
use test_driver::{DriverError, TopologyTestDriver};

/// in (String, i64) -> identity -> out
fn passthrough(config: StreamsConfig) -> TopologyTestDriver {
    let mut topology = Topology::new();
    topology
        .add_source("src", Source::<String, i64>::new("in"))
        .unwrap()
        .add_sink("sink", Sink::<String, i64>::new("out"), &["src"])
        .unwrap();
    TopologyTestDriver::new(topology, config).unwrap()
}

#[test]
fn undecodable_value_fails_by_default_naming_topic_partition_offset() {
    let driver = passthrough(StreamsConfig::new("app"));
    let input = driver.create_input_topic::<String, i64>("in");
    input.pipe_input("a".into(), 1).unwrap();
    let err = input.pipe_raw(Some(b"b".to_vec()), Some(vec![1, 2, 3]), 5).unwrap_err();
    match &err {
        DriverError::Streams(StreamsError::Deserialization {
            topic,
            partition,
            offset,
            part,
            source,
        }) => {
            assert_eq!(
                (topic.as_str(), *partition, *offset, *part),
                ("in", 0, 1, RecordPart::Value)
            );
            assert!(matches!(
                source,
                SerdeError::InvalidLength {
                    expected: 8,
                    actual: 3,
                    ..
                }
            ));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "cannot deserialize the value of the record at in-0 offset 1: i64 expects 8 bytes, got 3"
    );
}

#[test]
fn undecodable_key_is_skipped_with_a_metric_under_log_and_continue() {
    let driver = passthrough(StreamsConfig::new("app").with_deserialization_exception_handler(LogAndContinue));
    let input = driver.create_input_topic::<String, i64>("in");
    let output = driver.create_output_topic::<String, i64>("out");
    input
        .pipe_raw(Some(vec![0xff]), Some(7i64.to_be_bytes().to_vec()), 1)
        .unwrap();
    input.pipe_raw(None, Some(7i64.to_be_bytes().to_vec()), 2).unwrap(); // null key for a String key
    input.pipe_input("ok".into(), 9).unwrap();
    assert_eq!(output.read_key_values_to_list().unwrap(), vec![("ok".to_string(), 9)]);
    assert_eq!(driver.metrics().dropped_records, 2);
    assert_eq!(driver.metrics().processed_records, 1);
}

#[test]
fn negative_timestamp_takes_the_deserialization_error_path() {
    let driver = passthrough(StreamsConfig::new("app"));
    let input = driver.create_input_topic::<String, i64>("in");
    let err = input.pipe_input_with_timestamp("a".into(), 1, -5).unwrap_err();
    assert!(
        matches!(
            err,
            DriverError::Streams(StreamsError::InvalidTimestamp { ref topic, partition: 0, offset: 0, timestamp: -5 }) if topic == "in"
        ),
        "{err:?}"
    );

    let driver = passthrough(StreamsConfig::new("app").with_deserialization_exception_handler(LogAndContinue));
    let input = driver.create_input_topic::<String, i64>("in");
    let output = driver.create_output_topic::<String, i64>("out");
    input.pipe_input_with_timestamp("a".into(), 1, -5).unwrap();
    input.pipe_input_with_timestamp("b".into(), 2, 5).unwrap();
    assert_eq!(output.read_key_values_to_list().unwrap(), vec![("b".to_string(), 2)]);
    assert_eq!(driver.metrics().dropped_records, 1);
}

#[test]
fn custom_extractor_returning_negative_is_invalid_too() {
    let mut topology = Topology::new();
    topology
        .add_source(
            "src",
            Source::<String, i64>::new("in").with_timestamp_extractor(TimestampExtractor::from_fn(|r, _| r.value)),
        )
        .unwrap()
        .add_sink("sink", Sink::<String, i64>::new("out"), &["src"])
        .unwrap();
    let driver = TopologyTestDriver::new(topology, StreamsConfig::new("app")).unwrap();
    let input = driver.create_input_topic::<String, i64>("in");
    let output = driver.create_output_topic::<String, i64>("out");
    input.pipe_input_with_timestamp("a".into(), 42, 0).unwrap();
    assert_eq!(output.read_record().unwrap().timestamp, 42);
    let err = input.pipe_input_with_timestamp("a".into(), -1, 0).unwrap_err();
    assert!(matches!(
        err,
        DriverError::Streams(StreamsError::InvalidTimestamp { timestamp: -1, .. })
    ));
}

#[test]
fn dead_letter_topic_receives_the_original_bytes_and_error_headers() {
    let config = StreamsConfig::new("app")
        .with_deserialization_exception_handler(LogAndContinue)
        .with_dead_letter_queue_topic("app-dlq");
    let driver = passthrough(config);
    let input = driver.create_input_topic::<String, i64>("in");
    input.pipe_input("good".into(), 1).unwrap();
    input
        .pipe_raw(Some(b"bad".to_vec()), Some(b"xyz".to_vec()), 77)
        .unwrap();

    let dlq = driver.create_output_topic::<Vec<u8>, Vec<u8>>("app-dlq");
    let record = dlq.read_record().unwrap();
    assert_eq!(
        (record.key.as_slice(), record.value.as_slice(), record.timestamp),
        (&b"bad"[..], &b"xyz"[..], 77)
    );
    let header = |k| String::from_utf8(record.headers.last_header(k).unwrap().value.clone().unwrap()).unwrap();
    assert_eq!(header(dlq_headers::EXCEPTION), "Deserialization");
    assert_eq!(header(dlq_headers::TOPIC), "in");
    assert_eq!(header(dlq_headers::PARTITION), "0");
    assert_eq!(header(dlq_headers::OFFSET), "1");
    assert!(header(dlq_headers::MESSAGE).contains("i64 expects 8 bytes, got 3"));
    assert!(dlq.is_empty());
    assert!(driver.produced_topic_names().contains("app-dlq"));
}

/// Fails on values that are negative.
struct RejectNegative;

impl Processor<String, i64> for RejectNegative {
    fn process(&mut self, ctx: &mut ProcessorContext<String, i64>, r: Record<String, i64>) -> ProcessResult {
        if r.value < 0 {
            return Err(format!("negative value {}", r.value).into());
        }
        ctx.forward(r)?;
        Ok(())
    }
}

fn rejecting(config: StreamsConfig) -> TopologyTestDriver {
    let mut topology = Topology::new();
    topology
        .add_source("src", Source::<String, i64>::new("in"))
        .unwrap()
        .add_processor("reject", || RejectNegative, &["src"])
        .unwrap()
        .add_sink("sink", Sink::<String, i64>::new("out"), &["reject"])
        .unwrap();
    TopologyTestDriver::new(topology, config).unwrap()
}

#[test]
fn processor_error_names_the_node_and_task() {
    let driver = rejecting(StreamsConfig::new("app"));
    let input = driver.create_input_topic::<String, i64>("in");
    let err = input.pipe_input("k".into(), -3).unwrap_err();
    assert_eq!(
        err.to_string(),
        "processor reject in task 0_0 failed: negative value -3"
    );
}

#[test]
fn processor_error_is_skipped_and_dead_lettered_under_log_and_continue() {
    let config = StreamsConfig::new("app")
        .with_processing_exception_handler(LogAndContinue)
        .with_dead_letter_queue_topic("dlq");
    let driver = rejecting(config);
    let input = driver.create_input_topic::<String, i64>("in");
    let output = driver.create_output_topic::<String, i64>("out");
    input.pipe_input("a".into(), -1).unwrap();
    input.pipe_input("b".into(), 2).unwrap();
    assert_eq!(output.read_key_values_to_list().unwrap(), vec![("b".to_string(), 2)]);
    assert_eq!(driver.metrics().dropped_records, 1);
    let dlq = driver.create_output_topic::<String, i64>("dlq");
    let dead = dlq.read_record().unwrap();
    assert_eq!((dead.key.as_str(), dead.value), ("a", -1));
    assert_eq!(
        dead.headers
            .last_header(dlq_headers::EXCEPTION)
            .unwrap()
            .value
            .as_deref(),
        Some(&b"Processing"[..])
    );
}

#[test]
fn custom_handler_closure_sees_the_context() {
    use std::sync::{Arc, Mutex};
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let config = StreamsConfig::new("app").with_processing_exception_handler(
        move |ctx: &streams_core::ErrorContext<'_>, _e: &StreamsError| {
            log.lock()
                .unwrap()
                .push((ctx.node.map(str::to_owned), ctx.topic.map(str::to_owned), ctx.offset));
            streams_core::HandlerResponse::Continue
        },
    );
    let driver = rejecting(config);
    let input = driver.create_input_topic::<String, i64>("in");
    input.pipe_input("a".into(), 1).unwrap();
    input.pipe_input("b".into(), -1).unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        vec![(Some("reject".to_string()), Some("in".to_string()), 1)]
    );
}

/// A serde that refuses to encode one value.
struct NoSevens;

impl Serde<i64> for NoSevens {
    fn serialize_into(&self, topic: &str, value: &i64, buf: &mut Vec<u8>) -> Result<Payload, SerdeError> {
        if *value == 7 {
            return Err(SerdeError::Custom("sevens are not allowed".into()));
        }
        I64Serde.serialize_into(topic, value, buf)
    }
    fn deserialize(&self, topic: &str, data: Option<&[u8]>) -> Result<i64, SerdeError> {
        I64Serde.deserialize(topic, data)
    }
}

#[test]
fn sink_serialization_error_goes_to_the_production_handler() {
    let build = |config| {
        let mut topology = Topology::new();
        topology
            .add_source("src", Source::<String, i64>::new("in"))
            .unwrap()
            .add_sink("sink", Sink::with_serdes("out", StringSerde, NoSevens), &["src"])
            .unwrap();
        TopologyTestDriver::new(topology, config).unwrap()
    };
    let driver = build(StreamsConfig::new("app"));
    let err = driver
        .create_input_topic::<String, i64>("in")
        .pipe_input("k".into(), 7)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "sink sink cannot serialize the value of a record for topic out: sevens are not allowed"
    );

    let driver = build(StreamsConfig::new("app").with_production_exception_handler(LogAndContinue));
    let input = driver.create_input_topic::<String, i64>("in");
    let output = driver.create_output_topic::<String, i64>("out");
    input.pipe_input("k".into(), 7).unwrap();
    input.pipe_input("k".into(), 8).unwrap();
    assert_eq!(output.read_values_to_list().unwrap(), vec![8]);
    assert_eq!(driver.metrics().dropped_records, 1);
}

#[test]
fn piping_into_an_unknown_topic_is_an_error() {
    let driver = passthrough(StreamsConfig::new("app"));
    let err = driver
        .create_input_topic::<String, i64>("nope")
        .pipe_input("k".into(), 1)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown input topic nope: no source of the topology reads it"
    );
}

#[test]
fn reading_with_the_wrong_serde_is_an_error() {
    let driver = passthrough(StreamsConfig::new("app"));
    driver
        .create_input_topic::<String, i64>("in")
        .pipe_input("k".into(), 1)
        .unwrap();
    let wrong = driver.create_output_topic::<String, i32>("out");
    let err = wrong.read_value().unwrap_err();
    assert!(
        matches!(&err, DriverError::Deserialization { topic, part: RecordPart::Value, source: SerdeError::InvalidLength { expected: 4, actual: 8, .. } } if topic == "out"),
        "{err:?}"
    );
    let empty = driver.create_output_topic::<String, i64>("out");
    assert!(matches!(empty.read_value(), Err(DriverError::NoRecord { topic }) if topic == "out"));
}

#[test]
fn stores_must_be_connected_and_of_the_asked_type() {
    struct Asks {
        store: &'static str,
    }
    impl Processor<String, i64> for Asks {
        fn init(&mut self, ctx: &mut ProcessorContext<String, i64>) -> ProcessResult {
            ctx.key_value_store::<String, i64>(self.store)?;
            Ok(())
        }
        fn process(&mut self, _: &mut ProcessorContext<String, i64>, _: Record<String, i64>) -> ProcessResult {
            Ok(())
        }
    }
    let build = |asked: &'static str, store_types_match: bool| {
        let mut topology = Topology::new();
        topology
            .add_source("src", Source::<String, i64>::new("in"))
            .unwrap()
            .add_processor("asks", move || Asks { store: asked }, &["src"])
            .unwrap();
        if store_types_match {
            topology.add_state_store(
                InMemoryKeyValueStoreBuilder::<String, i64>::with_default_serdes("s"),
                &["asks"],
            )
        } else {
            topology.add_state_store(
                InMemoryKeyValueStoreBuilder::<String, String>::with_default_serdes("s"),
                &["asks"],
            )
        }
        .unwrap();
        TopologyTestDriver::new(topology, StreamsConfig::new("app")).err()
    };
    assert!(build("s", true).is_none());
    assert_eq!(
        build("other", true).unwrap().to_string(),
        "processor asks asked for store other, which is not connected to it"
    );
    let mismatch = build("s", false).unwrap().to_string();
    assert!(
        mismatch.starts_with("processor asks asked for store s as "),
        "{mismatch}"
    );
}

#[test]
fn forward_to_an_unknown_child_is_an_error() {
    struct Named;
    impl Processor<String, i64> for Named {
        fn process(&mut self, ctx: &mut ProcessorContext<String, i64>, r: Record<String, i64>) -> ProcessResult {
            let child = if r.value > 0 { "positive" } else { "missing" };
            ctx.forward_to(child, r)?;
            Ok(())
        }
    }
    let mut topology = Topology::new();
    topology
        .add_source("src", Source::<String, i64>::new("in"))
        .unwrap()
        .add_processor("route", || Named, &["src"])
        .unwrap()
        .add_sink("positive", Sink::<String, i64>::new("pos"), &["route"])
        .unwrap()
        .add_sink("other", Sink::<String, i64>::new("other"), &["route"])
        .unwrap();
    let driver = TopologyTestDriver::new(topology, StreamsConfig::new("app")).unwrap();
    let input = driver.create_input_topic::<String, i64>("in");
    input.pipe_input("k".into(), 1).unwrap();
    assert_eq!(
        driver.create_output_topic::<String, i64>("pos").read_value().unwrap(),
        1
    );
    assert!(driver.create_output_topic::<String, i64>("other").is_empty());
    let err = input.pipe_input("k".into(), -1).unwrap_err();
    assert_eq!(err.to_string(), "processor route has no child named missing");
}

#[test]
fn negative_output_timestamp_is_an_error_naming_the_sink() {
    struct Rewind;
    impl Processor<String, i64> for Rewind {
        fn process(&mut self, ctx: &mut ProcessorContext<String, i64>, r: Record<String, i64>) -> ProcessResult {
            ctx.forward(r.with_timestamp(-1))?;
            Ok(())
        }
    }
    let mut topology = Topology::new();
    topology
        .add_source("src", Source::<String, i64>::new("in"))
        .unwrap()
        .add_processor("rewind", || Rewind, &["src"])
        .unwrap()
        .add_sink("sink", Sink::<String, i64>::new("out"), &["rewind"])
        .unwrap();
    let driver = TopologyTestDriver::new(topology, StreamsConfig::new("app")).unwrap();
    let err = driver
        .create_input_topic::<String, i64>("in")
        .pipe_input("k".into(), 1)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "sink sink cannot write a record with negative timestamp -1 to topic out"
    );
}

#[test]
fn closed_driver_refuses_work() {
    let driver = passthrough(StreamsConfig::new("app"));
    let input = driver.create_input_topic::<String, i64>("in");
    driver.close().unwrap();
    assert!(matches!(input.pipe_input("k".into(), 1), Err(DriverError::Closed)));
}
