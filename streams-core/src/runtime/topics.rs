//! The start-up topic plan: which topics the application reads, which
//! internal topics it needs (repartition and changelog topics), with how many
//! partitions and which configs; checked against the cluster and created
//! before any thread starts.
//!
//! Partition counts follow Kafka Streams: a sub-topology has as many tasks as
//! its widest input topic; a repartition topic gets the count its
//! `Repartitioned` options set, or else the task count of the sub-topology
//! writing it; a changelog gets the task count of its store's sub-topology.
//! Topics of one co-partition group (declared with
//! [`Topology::copartition`]) must have equal counts.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use rdkafka::ClientContext;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic as RdNewTopic, TopicReplication};
use rdkafka::client::{Client, DefaultClientContext};
use rdkafka::types::RDKafkaErrorCode;

use crate::config::clients::ClientKind;
use crate::config::{StreamsConfig, keys};
use crate::error::StreamsError;
use crate::store::{ChangelogSpec, changelog_topic};
use crate::topology::Topology;

/// What the runtime needs from the cluster at start-up. The embedded broker
/// and the admin client of a real cluster implement it; their differences
/// (the mock cluster has no CreateTopics) stay behind it.
pub trait ClusterAdmin: Send + Sync {
    /// Every topic in the cluster with its partition count.
    fn partition_counts(&self, timeout: Duration) -> Result<HashMap<String, i32>, StreamsError>;
    /// Creates the topics. A topic created meanwhile by another instance of
    /// the application is not an error.
    fn create_topics(&self, topics: &[NewTopic], timeout: Duration) -> Result<(), StreamsError>;
    /// Why each topic of `expected` (name to partition count) is not ready
    /// (in the metadata with every partition led), from one metadata read;
    /// empty when all are.
    fn unready_topics(&self, expected: &BTreeMap<String, i32>, timeout: Duration) -> Result<Vec<String>, StreamsError>;
    /// The members of consumer group `group` and their assignments.
    fn group_members(&self, group: &str, timeout: Duration) -> Result<Vec<super::metadata::GroupMember>, StreamsError>;
}

/// An internal topic to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTopic {
    /// Its full name (`<application.id>-...`).
    pub name: String,
    /// Its partition count.
    pub partitions: i32,
    /// Its replication factor; -1 is the broker's default.
    pub replication_factor: i32,
    /// Its topic configs.
    pub config: BTreeMap<String, String>,
}

/// The admin client of a real cluster.
pub struct KafkaAdmin {
    admin: AdminClient<DefaultClientContext>,
}

impl KafkaAdmin {
    /// An admin client configured from `config` (`bootstrap.servers`, the
    /// security keys and `admin.` keys).
    pub fn new(config: &StreamsConfig) -> Result<Self, StreamsError> {
        let mut client = rdkafka::ClientConfig::new();
        for (k, v) in config.client_settings(ClientKind::Admin) {
            client.set(k, v);
        }
        client.set("client.id", format!("{}-admin", config.application_id()));
        let admin = client.create().map_err(|e| StreamsError::Kafka {
            operation: "creating the admin client".into(),
            source: Box::new(e),
        })?;
        Ok(Self { admin })
    }
}

impl ClusterAdmin for KafkaAdmin {
    fn partition_counts(&self, timeout: Duration) -> Result<HashMap<String, i32>, StreamsError> {
        partition_counts(self.admin.inner(), timeout)
    }

    fn group_members(&self, group: &str, timeout: Duration) -> Result<Vec<super::metadata::GroupMember>, StreamsError> {
        super::metadata::group_members(self.admin.inner(), group, timeout)
    }

    fn unready_topics(&self, expected: &BTreeMap<String, i32>, timeout: Duration) -> Result<Vec<String>, StreamsError> {
        super::topic_ready::unready_topics(self.admin.inner(), expected, timeout)
    }

