//! Waiting until topics are usable: in the cluster's metadata with all their
//! partitions, each with a leader.
//!
//! A broker answers CreateTopics once the controller has accepted the topics,
//! before its own metadata shows them. A consumer that subscribes in that gap
//! learns that the topic does not exist, and librdkafka does not ask again
//! until its next periodic refresh (`topic.metadata.refresh.interval.ms`,
//! five minutes by default): the group is assigned the other topics only, and
//! everything downstream of the new topic stays silent. So the client starts
//! no stream thread until every topic it reads or restores from is ready, as
//! Kafka Streams' internal topic manager waits for its topics after creating
//! them.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::ClientContext;
use rdkafka::client::Client;

use super::topics::{ClusterAdmin, cluster_metadata};
use crate::error::StreamsError;

/// Why each topic of `expected` (name to partition count) is not ready yet,
/// from one metadata request on `client`; empty when all are.
pub(crate) fn unready_topics<C: ClientContext>(
    client: &Client<C>,
    expected: &BTreeMap<String, i32>,
    timeout: Duration,
) -> Result<Vec<String>, StreamsError> {
    let metadata = cluster_metadata(client, timeout)?;
    let mut unready = Vec::new();
    for (name, &partitions) in expected {
        let Some(topic) = metadata.topics().iter().find(|t| t.name() == name) else {
            unready.push(format!("{name} (not in the metadata)"));
            continue;
        };
        if let Some(error) = topic.error() {
            unready.push(format!("{name} ({})", rdkafka::types::RDKafkaErrorCode::from(error)));
            continue;
        }
        let known = topic.partitions().len() as i32;
        if known < partitions {
            unready.push(format!("{name} ({known} of {partitions} partitions)"));
            continue;
        }
        let leaderless: Vec<String> = topic
            .partitions()
            .iter()
            .filter(|p| p.leader() < 0 || p.error().is_some())
            .map(|p| p.id().to_string())
            .collect();
        if !leaderless.is_empty() {
            unready.push(format!("{name} (no leader for partitions {})", leaderless.join(",")));
        }
    }
    Ok(unready)
}

/// Waits until every topic of `expected` is ready (see the module docs),
/// reading the metadata again every `backoff`. Fails after `timeout` with an
/// error naming each topic still not ready and why.
pub(crate) fn await_topics_ready(
    admin: &dyn ClusterAdmin,
    expected: &BTreeMap<String, i32>,
    timeout: Duration,
    backoff: Duration,
) -> Result<(), StreamsError> {
    let started = Instant::now();
    let deadline = started + timeout;
    let mut logged = false;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let unready = admin.unready_topics(expected, left.max(Duration::from_millis(1)))?;
        if unready.is_empty() {
            if logged {
                tracing::info!(waited_ms = started.elapsed().as_millis() as u64, "topics ready");
            }
            return Ok(());
        }
        if Instant::now() + backoff >= deadline {
            return Err(StreamsError::TopicsNotReady {
                topics: unready,
                timeout_ms: timeout.as_millis() as u64,
            });
        }
        if !logged {
            tracing::info!(topics = %unready.join(", "), "waiting for topics to show in the cluster's metadata");
            logged = true;
        }
        // Between two reads of the condition, not in place of it.
        std::thread::sleep(backoff);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::EmbeddedBroker;

    #[test]
    fn names_each_topic_not_ready_and_why_then_times_out_naming_them() {
        let broker = EmbeddedBroker::start().unwrap();
        broker.create_topic("ready", 4).unwrap();
        broker.create_topic("narrow", 2).unwrap();
        let expected: BTreeMap<String, i32> = [("ready", 4), ("narrow", 3), ("absent", 1)]
            .into_iter()
            .map(|(t, n)| (t.to_owned(), n))
            .collect();
        let timeout = Duration::from_secs(5);
        let unready = broker.unready_topics(&expected, timeout).unwrap();
        assert_eq!(unready, ["absent (not in the metadata)", "narrow (2 of 3 partitions)"]);

        let only_ready: BTreeMap<String, i32> = [("ready".to_owned(), 4)].into();
        await_topics_ready(&broker, &only_ready, timeout, Duration::from_millis(10)).unwrap();

        let started = Instant::now();
        let err = await_topics_ready(
            &broker,
            &expected,
            Duration::from_millis(300),
            Duration::from_millis(10),
        )
        .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5), "bounded by its timeout");
        let text = err.to_string();
        assert!(
            matches!(err, StreamsError::TopicsNotReady { timeout_ms: 300, .. })
                && text.contains("absent (not in the metadata)")
                && text.contains("narrow (2 of 3 partitions)")
                && !text.contains("ready ("),
            "{text}"
        );
    }
}
