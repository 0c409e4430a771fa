//! Lowering: each live node of the graph, as the plan leaves it, becomes
//! Processor-API nodes of a `Topology`, in creation order, so parents always
//! come first and generated names keep Kafka Streams' order.

use streams_core::{Topology, TopologyError};

use std::rc::Rc;

use super::{Graph, LowerCtx, NodeKind, Plan, Repartition};

pub(crate) fn lower(topology: &mut Topology, graph: &Graph, plan: &Plan) -> Result<(), TopologyError> {
    for (id, node) in graph.nodes.iter().enumerate() {
        if plan.removed[id] {
            continue;
        }
        let parents: Vec<&str> = plan.parents[id].iter().map(|&p| plan.output_name(graph, p)).collect();
        let ctx = LowerCtx {
            name: &node.name,
            parents,
        };
        if let Some(chain) = plan.fused.get(&id) {
            let stages = chain
                .iter()
                .filter_map(|&n| match &graph.nodes[n].kind {
                    NodeKind::Stateless { stage, .. } => Some(stage.clone()),
                    _ => None,
                })
                .collect();
            topology.add_stages(&node.name, stages, ctx.parents())?;
            continue;
        }
        match &node.kind {
            NodeKind::Source { lower }
            | NodeKind::Stateless { lower, .. }
            | NodeKind::Processor { lower }
            | NodeKind::Sink { lower } => lower(topology, &ctx)?,
            NodeKind::TableSource { lower, .. } => lower(topology, &ctx, plan.source_topic_changelog[id])?,
            NodeKind::Repartition(r) => {
                topology.add_internal_topic(&r.topic);
                match plan.renamed_repartitions.get(&id) {
                    Some(names) => {
                        let renamed = Repartition {
                            topic: r.topic.clone(),
                            filter_name: names.filter.clone(),
                            sink_name: names.sink.clone(),
                            source_name: names.source.clone(),
                            optimizable: r.optimizable,
                            types: r.types,
                            lower: Rc::clone(&r.lower),
                        };
                        (r.lower)(topology, &renamed, ctx.parents())?;
                    }
                    None => (r.lower)(topology, r, ctx.parents())?,
                }
            }
        }
    }
    Ok(())
}
