//! The Kafka runtime against a real Apache Kafka broker (4.0, single-node
//! KRaft, from Maven Central jars) started on 127.0.0.1 for this test and
//! stopped at its end. Never skipped: without Java and Maven it fails.
//!
//! One test runs most scenarios on one broker, so the broker starts once and
//! is stopped (dropped) when the test ends, pass or fail; the start-up
//! regression has a broker of its own, so that it can be run alone.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::Cluster;
use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
use rdkafka::client::DefaultClientContext;

fn topic_config(servers: &str, topic: &str, key: &str) -> Option<String> {
    let admin: AdminClient<DefaultClientContext> = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", servers)
        .create()
        .unwrap();
    let results = futures_block_on(admin.describe_configs(
        &[ResourceSpecifier::Topic(topic)],
        &AdminOptions::new().request_timeout(Some(Duration::from_secs(10))),
    ))
    .unwrap();
    let resource = results.into_iter().next().unwrap().unwrap();
    resource.get(key).and_then(|e| e.value.clone())
}

fn futures_block_on<F: std::future::Future>(f: F) -> F::Output {
    // The admin futures complete on librdkafka's threads; any executor will do.
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut f = std::pin::pin!(f);
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The start-up bug this guards against: a fresh application's consumers
/// subscribed before the broker's metadata showed the internal topics it had
/// just created, and left them out until the next metadata refresh.
#[test]
fn real_kafka_broker_fresh_application_answers_at_once() {
    common::fresh_application_answers_at_once(&Cluster::real(), "real-fresh");
}

#[test]
fn real_kafka_broker_end_to_end() {
    let cluster = Cluster::real();

    common::missing_source_topic_is_an_error(&cluster, "real-missing");

    common::internal_topics_are_created(&cluster, "real-topics");
    // Created with Kafka Streams' configs: changelogs compacted, repartition
    // topics deleted by the application (infinite retention).
    let servers = cluster.servers().to_owned();
    assert_eq!(
        topic_config(&servers, "real-topics-counts-store-changelog", "cleanup.policy").as_deref(),
        Some("compact")
    );
    assert_eq!(
        topic_config(&servers, "real-topics-counts-store-repartition", "cleanup.policy").as_deref(),
        Some("delete")
    );
    assert_eq!(
        topic_config(&servers, "real-topics-counts-store-repartition", "retention.ms").as_deref(),
        Some("-1")
    );

    common::word_count_end_to_end(&cluster, "real-wc");
    common::metadata_for_key_names_the_host(&cluster, "real-iq");
    common::two_instances_take_over(&cluster, "real-takeover");
}
