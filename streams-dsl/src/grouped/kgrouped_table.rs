//! [`KGroupedTable`]: `count`, `reduce(adder, subtractor)`,
//! `aggregate(initializer, adder, subtractor)` over re-grouped table rows.

use std::any::TypeId;
use std::rc::Rc;
use std::sync::Arc;

use streams_core::serde::SharedSerde;
use streams_core::{Sink, Source};

use super::table_aggregate::{TableAggregate, TableFold};
use crate::SerdeData;
use crate::change::{Change, ChangeSerde};
use crate::graph::{NodeId, NodeKind, Repartition, SharedGraph};
use crate::ktable::{KTable, OldValues};
use crate::materialize::{StoreSpec, or_default};
use crate::options::{Grouped, Materialized};

/// A table re-grouped by [`KTable::group_by`], ready to aggregate, as Kafka
/// Streams' `KGroupedTable<K, V>`. The aggregation always reads through a
/// repartition topic of changes.
pub struct KGroupedTable<K, V> {
    graph: SharedGraph,
    select: NodeId,
    grouped: Grouped<K, V>,
}

impl<K: crate::Data, V: crate::Data> KGroupedTable<K, V> {
    pub(crate) fn new(graph: SharedGraph, select: NodeId, grouped: Grouped<K, V>) -> Self {
        Self { graph, select, grouped }
    }
}

