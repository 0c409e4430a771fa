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
