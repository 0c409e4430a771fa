//! `repartition`, and the repartition node every automatic repartition uses:
//! a pass-through filter, a sink to `<application.id>-<name>-repartition` and
//! a source reading it back (the sub-topology boundary).

use std::any::TypeId;
use std::rc::Rc;

use streams_core::Record;
use streams_core::processor::{Downstream, EdgeResult};
use streams_core::serde::SharedSerde;
use streams_core::topology::StageProcessor;
use streams_core::{Sink, Source};

use super::KStream;
use crate::graph::{NodeId, NodeKind, Repartition, SharedGraph, is_generated};
use crate::options::Repartitioned;
use crate::{Data, SerdeData};

/// How a repartition node's names are chosen.
pub(crate) struct RepartitionNaming<'a> {
    /// The topic's base name (`<prefix>-repartition`): the user's name, or
    /// the store's or operation's name.
    pub(crate) prefix: &'a str,
    /// Inserted by a stateful operation after a key change (mergeable).
    pub(crate) optimizable: bool,
    /// The topic's partition count, if set.
    pub(crate) partitions: Option<u32>,
}

/// Adds a repartition node after `parent`, named as Kafka Streams names it:
/// three indices are always taken (sink, filter, source); generated names are
/// used when the prefix is itself generated, else `<topic>-sink`,
/// `<topic>-filter`, `<topic>-source`.
pub(crate) fn add_repartition<K: Data, V: Data>(
    graph: &SharedGraph,
    parent: NodeId,
    naming: RepartitionNaming<'_>,
    key_serde: SharedSerde<K>,
    value_serde: SharedSerde<V>,
) -> NodeId {
    let mut g = graph.borrow_mut();
    let topic = if naming.prefix.ends_with("-repartition") {
        naming.prefix.to_owned()
    } else {
        format!("{}-repartition", naming.prefix)
    };
    let sink = g.names.processor("KSTREAM-SINK-");
    let filter = g.names.processor("KSTREAM-FILTER-");
    let source = g.names.processor("KSTREAM-SOURCE-");
    let (sink_name, filter_name, source_name) = if is_generated(naming.prefix) {
        (sink, filter, source)
    } else {
        (
            format!("{topic}-sink"),
            format!("{topic}-filter"),
            format!("{topic}-source"),
        )
    };
    let partitions = naming.partitions;
    let lower = Rc::new(
        move |topology: &mut streams_core::Topology, r: &Repartition, parents: &[&str]| {
            let pass =
                std::sync::Arc::new(|r: Record<K, V>, out: &dyn Downstream<K, V>| -> EdgeResult { out.accept(r) });
            topology
                .add_processor(
                    &r.filter_name,
                    move || StageProcessor::new(std::sync::Arc::clone(&pass)),
                    parents,
                )?
                .add_sink(
                    &r.sink_name,
                    Sink::with_serdes(r.topic.as_str(), key_serde.clone(), value_serde.clone()),
                    &[&r.filter_name],
                )?
                .add_source(
                    &r.source_name,
                    Source::with_serdes(r.topic.as_str(), key_serde.clone(), value_serde.clone()),
                )?;
            if let Some(n) = partitions {
                topology.set_internal_topic_partitions(&r.topic, n);
            }
            Ok(())
        },
    );
    let node = Repartition {
        topic,
        filter_name,
        sink_name,
        source_name,
        optimizable: naming.optimizable,
        types: (TypeId::of::<K>(), TypeId::of::<V>()),
        lower,
    };
    let name = node.source_name.clone();
    g.add(name, vec![parent], NodeKind::Repartition(node))
}

impl<K: SerdeData, V: SerdeData> KStream<K, V> {
    /// Writes the stream through a repartition topic and reads it back, so
    /// records are partitioned by their current key. The topic is
    /// `<application.id>-KSTREAM-REPARTITION-<n>-repartition` unless named.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .stream::<String, String>("in")
    ///     .select_key(|_, v| v.clone())
    ///     .repartition_with(Repartitioned::as_("by-value").with_number_of_partitions(4))
    ///     .to("out");
    /// let topology = builder.build()?;
    /// assert!(topology.describe().to_string().contains("Sink: by-value-repartition-sink (topic: by-value-repartition)"));
    /// assert_eq!(topology.internal_topic_partitions("by-value-repartition"), Some(4));
    /// # Ok::<(), streams_core::TopologyError>(())
    /// ```
    pub fn repartition(&self) -> KStream<K, V> {
        self.repartition_with(Repartitioned::new())
    }

    /// [`repartition`](Self::repartition), with a name, partition count or serdes.
    pub fn repartition_with(&self, repartitioned: Repartitioned<K, V>) -> KStream<K, V> {
        let name = self
            .graph
            .borrow_mut()
            .names
            .user_or_processor(repartitioned.name.as_deref(), "KSTREAM-REPARTITION-");
        let key_serde = repartitioned
            .key_serde
            .clone()
            .or_else(|| self.key_serde.clone())
            .unwrap_or_else(K::default_serde);
        let value_serde = repartitioned
            .value_serde
            .clone()
            .or_else(|| self.value_serde.clone())
            .unwrap_or_else(V::default_serde);
        let node = add_repartition(
            &self.graph,
            self.node,
            RepartitionNaming {
                prefix: &name,
                optimizable: false,
                partitions: repartitioned.partitions,
            },
            key_serde.clone(),
            value_serde.clone(),
        );
        KStream::new(Rc::clone(&self.graph), node, Some(key_serde), Some(value_serde), false)
    }

    /// This stream, repartitioned first if a key change requires it (for a
    /// stateful operation named `prefix`).
    pub(crate) fn repartitioned_for(
        &self,
        prefix: &str,
        key_serde: &SharedSerde<K>,
        value_serde: &SharedSerde<V>,
    ) -> NodeId {
        if !self.repartition_required {
            return self.node;
        }
        add_repartition(
            &self.graph,
            self.node,
            RepartitionNaming {
                prefix,
                optimizable: true,
                partitions: None,
            },
            key_serde.clone(),
            value_serde.clone(),
        )
    }
}
