//! [`Plan`]: what the optimizer rules decided, laid over the graph.
//!
//! The graph keeps the nodes exactly as the DSL calls made them (so a
//! builder can be built again, with other settings); rules only edit the
//! plan: which nodes are removed, who feeds whom, which stateless chains run
//! fused, which table stores restore from their source topic.

use std::collections::BTreeMap;

use super::{Graph, NodeId, NodeKind};

/// The optimizer's decisions for one build.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// The parents of each node (edited by rules that move edges).
    pub(crate) parents: Vec<Vec<NodeId>>,
    /// Nodes that no longer exist on their own (merged or fused away).
    pub(crate) removed: Vec<bool>,
    /// Fused chains, by head node: the nodes in order, head first.
    pub(crate) fused: BTreeMap<NodeId, Vec<NodeId>>,
    /// For each node in a fused chain, its head.
    pub(crate) fused_into: BTreeMap<NodeId, NodeId>,
    /// Table sources whose store restores from the source topic.
    pub(crate) source_topic_changelog: Vec<bool>,
    /// Repartitions the merge rule rebuilt, with their new node names.
    pub(crate) renamed_repartitions: BTreeMap<NodeId, RepartitionNames>,
}

/// The three node names of a repartition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RepartitionNames {
    pub(crate) filter: String,
    pub(crate) sink: String,
    pub(crate) source: String,
}

impl RepartitionNames {
    /// `<topic>-filter`, `<topic>-sink`, `<topic>-source`: how Kafka Streams
    /// names a repartition its optimizer rebuilt, generated topic or not.
    pub(crate) fn after_topic(topic: &str) -> Self {
        Self {
            filter: format!("{topic}-filter"),
            sink: format!("{topic}-sink"),
            source: format!("{topic}-source"),
        }
    }
}

impl Plan {
    /// The plan that changes nothing.
    pub(crate) fn new(graph: &Graph) -> Self {
        let n = graph.nodes.len();
        Self {
            parents: graph.nodes.iter().map(|node| node.parents.clone()).collect(),
            removed: vec![false; n],
            fused: BTreeMap::new(),
            fused_into: BTreeMap::new(),
            source_topic_changelog: vec![false; n],
            renamed_repartitions: BTreeMap::new(),
        }
    }

    /// Live children of `node`, in creation order.
    pub(crate) fn children(&self, node: NodeId) -> Vec<NodeId> {
        (0..self.parents.len())
            .filter(|&c| !self.removed[c] && self.parents[c].contains(&node))
            .collect()
    }

    /// The topology name of what `node` outputs: a repartition's source, a
    /// fused chain's head, else the node itself.
    pub(crate) fn output_name<'a>(&'a self, graph: &'a Graph, node: NodeId) -> &'a str {
        if let Some(&head) = self.fused_into.get(&node) {
            return &graph.nodes[head].name;
        }
        if let Some(names) = self.renamed_repartitions.get(&node) {
            return &names.source;
        }
        match &graph.nodes[node].kind {
            NodeKind::Repartition(r) => &r.source_name,
            _ => &graph.nodes[node].name,
        }
    }
}