    fn create_topics(&self, topics: &[NewTopic], timeout: Duration) -> Result<(), StreamsError> {
        if topics.is_empty() {
            return Ok(());
        }
        let new: Vec<RdNewTopic<'_>> = topics
            .iter()
            .map(|t| {
                t.config.iter().fold(
                    RdNewTopic::new(&t.name, t.partitions, TopicReplication::Fixed(t.replication_factor)),
                    |n, (k, v)| n.set(k, v),
                )
            })
            .collect();
        let options = AdminOptions::new().operation_timeout(Some(timeout));
        let results =
            futures::executor::block_on(self.admin.create_topics(&new, &options)).map_err(|e| StreamsError::Kafka {
                operation: "creating internal topics".into(),
                source: Box::new(e),
            })?;
        for result in results {
            match result {
                Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((topic, code)) => {
                    return Err(StreamsError::Kafka {
                        operation: format!("creating internal topic {topic}"),
                        source: Box::new(rdkafka::error::KafkaError::AdminOp(code)),
                    });
                }
            }
        }
        Ok(())
    }
}

/// The metadata of every topic, from one request on `client`.
pub(crate) fn cluster_metadata<C: ClientContext>(
    client: &Client<C>,
    timeout: Duration,
) -> Result<rdkafka::metadata::Metadata, StreamsError> {
    client.fetch_metadata(None, timeout).map_err(|e| StreamsError::Kafka {
        operation: format!(
            "reading cluster metadata (cannot reach the cluster within {} ms)",
            timeout.as_millis()
        ),
        source: Box::new(e),
    })
}

/// Every topic's partition count, from a metadata request on `client`.
pub(crate) fn partition_counts<C: ClientContext>(
    client: &Client<C>,
    timeout: Duration,
) -> Result<HashMap<String, i32>, StreamsError> {
    Ok(cluster_metadata(client, timeout)?
        .topics()
        .iter()
        .filter(|t| t.error().is_none())
        .map(|t| (t.name().to_owned(), t.partitions().len() as i32))
        .collect())
}

/// The topics of a running application, as planned at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicPlan {
    /// Task count of each sub-topology, by its number.
    pub tasks_per_subtopology: BTreeMap<u32, i32>,
    /// Internal topics (repartition and changelog), each with what it needs.
    pub internal: Vec<NewTopic>,
}

