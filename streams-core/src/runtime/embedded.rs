//! The embedded broker: librdkafka's in-process mock cluster, so that an
//! application (the examples, the integration tests) runs end to end with
//! nothing installed.
//!
//! The mock cluster speaks the Kafka protocol on a 127.0.0.1 listener, and
//! every client (consumers, producers) reaches it as it would a real cluster.
//! Its differences from a real broker stay here, behind [`ClusterAdmin`]:
//! topics are created through the mock's own API (it has no CreateTopics),
//! and the group coordinator's initial rebalance delay (3 s by default) is set
//! to 0. Its other limits: it keeps only the last 5 MiB of each partition, it
//! has no log compaction and no working exactly-once. Fine for demos and
//! functional tests; never measure speed on it.

use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::producer::{BaseProducer, DefaultProducerContext, Producer};

use super::topics::{ClusterAdmin, NewTopic, partition_counts};
use crate::error::StreamsError;

/// A one-broker Kafka cluster inside this process, stopped when dropped.
pub struct EmbeddedBroker {
    /// The client that owns the mock cluster (created with
    /// `test.mock.num.brokers`); the cluster lives as long as it does.
    owner: BaseProducer<DefaultProducerContext>,
    bootstrap_servers: String,
}

impl EmbeddedBroker {
    /// Starts a mock cluster with one broker.
    pub fn start() -> Result<Self, StreamsError> {
        let owner: BaseProducer<DefaultProducerContext> = ClientConfig::new()
            .set("test.mock.num.brokers", "1")
            .set("log_level", "3")
            .create()
            .map_err(|e| kafka("starting the embedded broker", e))?;
        let bootstrap_servers = owner
            .client()
            .mock_cluster()
            .map(|m| m.bootstrap_servers())
            .ok_or_else(|| StreamsError::Kafka {
                operation: "starting the embedded broker".into(),
                source: "librdkafka created no mock cluster".into(),
            })?;
        native::no_initial_rebalance_delay(&owner);
        tracing::info!(%bootstrap_servers, "embedded broker (librdkafka mock cluster) started");
        Ok(Self {
            owner,
            bootstrap_servers,
        })
    }

    /// The `bootstrap.servers` of the cluster (a 127.0.0.1 address).
    pub fn bootstrap_servers(&self) -> &str {
        &self.bootstrap_servers
    }

    /// Creates `topic` with `partitions` partitions (replication factor 1).
    /// Creating an existing topic is an error.
    pub fn create_topic(&self, topic: &str, partitions: i32) -> Result<(), StreamsError> {
        let mock = self.owner.client().mock_cluster().ok_or_else(|| StreamsError::Kafka {
            operation: format!("creating topic {topic}"),
            source: "the embedded broker is gone".into(),
        })?;
        mock.create_topic(topic, partitions, 1)
            .map_err(|e| kafka(&format!("creating topic {topic} on the embedded broker"), e))
    }
}

impl ClusterAdmin for EmbeddedBroker {
    fn partition_counts(&self, timeout: Duration) -> Result<std::collections::HashMap<String, i32>, StreamsError> {
        partition_counts(self.owner.client(), timeout)
    }

    fn unready_topics(
        &self,
        expected: &std::collections::BTreeMap<String, i32>,
        timeout: Duration,
    ) -> Result<Vec<String>, StreamsError> {
        super::topic_ready::unready_topics(self.owner.client(), expected, timeout)
    }

    fn group_members(&self, group: &str, timeout: Duration) -> Result<Vec<super::metadata::GroupMember>, StreamsError> {
        super::metadata::group_members(self.owner.client(), group, timeout)
    }

    /// The mock cluster has no log compaction or retention: topic configs
    /// are accepted and not applied.
    fn create_topics(&self, topics: &[NewTopic], _timeout: Duration) -> Result<(), StreamsError> {
        for t in topics {
            self.create_topic(&t.name, t.partitions)?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for EmbeddedBroker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedBroker")
            .field("bootstrap_servers", &self.bootstrap_servers)
            .finish()
    }
}

fn kafka(operation: &str, e: rdkafka::error::KafkaError) -> StreamsError {
    StreamsError::Kafka {
        operation: operation.to_owned(),
        source: Box::new(e),
    }
}

/// The one mock-cluster call rdkafka does not wrap.
#[allow(unsafe_code)]
mod native {
    use rdkafka::producer::{BaseProducer, DefaultProducerContext, Producer};

    /// Makes the mock group coordinator start a group's first rebalance at
    /// once instead of after 3 s (`group.initial.rebalance.delay.ms`).
    pub(super) fn no_initial_rebalance_delay(owner: &BaseProducer<DefaultProducerContext>) {
        let client = owner.client().native_ptr();
        // SAFETY: `client` is the live handle `owner` holds (it outlives this
        // call); `rd_kafka_handle_mock_cluster` only reads it and returns the
        // cluster that handle owns (created with `test.mock.num.brokers`), or
        // null, which is checked before use. The cluster lives until `owner`
        // is destroyed, and setting the delay takes no other pointer.
        unsafe {
            let cluster = rdkafka_sys::rd_kafka_handle_mock_cluster(client);
            if !cluster.is_null() {
                rdkafka_sys::rd_kafka_mock_group_initial_rebalance_delay_ms(cluster, 0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_on_loopback_and_creates_topics() {
        let broker = EmbeddedBroker::start().unwrap();
        assert!(broker.bootstrap_servers().starts_with("127.0.0.1:"), "{broker:?}");
        broker.create_topic("t", 3).unwrap();
        let counts = broker.partition_counts(Duration::from_secs(5)).unwrap();
        assert_eq!(counts.get("t"), Some(&3));
    }

    /// The unsafe call: a group's first join completes well under the mock's
    /// default 3 s initial rebalance delay.
    #[test]
    fn first_group_join_is_not_delayed() {
        use rdkafka::consumer::{BaseConsumer, Consumer};
        let broker = EmbeddedBroker::start().unwrap();
        broker.create_topic("t", 1).unwrap();
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", broker.bootstrap_servers())
            .set("group.id", "g")
            .create()
            .unwrap();
        consumer.subscribe(&["t"]).unwrap();
        let start = std::time::Instant::now();
        while consumer.assignment().unwrap().count() == 0 {
            assert!(start.elapsed() < Duration::from_secs(20), "never assigned");
            consumer.poll(Duration::from_millis(50));
        }
        assert!(
            start.elapsed() < Duration::from_millis(2500),
            "join took {:?}",
            start.elapsed()
        );
    }
}
