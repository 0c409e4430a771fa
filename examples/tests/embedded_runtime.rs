//! The Kafka runtime against the embedded broker (librdkafka's in-process
//! mock cluster, a real Kafka-protocol broker on 127.0.0.1).

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::Cluster;
use streams_core::StreamsConfig;
use streams_core::runtime::{KafkaStreams, State};

#[test]
fn word_count_end_to_end() {
    common::word_count_end_to_end(&Cluster::embedded(), "wc-e2e");
}

#[test]
fn two_instances_share_partitions_and_one_takes_over_with_restored_state() {
    common::two_instances_take_over(&Cluster::embedded(), "wordcount-it");
}

#[test]
fn a_fresh_application_answers_its_first_input_at_once() {
    common::fresh_application_answers_at_once(&Cluster::embedded(), "fresh");
}

#[test]
fn a_missing_source_topic_is_a_clear_error_and_the_client_stays_created() {
    common::missing_source_topic_is_an_error(&Cluster::embedded(), "missing-source");
}

#[test]
fn internal_topics_are_created_at_start_up() {
    common::internal_topics_are_created(&Cluster::embedded(), "topics-it");
}

#[test]
fn an_unreachable_broker_fails_start_within_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1 of the loopback address.
    let c = common::config("unreachable", dir.path())
        .with_bootstrap_servers("127.0.0.1:1")
        .with("default.api.timeout.ms", "2000");
    let topology = examples::dsl_word_count::build_topology(&c).unwrap();
    let streams = KafkaStreams::new(topology, c).unwrap();
    let started = Instant::now();
    let err = streams.start().unwrap_err().to_string();
    assert!(err.contains("cannot reach the cluster within 2000 ms"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(streams.state(), State::Created);
}

#[test]
fn unknown_config_keys_fail_before_anything_connects() {
    let c = StreamsConfig::new("bad").with("max.poll.records", "10");
    let topology = examples::dsl_word_count::build_topology(&c).unwrap();
    let err = KafkaStreams::new(topology, c.with_bootstrap_servers("127.0.0.1:1"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("max.poll.records") && err.contains("unknown key"), "{err}");
}
