//! [`StreamsBuilder`]: where a DSL program starts and how it becomes a
//! [`Topology`].

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use streams_core::serde::SharedSerde;
use streams_core::topology::Subscription;
use streams_core::{Source, StoreBuilder, StreamsConfig, Topology, TopologyError};

use crate::SerdeData;
use crate::error::DslError;
use crate::graph::{self, Graph, NodeKind, SharedGraph};
use crate::kstream::KStream;
use crate::ktable::{KTable, table_source};
use crate::optimizer::Optimizations;
use crate::options::{Consumed, Materialized};

/// Builds a topology with the DSL, as Kafka Streams' `StreamsBuilder`.
///
/// Every DSL call adds a node to a logical graph; [`build`](Self::build) and
/// [`build_with`](Self::build_with) run the optimizer rules selected by
/// `topology.optimization` and lower the graph to Processor-API nodes.
///
/// # Examples
///
/// ```
/// use streams_dsl::prelude::*;
///
/// let builder = StreamsBuilder::new();
/// builder
///     .stream::<String, String>("words")
///     .map_values(|v| v.to_uppercase())
///     .to("shouted");
/// let topology = builder.build()?;
/// assert!(topology.describe().to_string().contains("KSTREAM-MAPVALUES-0000000001"));
/// # Ok::<(), streams_core::TopologyError>(())
/// ```
#[derive(Default)]
pub struct StreamsBuilder {
    graph: SharedGraph,
    stores: Rc<RefCell<Vec<Arc<dyn StoreBuilder>>>>,
}

impl StreamsBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self {
            graph: Rc::new(RefCell::new(Graph::default())),
            stores: Rc::default(),
        }
    }

    /// A stream of the records of `topics` (one topic, a slice of topics, or
    /// a [`Subscription::pattern`]), with the default serdes of `K` and `V`.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder.stream::<String, i64>(["a", "b"]).to("merged");
    /// builder.stream::<String, i64>(Subscription::pattern("metrics-.*")).to("all-metrics");
    /// assert_eq!(builder.build()?.subtopologies().len(), 2);
    /// # Ok::<(), streams_core::TopologyError>(())
    /// ```
    pub fn stream<K: SerdeData, V: SerdeData>(&self, topics: impl Into<Subscription>) -> KStream<K, V> {
        self.stream_with(topics, Consumed::new())
    }

    /// A stream read as `consumed` says (serdes, timestamp extractor, offset
    /// reset, source name).
    pub fn stream_with<K: SerdeData, V: SerdeData>(
        &self,
        topics: impl Into<Subscription>,
        consumed: Consumed<K, V>,
    ) -> KStream<K, V> {
        let subscription = topics.into();
        let mut g = self.graph.borrow_mut();
        let name = g.names.or_processor(consumed.name.as_deref(), "KSTREAM-SOURCE-");
        let key_serde = consumed.key_serde.clone();
        let value_serde = consumed.value_serde.clone();
        let lower = source_lowering(subscription, consumed);
        let node = g.add(name, Vec::new(), NodeKind::Source { lower });
        drop(g);
        KStream::new(Rc::clone(&self.graph), node, key_serde, value_serde, false)
    }

    /// A table of the latest value per key of `topic`, materialized in a
    /// store (named `<topic>-STATE-STORE-<n>` unless `materialized` names it).
    /// A null value deletes the key.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder.table::<String, String>("users", Materialized::as_("users-store"));
    /// let text = builder.build()?.describe().to_string();
    /// assert!(text.contains("Processor: KTABLE-SOURCE-0000000001 (stores: [users-store])"));
    /// # Ok::<(), streams_core::TopologyError>(())
    /// ```
    pub fn table<K: SerdeData, V: SerdeData>(&self, topic: &str, materialized: Materialized<K, V>) -> KTable<K, V> {
        self.table_with(topic, Consumed::new(), materialized)
    }

    /// A table read as `consumed` says.
    pub fn table_with<K: SerdeData, V: SerdeData>(
        &self,
        topic: &str,
        consumed: Consumed<K, V>,
        materialized: Materialized<K, V>,
    ) -> KTable<K, V> {
        table_source(&self.graph, topic, consumed, materialized)
    }

    /// Adds a store for [`KStream::process`] processors to use by name.
    pub fn add_state_store(&self, store: impl StoreBuilder) -> &Self {
        self.stores.borrow_mut().push(Arc::new(store));
        self
    }

    /// The topology, with the optimizations of `topology.optimization` left
    /// at its default (`none`).
    pub fn build(&self) -> Result<Topology, TopologyError> {
        self.build_optimized(&Optimizations::none())
    }

    /// The topology, optimized as `config`'s `topology.optimization` says
    /// (`none`, `all`, or a comma-separated list of rule names; see
    /// [`Optimizations::parse`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder.stream::<String, String>("in").filter(|_, v| !v.is_empty()).map_values(|v| v.len() as i64).to("out");
    /// let config = StreamsConfig::new("app").with("topology.optimization", "all");
    /// let text = builder.build_with(&config)?.describe().to_string();
    /// // The filter and map_values run fused, as one node named after the filter.
    /// assert!(text.contains("KSTREAM-FILTER-0000000001") && !text.contains("KSTREAM-MAPVALUES"));
    /// # Ok::<(), streams_dsl::DslError>(())
    /// ```
    pub fn build_with(&self, config: &StreamsConfig) -> Result<Topology, DslError> {
        let optimizations = Optimizations::from_config(config)?;
        Ok(self.build_optimized(&optimizations)?)
    }

    /// The topology, with exactly these optimizations.
    pub fn build_optimized(&self, optimizations: &Optimizations) -> Result<Topology, TopologyError> {
        let graph = self.graph.borrow();
        let plan = optimizations.plan(&graph);
        let mut topology = Topology::new();
        for s in self.stores.borrow().iter() {
            topology.add_state_store(SharedStoreBuilder(Arc::clone(s)), &[])?;
        }
        graph::lower(&mut topology, &graph, &plan)?;
        Ok(topology)
    }
}

/// A store builder shared between builds.
struct SharedStoreBuilder(Arc<dyn StoreBuilder>);

impl StoreBuilder for SharedStoreBuilder {
    fn name(&self) -> &str {
        self.0.name()
    }

    fn build(&self) -> streams_core::BuiltStore {
        self.0.build()
    }

    fn changelog(&self) -> Option<streams_core::ChangelogSpec> {
        self.0.changelog()
    }
}

/// The lowering of a source: default serdes are kept static (no virtual call
/// per record to decode); a `Consumed` serde is shared.
fn source_lowering<K: SerdeData, V: SerdeData>(subscription: Subscription, consumed: Consumed<K, V>) -> graph::LowerFn {
    Box::new(move |topology, ctx| {
        let key: SharedSerde<K> = consumed.key_serde.clone().unwrap_or_else(K::default_serde);
        let value: SharedSerde<V> = consumed.value_serde.clone().unwrap_or_else(V::default_serde);
        macro_rules! add {
            ($spec:expr) => {{
                let mut spec = $spec;
                if let Some(e) = &consumed.extractor {
                    spec = spec.with_timestamp_extractor(e.clone());
                }
                if let Some(r) = consumed.offset_reset {
                    spec = spec.with_offset_reset(r);
                }
                topology.add_source(ctx.name, spec)?;
            }};
        }
        match (&consumed.key_serde, &consumed.value_serde) {
            (None, None) => add!(Source::<K, V>::new(subscription.clone())),
            _ => add!(Source::with_serdes(subscription.clone(), key, value)),
        }
        Ok(())
    })
}
