//! [`KStream`]: a typed stream of records, and its operations, one file each.

mod filter;
mod flat_map;
mod flat_map_values;
mod foreach;
mod group_by;
mod map;
mod map_values;
mod merge;
mod peek;
mod process;
mod repartition;
mod select_key;
mod split;
mod to;
mod to_table;

use std::rc::Rc;
use std::sync::Arc;

use streams_core::serde::SharedSerde;
use streams_core::topology::{ErasedStage, Stage, StageProcessor};

use crate::Data;
use crate::graph::{NodeId, NodeKind, SharedGraph};

pub use process::{FixedKeyContext, FixedKeyProcessor, FixedKeyRecord};

pub use split::BranchedKStream;

/// A stream of key-value records, as Kafka Streams' `KStream<K, V>`.
///
/// Kafka's null is `Option::None`: a stream whose keys or values can be null
/// is a `KStream<Option<K>, V>` or `KStream<K, Option<V>>`. Operations take
/// `&self`, so one stream can feed several operations (each gets every
/// record).
pub struct KStream<K, V> {
    pub(crate) graph: SharedGraph,
    pub(crate) node: NodeId,
    pub(crate) key_serde: Option<SharedSerde<K>>,
    pub(crate) value_serde: Option<SharedSerde<V>>,
    /// A key-changing operation came before, with no repartition since: a
    /// stateful operation must repartition first.
    pub(crate) repartition_required: bool,
}

impl<K, V> Clone for KStream<K, V> {
    fn clone(&self) -> Self {
        Self {
            graph: Rc::clone(&self.graph),
            node: self.node,
            key_serde: self.key_serde.clone(),
            value_serde: self.value_serde.clone(),
            repartition_required: self.repartition_required,
        }
    }
}

impl<K: Data, V: Data> KStream<K, V> {
    pub(crate) fn new(
        graph: SharedGraph,
        node: NodeId,
        key_serde: Option<SharedSerde<K>>,
        value_serde: Option<SharedSerde<V>>,
        repartition_required: bool,
    ) -> Self {
        Self {
            graph,
            node,
            key_serde,
            value_serde,
            repartition_required,
        }
    }

    /// The next generated name with `prefix`, or the user's.
    pub(crate) fn name(&self, user: Option<&str>, prefix: &str) -> String {
        self.graph.borrow_mut().names.or_processor(user, prefix)
    }

    /// Adds a stateless node running `stage` (fusable with its neighbours)
    /// and returns the stream of what it emits.
    pub(crate) fn stateless<K2: Data, V2: Data, S: Stage<K, V, K2, V2>>(
        &self,
        name: String,
        stage: S,
        key_serde: Option<SharedSerde<K2>>,
        value_serde: Option<SharedSerde<V2>>,
        repartition_required: bool,
    ) -> KStream<K2, V2> {
        let node = add_stateless(&self.graph, name, vec![self.node], stage);
        KStream::new(
            Rc::clone(&self.graph),
            node,
            key_serde,
            value_serde,
            repartition_required,
        )
    }
}

/// Adds a stateless node with `parents`, lowered alone as a
/// [`StageProcessor`] or fused by the optimizer.
pub(crate) fn add_stateless<K: Data, V: Data, K2: Data, V2: Data, S: Stage<K, V, K2, V2>>(
    graph: &SharedGraph,
    name: String,
    parents: Vec<NodeId>,
    stage: S,
) -> NodeId {
    let stage = Arc::new(stage);
    let erased = ErasedStage::from_shared(Arc::clone(&stage));
    let lower = Box::new(
        move |topology: &mut streams_core::Topology, ctx: &crate::graph::LowerCtx<'_>| {
            let stage = Arc::clone(&stage);
            topology.add_processor(
                ctx.name,
                move || StageProcessor::<S, K, V, K2, V2>::new(Arc::clone(&stage)),
                ctx.parents(),
            )?;
            Ok(())
        },
    );
    graph
        .borrow_mut()
        .add(name, parents, NodeKind::Stateless { stage: erased, lower })
}