impl<K: SerdeData, V: SerdeData> KGroupedTable<K, V> {
    /// The number of rows per group.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .table::<String, String>("user-team", Materialized::new())
    ///     .group_by(|user, team| (team.clone(), user.clone()))
    ///     .count()
    ///     .to_stream()
    ///     .to("team-sizes");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, Option<String>>("user-team");
    /// input.pipe_input("ann".into(), Some("red".into()))?;
    /// input.pipe_input("ann".into(), None)?; // ann leaves: red drops to 0
    /// let out = driver.create_output_topic::<String, Option<i64>>("team-sizes");
    /// assert_eq!(out.read_values_to_list()?, [Some(1), Some(0)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn count(&self) -> KTable<K, i64> {
        self.count_with(Materialized::new())
    }

    /// [`count`](Self::count) into the store `materialized` describes.
    pub fn count_with(&self, materialized: Materialized<K, i64>) -> KTable<K, i64> {
        self.build(
            "KTABLE-AGGREGATE-",
            materialized,
            TableFold::Aggregate {
                initializer: Arc::new(|| 0),
                adder: Arc::new(|_, _, a| a + 1),
                subtractor: Arc::new(|_, _, a| a - 1),
            },
        )
    }

    /// Combines each group's rows with `adder`, taking rows that leave the
    /// group out with `subtractor`.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// // account -> (branch, balance); total balance per branch.
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .table::<String, String>("accounts", Materialized::new())
    ///     .group_by(|_, v| {
    ///         let (branch, balance) = v.split_once(':').unwrap_or((v.as_str(), "0"));
    ///         (branch.to_string(), balance.parse::<i64>().unwrap_or(0))
    ///     })
    ///     .reduce(|a, b| a + b, |a, b| a - b)
    ///     .to_stream()
    ///     .to("branch-totals");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, String>("accounts");
    /// input.pipe_input("acc1".into(), "north:10".into())?;
    /// input.pipe_input("acc2".into(), "north:5".into())?;
    /// input.pipe_input("acc1".into(), "north:7".into())?;
    /// let out = driver.create_output_topic::<String, Option<i64>>("branch-totals");
    /// assert_eq!(out.read_values_to_list()?, [Some(10), Some(15), Some(12)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reduce(
        &self,
        adder: impl Fn(&V, &V) -> V + Send + Sync + 'static,
        subtractor: impl Fn(&V, &V) -> V + Send + Sync + 'static,
    ) -> KTable<K, V> {
        self.reduce_with(adder, subtractor, Materialized::new())
    }

    /// [`reduce`](Self::reduce) into the store `materialized` describes.
    pub fn reduce_with(
        &self,
        adder: impl Fn(&V, &V) -> V + Send + Sync + 'static,
        subtractor: impl Fn(&V, &V) -> V + Send + Sync + 'static,
        materialized: Materialized<K, V>,
    ) -> KTable<K, V> {
        self.build(
            "KTABLE-REDUCE-",
            materialized,
            TableFold::Reduce {
                adder: Arc::new(adder),
                subtractor: Arc::new(subtractor),
                first: Arc::new(V::clone),
            },
        )
    }

    /// Folds each group's rows: `initializer` makes an empty aggregate,
    /// `adder(key, row, aggregate)` adds a row, `subtractor` takes one out.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// // item -> price; the sum of prices per first letter.
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .table::<String, i64>("prices", Materialized::new())
    ///     .group_by(|item, price| (item[..1].to_string(), *price))
    ///     .aggregate(|| 0i64, |_, p, sum| sum + p, |_, p, sum| sum - p)
    ///     .to_stream()
    ///     .to("sums");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, i64>("prices");
    /// input.pipe_input("apple".into(), 3)?;
    /// input.pipe_input("avocado".into(), 5)?;
    /// input.pipe_input("apple".into(), 4)?;
    /// let out = driver.create_output_topic::<String, Option<i64>>("sums");
    /// assert_eq!(out.read_values_to_list()?, [Some(3), Some(8), Some(9)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn aggregate<A: SerdeData>(
        &self,
        initializer: impl Fn() -> A + Send + Sync + 'static,
        adder: impl Fn(&K, &V, A) -> A + Send + Sync + 'static,
        subtractor: impl Fn(&K, &V, A) -> A + Send + Sync + 'static,
    ) -> KTable<K, A> {
        self.aggregate_with(initializer, adder, subtractor, Materialized::new())
    }

    /// [`aggregate`](Self::aggregate) into the store `materialized` describes.
    pub fn aggregate_with<A: SerdeData>(
        &self,
        initializer: impl Fn() -> A + Send + Sync + 'static,
        adder: impl Fn(&K, &V, A) -> A + Send + Sync + 'static,
        subtractor: impl Fn(&K, &V, A) -> A + Send + Sync + 'static,
        materialized: Materialized<K, A>,
    ) -> KTable<K, A> {
        self.build(
            "KTABLE-AGGREGATE-",
            materialized,
            TableFold::Aggregate {
                initializer: Arc::new(initializer),
                adder: Arc::new(adder),
                subtractor: Arc::new(subtractor),
            },
        )
    }

    /// Store name, then repartition sink and source, then the processor, as
    /// Kafka Streams names them. The repartition has no filter node.
    fn build<A: SerdeData>(
        &self,
        prefix: &str,
        materialized: Materialized<K, A>,
        fold: TableFold<K, V, A>,
    ) -> KTable<K, A> {
        let key_serde: SharedSerde<K> = or_default(self.grouped.key_serde.clone());
        let value_serde: SharedSerde<V> = or_default(self.grouped.value_serde.clone());
        let mut g = self.graph.borrow_mut();
        // Kafka Streams names every grouped-table store `KTABLE-AGGREGATE-`,
        // the reduce's too (only its processor is `KTABLE-REDUCE-`).
        let store_name = match &materialized.name {
            Some(n) => n.clone(),
            None => g.names.store("KTABLE-AGGREGATE-"),
        };
        // Kafka Streams names these after the aggregation's own `Named`
        // (which ours does not take); the `Grouped` name names the topic only.
        let (sink_name, source_name) = (g.names.processor("KSTREAM-SINK-"), g.names.processor("KSTREAM-SOURCE-"));
        let func_name = g.names.processor(prefix);
        let topic = format!(
            "{}-repartition",
            self.grouped.name.clone().unwrap_or_else(|| store_name.clone())
        );
        let change_serde: SharedSerde<Change<V>> = Arc::new(ChangeSerde(value_serde));
        let (ks, cs) = (key_serde.clone(), change_serde);
        let lower = Rc::new(
            move |topology: &mut streams_core::Topology, r: &Repartition, parents: &[&str]| {
                topology
                    .add_sink(
                        &r.sink_name,
                        Sink::with_serdes(r.topic.as_str(), ks.clone(), cs.clone()),
                        parents,
                    )?
                    .add_source(
                        &r.source_name,
                        Source::with_serdes(r.topic.as_str(), ks.clone(), cs.clone()),
                    )?;
                Ok(())
            },
        );
        let repartition = g.add(
            source_name.clone(),
            vec![self.select],
            NodeKind::Repartition(Repartition {
                topic,
                filter_name: String::new(),
                sink_name,
                source_name,
                optimizable: false,
                types: (TypeId::of::<K>(), TypeId::of::<Change<V>>()),
                lower,
            }),
        );
        let spec = StoreSpec::new(
            store_name.clone(),
            &materialized,
            key_serde.clone(),
            or_default(materialized.value_serde.clone()),
        );
        let (table_keys, table_values) = (spec.key_serde.clone(), spec.value_serde.clone());
        let old_values = OldValues::root();
        let flag = old_values.clone();
        let lower = Box::new(
            move |topology: &mut streams_core::Topology, ctx: &crate::graph::LowerCtx<'_>| {
                let (store_name, fold, key_serde) = (spec.name.clone(), fold.clone(), key_serde.clone());
                let send_old_values = flag.enabled();
                topology.add_processor(
                    ctx.name,
                    move || TableAggregate {
                        store_name: store_name.clone(),
                        fold: fold.clone(),
                        key_serde: key_serde.clone(),
                        send_old_values,
                        store: None,
                        cached: false,
                    },
                    ctx.parents(),
                )?;
                topology.add_state_store(spec.builder(true), &[ctx.name])?;
                Ok(())
            },
        );
        let node = g.add(func_name, vec![repartition], NodeKind::Processor { lower });
        drop(g);
        KTable::new(
            Rc::clone(&self.graph),
            node,
            Some(table_keys),
            Some(table_values),
            old_values,
            Some(store_name),
        )
    }
}
