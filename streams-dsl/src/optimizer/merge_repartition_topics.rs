//! Rule `merge.repartition.topics`: when several stateful operations follow
//! one key-changing operation, each would insert its own repartition topic
//! carrying the same records; keep the first and feed every operation from
//! it. One topic, one write and one read per record instead of several.
//!
//! Repartitions are merged when they hang off the same node and carry the
//! same key and value types (the usual `mapped.group_by_key().count()` next
//! to `mapped.group_by_key().reduce(..)`). Unlike Kafka Streams, operations
//! between the key change and the repartition are not moved, so repartitions
//! below different value mappings stay separate.

use super::{GraphView, OptimizerRule, PlanView};
use crate::graph::NodeKind;

/// See the module documentation.
#[derive(Debug, Clone, Copy)]
pub struct MergeRepartitionTopics;

impl OptimizerRule for MergeRepartitionTopics {
    fn name(&self) -> &'static str {
        "merge.repartition.topics"
    }

    fn apply(&self, graph: &GraphView<'_>, plan: &mut PlanView<'_>) -> bool {
        let graph = graph.0;
        let plan = &mut *plan.0;
        let mut changed = false;
        for parent in 0..graph.nodes.len() {
            let mergeable: Vec<usize> = plan
                .children(parent)
                .into_iter()
                .filter(|&c| matches!(&graph.nodes[c].kind, NodeKind::Repartition(r) if r.optimizable))
                .collect();
            let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
            for c in mergeable {
                let NodeKind::Repartition(r) = &graph.nodes[c].kind else {
                    continue;
                };
                let key = groups.iter().position(
                    |(first, _)| matches!(&graph.nodes[*first].kind, NodeKind::Repartition(f) if f.types == r.types),
                );
                match key {
                    Some(i) => groups[i].1.push(c),
                    None => groups.push((c, Vec::new())),
                }
            }
            for (keep, others) in groups {
                for other in others {
                    plan.removed[other] = true;
                    for parents in &mut plan.parents {
                        for p in parents.iter_mut().filter(|p| **p == other) {
                            *p = keep;
                        }
                    }
                    changed = true;
                }
            }
        }
        changed
    }
}