impl TopicPlan {
    /// Plans the topics of `topology` (bound to the application id) given the
    /// cluster's current partition counts. Missing source topics, unequal
    /// co-partitioned topics, and existing internal topics with the wrong
    /// partition count are errors naming the topics.
    pub fn new(
        topology: &Topology,
        config: &StreamsConfig,
        existing: &HashMap<String, i32>,
    ) -> Result<Self, StreamsError> {
        let application_id = config.application_id();
        let prefix = format!("{application_id}-");
        let internal_name = |t: &str| format!("{prefix}{t}");
        let is_internal = |t: &str| {
            topology
                .internal_topics()
                .iter()
                .any(|i| t == internal_name(i) || t == i)
        };
        let subs = topology.subtopologies();

        let mut missing: Vec<String> = subs
            .iter()
            .flat_map(|s| s.source_topics.iter())
            .filter(|t| !is_internal(t) && !existing.contains_key(*t))
            .cloned()
            .collect();
        missing.sort();
        missing.dedup();
        if !missing.is_empty() {
            return Err(StreamsError::MissingSourceTopics { topics: missing });
        }

        // Repartition topics' counts: set by the user, or the task count of
        // the writing sub-topology, found by iterating to a fixed point (a
        // writer may itself read a repartition topic).
        let mut counts: HashMap<String, i32> = HashMap::new();
        for t in topology.internal_topics() {
            if let Some(n) = topology.internal_topic_partitions(t) {
                counts.insert(internal_name(t), n as i32);
            }
        }
        let source_count = |t: &str, counts: &HashMap<String, i32>| -> Option<i32> {
            if is_internal(t) {
                counts.get(t).copied()
            } else {
                existing.get(t).copied()
            }
        };
        for _ in 0..=subs.len() {
            for s in &subs {
                let width = s.source_topics.iter().filter_map(|t| source_count(t, &counts)).max();
                let Some(width) = width else { continue };
                for sink in s.sink_topics.iter().filter(|t| is_internal(t)) {
                    counts.entry(sink.clone()).or_insert(width);
                }
            }
        }
        let mut tasks_per_subtopology = BTreeMap::new();
        for s in &subs {
            let width = s
                .source_topics
                .iter()
                .filter_map(|t| source_count(t, &counts))
                .max()
                .unwrap_or(1);
            tasks_per_subtopology.insert(s.id, width);
        }

        for group in topology.copartition_groups() {
            let group_counts: Vec<(String, i32)> = group
                .iter()
                .map(|t| {
                    let name = if topology.internal_topics().contains(t) {
                        internal_name(t)
                    } else {
                        t.clone()
                    };
                    let n = source_count(&name, &counts).unwrap_or(0);
                    (name, n)
                })
                .collect();
            if group_counts.windows(2).any(|w| w[0].1 != w[1].1) {
                return Err(StreamsError::CoPartitioning { counts: group_counts });
            }
        }

        let replication_factor: i32 = config.get_number(keys::REPLICATION_FACTOR, -1)?;
        let topic_defaults = config.topic_settings();
        let mut internal = Vec::new();
        let mut repartition: Vec<&String> = topology.internal_topics().iter().collect();
        repartition.sort();
        for t in repartition {
            let name = internal_name(t);
            let partitions = counts.get(&name).copied().unwrap_or(1);
            let mut config: BTreeMap<String, String> = topic_defaults.iter().cloned().collect();
            // As Kafka Streams: repartition topics are purged by the
            // application as it commits, so they need no time-based retention.
            config.insert("cleanup.policy".into(), "delete".into());
            config.insert("segment.bytes".into(), "52428800".into());
            config.insert("retention.ms".into(), "-1".into());
            internal.push(NewTopic {
                name,
                partitions,
                replication_factor,
                config,
            });
        }
        let additional: i64 = config.get_number(keys::WINDOWSTORE_CHANGELOG_ADDITIONAL_RETENTION_MS, 86_400_000)?;
        for s in &subs {
            for store in &s.stores {
                let Some(ChangelogSpec::Internal {
                    config: user,
                    windowed_retention_ms,
                }) = topology.store_changelog(store)
                else {
                    continue;
                };
                let mut config: BTreeMap<String, String> = topic_defaults.iter().cloned().collect();
                match windowed_retention_ms {
                    Some(retention) => {
                        config.insert("cleanup.policy".into(), "compact,delete".into());
                        config.insert("retention.ms".into(), retention.saturating_add(additional).to_string());
                    }
                    None => {
                        config.insert("cleanup.policy".into(), "compact".into());
                    }
                }
                config.extend(user);
                internal.push(NewTopic {
                    name: changelog_topic(application_id, store),
                    partitions: tasks_per_subtopology[&s.id],
                    replication_factor,
                    config,
                });
            }
        }

        for t in &internal {
            if let Some(&actual) = existing.get(&t.name)
                && actual != t.partitions
            {
                return Err(StreamsError::InternalTopicPartitions {
                    topic: t.name.clone(),
                    expected: t.partitions,
                    actual,
                });
            }
        }
        Ok(Self {
            tasks_per_subtopology,
            internal,
        })
    }

