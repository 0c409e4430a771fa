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
