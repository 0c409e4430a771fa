//! Rule `reuse.ktable.source.topics`: a `builder.table()` store restores from
//! the table's source topic instead of writing a changelog of its own (the
//! topic already holds every update), saving one topic and one write per
//! update. `describe()` is unchanged (Kafka Streams prints no changelogs);
//! the difference is in the topics the application writes.

use super::{GraphView, OptimizerRule, PlanView};
use crate::graph::NodeKind;

/// See the module documentation.
#[derive(Debug, Clone, Copy)]
pub struct ReuseSourceTopic;

impl OptimizerRule for ReuseSourceTopic {
    fn name(&self) -> &'static str {
        "reuse.ktable.source.topics"
    }

    fn apply(&self, graph: &GraphView<'_>, plan: &mut PlanView<'_>) -> bool {
        let mut changed = false;
        for (id, node) in graph.0.nodes.iter().enumerate() {
            if matches!(node.kind, NodeKind::TableSource { .. }) && !plan.0.removed[id] {
                plan.0.source_topic_changelog[id] = true;
                changed = true;
            }
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::optimizer::Optimizations;
    use crate::prelude::*;
    use test_driver::TopologyTestDriver;

    fn program() -> StreamsBuilder {
        let builder = StreamsBuilder::new();
        builder
            .table::<String, String>("users", Materialized::as_("users-store"))
            .to_stream()
            .to("user-changes");
        builder
    }

    /// The topics the application writes when one record is piped in.
    fn written_topics(optimizations: Optimizations) -> Vec<String> {
        let topology = program().build_optimized(&optimizations).unwrap();
        let driver = TopologyTestDriver::new(topology, StreamsConfig::new("app")).unwrap();
        driver
            .create_input_topic::<String, String>("users")
            .pipe_input("u1".into(), "ann".into())
            .unwrap();
        driver.produced_topic_names().into_iter().collect()
    }

    #[test]
    fn describe_is_unchanged_and_no_changelog_is_written() {
        let before = program()
            .build_optimized(&Optimizations::none())
            .unwrap()
            .describe()
            .to_string();
        let rule = Optimizations::parse(ReuseSourceTopic.name()).unwrap();
        let after = program().build_optimized(&rule).unwrap().describe().to_string();
        insta::assert_snapshot!("reuse_source_topic_describe", after);
        assert_eq!(before, after, "Kafka Streams prints no changelogs");
        assert_eq!(
            written_topics(Optimizations::none()),
            ["app-users-store-changelog", "user-changes"]
        );
        assert_eq!(written_topics(rule), ["user-changes"]);
    }

    #[test]
    fn the_store_restores_from_the_source_topic_with_timestamps() {
        use streams_core::engine::{RawRecord, StreamTask, TaskEnv, TaskId, TopicPartition};
        let mut topology = program()
            .build_optimized(&Optimizations::parse(ReuseSourceTopic.name()).unwrap())
            .unwrap();
        topology.bind_application_id("app");
        let dir = tempfile::tempdir().unwrap();
        let env = TaskEnv {
            config: StreamsConfig::new("app").with_state_dir(dir.path()),
            clock: std::sync::Arc::new(streams_core::MockClock::new(0)),
            collector: std::rc::Rc::new(std::cell::RefCell::new(NoOutput)),
            cache: streams_core::store::ThreadCache::new(0),
        };
        let mut task =
            StreamTask::new(&topology, TaskId::new(0, 0), vec![TopicPartition::new("users", 0)], env).unwrap();
        task.open_stores().unwrap();
        let changelogs = task.changelog_partitions();
        assert_eq!(changelogs.len(), 1);
        assert_eq!(&*changelogs[0].partition.topic, "users");
        let record = RawRecord {
            offset: 0,
            timestamp: 1234,
            key: Some(b"u1".to_vec()),
            value: Some(b"ann".to_vec()),
            headers: Default::default(),
        };
        task.restore(&changelogs[0].partition, &[record]).unwrap();
        task.complete_restore().unwrap();
        let store = task
            .store::<streams_core::KeyValueStoreHandle<String, streams_core::store::ValueAndTimestamp<String>>>(
                "users-store",
            )
            .unwrap();
        let restored = store.get(&"u1".to_string()).unwrap().unwrap();
        assert_eq!((restored.value.as_str(), restored.timestamp), ("ann", 1234));
    }

    /// The task under test writes nothing while restoring.
    struct NoOutput;

    impl streams_core::engine::RecordCollector for NoOutput {
        fn send(&mut self, _: streams_core::engine::OutgoingRecord<'_>) -> Result<(), streams_core::BoxError> {
            Err("nothing is written during a restore".into())
        }

        fn partition_count(&self, _: &str) -> Option<u32> {
            Some(1)
        }

        fn flush(&mut self) -> Result<(), streams_core::BoxError> {
            Ok(())
        }
    }
}