    /// The internal topics not in `existing`.
    pub fn to_create(&self, existing: &HashMap<String, i32>) -> Vec<NewTopic> {
        self.internal
            .iter()
            .filter(|t| !existing.contains_key(&t.name))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;
    use crate::store::{BuiltStore, InMemoryKeyValueStoreBuilder, StoreBuilder};

    /// A store builder that reports a changelog, as state-stores' do.
    struct Logged {
        inner: InMemoryKeyValueStoreBuilder<String, String>,
        windowed: Option<i64>,
    }

    impl StoreBuilder for Logged {
        fn name(&self) -> &str {
            self.inner.name()
        }
        fn build(&self) -> BuiltStore {
            self.inner.build()
        }
        fn changelog(&self) -> Option<ChangelogSpec> {
            Some(ChangelogSpec::Internal {
                config: [("min.insync.replicas".to_owned(), "2".to_owned())].into(),
                windowed_retention_ms: self.windowed,
            })
        }
    }

    struct Pass;
    impl Processor<String, String> for Pass {
        fn process(&mut self, ctx: &mut ProcessorContext<String, String>, r: Record<String, String>) -> ProcessResult {
            ctx.forward(r)?;
            Ok(())
        }
    }

    /// in (source) -> repartition topic -> a sub-topology with two stores.
    fn topology() -> Topology {
        let mut t = Topology::new();
        t.add_internal_topic("rekey-repartition");
        t.add_source("src", Source::<String, String>::new(["in"]))
            .unwrap()
            .add_sink(
                "to-repartition",
                Sink::<String, String>::new("rekey-repartition"),
                &["src"],
            )
            .unwrap()
            .add_source("from-repartition", Source::<String, String>::new(["rekey-repartition"]))
            .unwrap()
            .add_processor("agg", || Pass, &["from-repartition"])
            .unwrap()
            .add_state_store(
                Logged {
                    inner: InMemoryKeyValueStoreBuilder::with_default_serdes("kv"),
                    windowed: None,
                },
                &["agg"],
            )
            .unwrap()
            .add_state_store(
                Logged {
                    inner: InMemoryKeyValueStoreBuilder::with_default_serdes("win"),
                    windowed: Some(60_000),
                },
                &["agg"],
            )
            .unwrap()
            .add_sink("out", Sink::<String, String>::new("out"), &["agg"])
            .unwrap();
        t.bind_application_id("app");
        t
    }

    fn counts(pairs: &[(&str, i32)]) -> HashMap<String, i32> {
        pairs.iter().map(|(t, n)| ((*t).to_owned(), *n)).collect()
    }

    #[test]
    fn internal_topics_get_partition_counts_and_kafka_streams_configs() {
        let config = StreamsConfig::new("app").with("replication.factor", "3");
        let plan = TopicPlan::new(&topology(), &config, &counts(&[("in", 6), ("out", 2)])).unwrap();
        assert_eq!(plan.tasks_per_subtopology, [(0, 6), (1, 6)].into());
        let by_name: HashMap<&str, &NewTopic> = plan.internal.iter().map(|t| (t.name.as_str(), t)).collect();
        let repartition = by_name["app-rekey-repartition"];
        assert_eq!((repartition.partitions, repartition.replication_factor), (6, 3));
        assert_eq!(repartition.config["cleanup.policy"], "delete");
        assert_eq!(repartition.config["retention.ms"], "-1");
        let kv = by_name["app-kv-changelog"];
        assert_eq!(kv.partitions, 6);
        assert_eq!(kv.config["cleanup.policy"], "compact");
        assert_eq!(kv.config["min.insync.replicas"], "2", "the store's own config is kept");
        let win = by_name["app-win-changelog"];
        assert_eq!(win.config["cleanup.policy"], "compact,delete");
        assert_eq!(win.config["retention.ms"], (60_000 + 86_400_000).to_string());
        // Created only when missing.
        let existing = counts(&[("in", 6), ("app-kv-changelog", 6)]);
        assert_eq!(plan.to_create(&existing).len(), 2);
    }

    #[test]
    fn a_repartition_count_set_by_the_user_wins() {
        let mut t = topology();
        t.set_internal_topic_partitions("rekey-repartition", 3);
        let plan = TopicPlan::new(&t, &StreamsConfig::new("app"), &counts(&[("in", 6)])).unwrap();
        assert_eq!(plan.tasks_per_subtopology, [(0, 6), (1, 3)].into());
        assert!(plan.internal.iter().all(|t| t.partitions == 3));
    }

    #[test]
    fn missing_sources_unequal_copartitions_and_wrong_internal_counts_are_errors() {
        let config = StreamsConfig::new("app");
        let err = TopicPlan::new(&topology(), &config, &counts(&[])).unwrap_err();
        assert!(
            matches!(&err, StreamsError::MissingSourceTopics { topics } if topics == &["in"]),
            "{err}"
        );

        let mut t = Topology::new();
        t.add_source("a", Source::<String, String>::new(["left"]))
            .unwrap()
            .add_source("b", Source::<String, String>::new(["right"]))
            .unwrap()
            .add_processor("join", || Pass, &["a", "b"])
            .unwrap();
        t.copartition(&["left", "right"]);
        t.bind_application_id("app");
        let err = TopicPlan::new(&t, &config, &counts(&[("left", 4), ("right", 3)])).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("left has 4") && text.contains("right has 3"), "{text}");
        TopicPlan::new(&t, &config, &counts(&[("left", 4), ("right", 4)])).unwrap();

        let err = TopicPlan::new(&topology(), &config, &counts(&[("in", 6), ("app-kv-changelog", 2)])).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("app-kv-changelog has 2 partitions") && text.contains("needs 6"),
            "{text}"
        );
    }
}
