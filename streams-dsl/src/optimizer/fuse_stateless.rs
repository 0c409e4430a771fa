//! Rule `fuse.stateless.operations`: a chain of stateless operations (filter,
//! map, map_values, flat_map, peek, ...) where each feeds only the next runs
//! as one processor node: a record crosses one node, each step calling the
//! next directly, instead of one node (with its context, borrow and error
//! path) per step. Kafka Streams does not do this.
//!
//! The fused node takes the name of the chain's first operation, so
//! `forward_to` from a parent (a `split()` branch) still reaches it.

use super::{GraphView, OptimizerRule, PlanView};
use crate::graph::NodeKind;

/// See the module documentation.
#[derive(Debug, Clone, Copy)]
pub struct FuseStateless;

impl OptimizerRule for FuseStateless {
    fn name(&self) -> &'static str {
        "fuse.stateless.operations"
    }

    fn apply(&self, graph: &GraphView<'_>, plan: &mut PlanView<'_>) -> bool {
        let graph = graph.0;
        let plan = &mut *plan.0;
        let stateless = |n: usize| matches!(graph.nodes[n].kind, NodeKind::Stateless { .. });
        let mut changed = false;
        for head in 0..graph.nodes.len() {
            if plan.removed[head] || !stateless(head) || plan.fused_into.contains_key(&head) {
                continue;
            }
            let mut chain = vec![head];
            let mut current = head;
            loop {
                let children = plan.children(current);
                let [next] = children.as_slice() else {
                    break;
                };
                let next = *next;
                if !stateless(next) || plan.parents[next].len() != 1 {
                    break;
                }
                chain.push(next);
                current = next;
            }
            if chain.len() < 2 {
                continue;
            }
            for &member in &chain {
                plan.fused_into.insert(member, head);
            }
            for &member in &chain[1..] {
                plan.removed[member] = true;
            }
            plan.fused.insert(head, chain);
            changed = true;
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
        let branches = builder
            .stream::<String, String>("in")
            .filter(|_, v| !v.is_empty())
            .map_values(|v| v.to_uppercase())
            .split()
            .branch(|_, v| v.starts_with('A'), Branched::as_("a"))
            .default_branch(Branched::as_("rest"));
        branches["KSTREAM-BRANCH-0000000003a"]
            .map_values(|v| v.len() as i64)
            .filter(|_, n| *n > 1)
            .to("a-lengths");
        branches["KSTREAM-BRANCH-0000000003rest"].to("rest");
        builder
    }

    #[test]
    fn chains_run_as_one_node_named_after_their_first_operation() {
        let rule = Optimizations::parse(FuseStateless.name()).unwrap();
        let before = program().build_optimized(&Optimizations::none()).unwrap();
        let after = program().build_optimized(&rule).unwrap();
        insta::assert_snapshot!("fuse_before", before.describe().to_string());
        insta::assert_snapshot!("fuse_after", after.describe().to_string());

        let mut outputs = Vec::new();
        for topology in [before, after] {
            let driver = TopologyTestDriver::new(topology, StreamsConfig::new("app")).unwrap();
            let input = driver.create_input_topic::<String, String>("in");
            for v in ["apple", "", "a", "berry"] {
                input.pipe_input("k".into(), v.into()).unwrap();
            }
            let a = driver
                .create_output_topic::<String, i64>("a-lengths")
                .read_values_to_list()
                .unwrap();
            let rest = driver
                .create_output_topic::<String, String>("rest")
                .read_values_to_list()
                .unwrap();
            outputs.push((a, rest));
        }
        assert_eq!(outputs[0], outputs[1]);
        assert_eq!(outputs[1], (vec![5], vec!["BERRY".to_string()]));
    }
}
