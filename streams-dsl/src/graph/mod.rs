//! The logical graph: one node per DSL call, rewritten by the optimizer, then
//! lowered to Processor-API nodes and stores of a `streams-core` [`Topology`].
//!
//! Nodes are type-erased here: each holds the closures that add its typed
//! processors (captured when the DSL call was made, with its types), so the
//! optimizer works on names, parents and kinds only. Types are checked again
//! by `Topology` when the lowered nodes are wired, naming both nodes.

mod lower;
mod naming;
mod plan;

use std::cell::RefCell;
use std::rc::Rc;

use streams_core::topology::ErasedStage;
use streams_core::{Topology, TopologyError};

pub(crate) use lower::lower;
pub(crate) use naming::{Names, is_generated};
pub(crate) use plan::{Plan, RepartitionNames};

/// Index of a node in the graph.
pub(crate) type NodeId = usize;

/// Adds a node's typed processors to the topology.
pub(crate) type LowerFn = Box<dyn Fn(&mut Topology, &LowerCtx<'_>) -> Result<(), TopologyError>>;

/// Lowers a table source; the flag says whether its source topic doubles
/// as the store's changelog.
pub(crate) type TableLowerFn = Box<dyn Fn(&mut Topology, &LowerCtx<'_>, bool) -> Result<(), TopologyError>>;

/// Adds a repartition's filter (if any), sink and source.
pub(crate) type RepartitionLowerFn = Rc<dyn Fn(&mut Topology, &Repartition, &[&str]) -> Result<(), TopologyError>>;

/// What a lowering closure gets.
pub(crate) struct LowerCtx<'a> {
    /// The node's name.
    pub(crate) name: &'a str,
    /// The topology names of the nodes that feed this one.
    pub(crate) parents: Vec<&'a str>,
}

impl LowerCtx<'_> {
    pub(crate) fn parents(&self) -> &[&str] {
        &self.parents
    }
}

/// What a node is, as far as the optimizer and the lowering care.
pub(crate) enum NodeKind {
    /// A source reading user topics.
    Source { lower: LowerFn },
    /// A stateless step that may be fused with its neighbours.
    Stateless {
        stage: ErasedStage,
        /// Lowers it alone, as an ordinary processor.
        lower: LowerFn,
    },
    /// Any other processor (stateful, branching, user `process`), with the
    /// stores it creates.
    Processor { lower: LowerFn },
    /// A KTable source: a processor materializing the topic read by its
    /// parent source into a store.
    TableSource {
        /// Lowers it; the flag says whether the source topic doubles as the
        /// store's changelog (the reuse-source-topic rule).
        lower: TableLowerFn,
    },
    /// A repartition: filter, sink to an internal topic, and a source reading
    /// it back, which is the node's output.
    Repartition(Repartition),
    /// A sink.
    Sink { lower: LowerFn },
}

/// A repartition node: three topology nodes around one internal topic.
pub(crate) struct Repartition {
    pub(crate) topic: String,
    pub(crate) filter_name: String,
    pub(crate) sink_name: String,
    pub(crate) source_name: String,
    /// Inserted by a stateful operation after a key change (the merge rule may
    /// combine it with others); `false` for a user's `repartition()`.
    pub(crate) optimizable: bool,
    /// Key and value types, as `TypeId`s, for the merge rule.
    pub(crate) types: (std::any::TypeId, std::any::TypeId),
    /// Adds filter, sink and source, given the topic and the three names.
    pub(crate) lower: RepartitionLowerFn,
}

/// One node of the logical graph, as the DSL call made it. The optimizer
/// never changes nodes: it writes a [`Plan`] over them.
pub(crate) struct GraphNode {
    pub(crate) name: String,
    pub(crate) parents: Vec<NodeId>,
    pub(crate) kind: NodeKind,
}

/// The graph a builder grows.
#[derive(Default)]
pub(crate) struct Graph {
    pub(crate) nodes: Vec<GraphNode>,
    pub(crate) names: Names,
}

impl Graph {
    pub(crate) fn add(&mut self, name: String, parents: Vec<NodeId>, kind: NodeKind) -> NodeId {
        self.nodes.push(GraphNode { name, parents, kind });
        self.nodes.len() - 1
    }
}

/// The graph shared by a builder and every stream and table made from it.
pub(crate) type SharedGraph = Rc<RefCell<Graph>>;
