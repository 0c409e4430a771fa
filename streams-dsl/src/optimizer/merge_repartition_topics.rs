//! Rule `merge.repartition.topics`: when several stateful operations follow
//! one key-changing operation, each would insert its own repartition topic
//! carrying the same records; keep the first and feed every operation from
//! it. One topic, one write and one read per record instead of several.
//!
//! Repartitions are merged when they hang off the same node and carry the
//! same key and value types (the usual `mapped.group_by_key().count()` next
//! to `mapped.group_by_key().reduce(..)`). Each kept one, merged or alone, is
//! renamed after its topic (`<topic>-filter`, `-sink`, `-source`), as Kafka
//! Streams names the repartition its optimizer rebuilds. Unlike Kafka Streams, operations
//! between the key change and the repartition are not moved, so repartitions
//! below different value mappings stay separate.

use super::{GraphView, OptimizerRule, PlanView};
use crate::graph::{NodeKind, RepartitionNames};

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
                // Kafka Streams rebuilds the repartition of every key change
                // it optimizes, merged or not, naming the nodes after the
                // first topic; so do we, for the same `describe()`.
                if let NodeKind::Repartition(r) = &graph.nodes[keep].kind {
                    plan.renamed_repartitions
                        .insert(keep, RepartitionNames::after_topic(&r.topic));
                    changed = true;
                }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::optimizer::Optimizations;
    use crate::prelude::*;
    use test_driver::TopologyTestDriver;

    fn program() -> StreamsBuilder {
        let builder = StreamsBuilder::new();
        let keyed = builder
            .stream::<String, String>("clicks")
            .select_key(|_, page| page.clone());
        keyed.group_by_key().count().to_stream().to("page-counts");
        keyed
            .group_by_key()
            .aggregate(String::new, |_, user, acc| format!("{acc}{user};"))
            .to_stream()
            .to("page-users");
        builder
    }

    #[test]
    fn one_repartition_topic_feeds_both_aggregations() {
        let rule = Optimizations::parse(MergeRepartitionTopics.name()).unwrap();
        let before = program().build_optimized(&Optimizations::none()).unwrap();
        let after = program().build_optimized(&rule).unwrap();
        insta::assert_snapshot!("merge_repartition_before", before.describe().to_string());
        insta::assert_snapshot!("merge_repartition_after", after.describe().to_string());
        assert_eq!(before.subtopologies().len(), 3);
        assert_eq!(after.subtopologies().len(), 2);

        // Same results, one repartition topic written instead of two.
        let mut outputs = Vec::new();
        for topology in [before, after] {
            let driver = TopologyTestDriver::new(topology, StreamsConfig::new("app")).unwrap();
            let input = driver.create_input_topic::<String, String>("clicks");
            input.pipe_input("ann".into(), "/home".into()).unwrap();
            input.pipe_input("bob".into(), "/home".into()).unwrap();
            let repartitions = driver
                .produced_topic_names()
                .into_iter()
                .filter(|t| t.ends_with("-repartition"))
                .count();
            let counts = driver
                .create_output_topic::<String, i64>("page-counts")
                .read_key_values_to_list()
                .unwrap();
            let users = driver
                .create_output_topic::<String, String>("page-users")
                .read_key_values_to_list()
                .unwrap();
            outputs.push((repartitions, counts, users));
        }
        assert_eq!((outputs[0].0, outputs[1].0), (2, 1));
        assert_eq!(outputs[0].1, outputs[1].1);
        assert_eq!(outputs[0].2, outputs[1].2);
        assert_eq!(outputs[1].1, [("/home".to_string(), 1), ("/home".to_string(), 2)]);
    }
}
