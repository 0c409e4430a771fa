//! [`KGroupedStream`]: `count`, `reduce`, `aggregate` into a [`KTable`].

use std::sync::Arc;

use streams_core::DefaultSerde;
use streams_core::serde::SharedSerde;

use super::stream_aggregate::{Step, StreamAggregate, aggregate_step, count_step, reduce_step};
use crate::graph::NodeKind;
use crate::kstream::KStream;
use crate::ktable::{KTable, OldValues};
use crate::materialize::{StoreSpec, or_default};
use crate::options::{Grouped, Materialized, Named};
use crate::{Data, SerdeData};

/// A stream grouped by key, ready to aggregate, as Kafka Streams'
/// `KGroupedStream<K, V>`. Made by [`KStream::group_by_key`] or
/// [`KStream::group_by`].
pub struct KGroupedStream<K, V> {
    pub(crate) stream: KStream<K, V>,
    pub(crate) grouped: Grouped<K, V>,
}

impl<K, V> Clone for KGroupedStream<K, V> {
    fn clone(&self) -> Self {
        Self {
            stream: self.stream.clone(),
            grouped: self.grouped.clone(),
        }
    }
}

impl<K: SerdeData, V: SerdeData> KGroupedStream<K, V> {
    /// The number of records per key (null keys and values skipped), in a
    /// table backed by a RocksDB store.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .stream::<String, String>("clicks")
    ///     .group_by_key()
    ///     .count()
    ///     .to_stream()
    ///     .to("counts");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, String>("clicks");
    /// input.pipe_input("alice".into(), "/".into())?;
    /// input.pipe_input("alice".into(), "/about".into())?;
    /// let out = driver.create_output_topic::<String, i64>("counts");
    /// assert_eq!(out.read_values_to_list()?, [1, 2]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn count(&self) -> KTable<K, i64> {
        self.count_with(Materialized::new())
    }

    /// [`count`](Self::count) into the store `materialized` describes.
    pub fn count_with(&self, materialized: Materialized<K, i64>) -> KTable<K, i64> {
        self.count_named(None, materialized)
    }

    /// [`count_with`](Self::count_with), with the processor named.
    pub fn count_named(&self, named: Option<Named>, materialized: Materialized<K, i64>) -> KTable<K, i64> {
        let step: Step<K, V, i64> = count_step();
        self.build(
            "KSTREAM-AGGREGATE-",
            named,
            materialized,
            step,
            Some(i64::default_serde()),
        )
    }

    /// Combines each key's values with `reducer` (the first value is the
    /// first aggregate).
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .stream::<String, i64>("amounts")
    ///     .group_by_key()
    ///     .reduce(|a, b| a + b)
    ///     .to_stream()
    ///     .to("totals");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, i64>("amounts");
    /// input.pipe_input("a".into(), 5)?;
    /// input.pipe_input("a".into(), 7)?;
    /// assert_eq!(driver.create_output_topic::<String, i64>("totals").read_values_to_list()?, [5, 12]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reduce(&self, reducer: impl Fn(&V, &V) -> V + Send + Sync + 'static) -> KTable<K, V> {
        self.reduce_with(reducer, Materialized::new())
    }

    /// [`reduce`](Self::reduce) into the store `materialized` describes.
    pub fn reduce_with(
        &self,
        reducer: impl Fn(&V, &V) -> V + Send + Sync + 'static,
        materialized: Materialized<K, V>,
    ) -> KTable<K, V> {
        let step: Step<K, V, V> = reduce_step(reducer);
        let value_serde = self.value_serde();
        self.build("KSTREAM-REDUCE-", None, materialized, step, Some(value_serde))
    }

    /// Folds each key's values into an aggregate: `initializer` makes the
    /// first, `aggregator(key, value, aggregate)` the next.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .stream::<String, String>("words")
    ///     .group_by_key()
    ///     .aggregate(String::new, |_, w, acc| if acc.is_empty() { w.clone() } else { format!("{acc},{w}") })
    ///     .to_stream()
    ///     .to("joined");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, String>("words");
    /// input.pipe_input("k".into(), "a".into())?;
    /// input.pipe_input("k".into(), "b".into())?;
    /// let out = driver.create_output_topic::<String, String>("joined");
    /// assert_eq!(out.read_values_to_list()?, ["a", "a,b"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn aggregate<A: SerdeData>(
        &self,
        initializer: impl Fn() -> A + Send + Sync + 'static,
        aggregator: impl Fn(&K, &V, A) -> A + Send + Sync + 'static,
    ) -> KTable<K, A> {
        self.aggregate_with(initializer, aggregator, Materialized::new())
    }

    /// [`aggregate`](Self::aggregate) into the store `materialized` describes.
    pub fn aggregate_with<A: SerdeData>(
        &self,
        initializer: impl Fn() -> A + Send + Sync + 'static,
        aggregator: impl Fn(&K, &V, A) -> A + Send + Sync + 'static,
        materialized: Materialized<K, A>,
    ) -> KTable<K, A> {
        let step: Step<K, V, A> = aggregate_step(initializer, aggregator);
        self.build("KSTREAM-AGGREGATE-", None, materialized, step, None)
    }

    pub(crate) fn key_serde(&self) -> SharedSerde<K> {
        or_default(self.grouped.key_serde.clone().or_else(|| self.stream.key_serde.clone()))
    }

    pub(crate) fn value_serde(&self) -> SharedSerde<V> {
        or_default(
            self.grouped
                .value_serde
                .clone()
                .or_else(|| self.stream.value_serde.clone()),
        )
    }

    /// Names an aggregation as Kafka Streams does (store, then processor,
    /// then the repartition's three names) and adds the repartition if one
    /// is needed.
    pub(crate) fn prepare(&self, prefix: &str, named: Option<&Named>, store: Option<&String>) -> Prepared<K, V> {
        let graph = &self.stream.graph;
        let (store_name, func_name) = {
            let mut g = graph.borrow_mut();
            let store = match store {
                Some(n) => n.clone(),
                None => g.names.store(prefix),
            };
            let func = g.names.or_processor(named.map(|n| n.0.as_str()), prefix);
            (store, func)
        };
        let key_serde = self.key_serde();
        let value_serde = self.value_serde();
        let repartition_prefix = self.grouped.name.clone().unwrap_or_else(|| store_name.clone());
        let parent = self
            .stream
            .repartitioned_for(&repartition_prefix, &key_serde, &value_serde);
        Prepared {
            store_name,
            func_name,
            key_serde,
            value_serde,
            parent,
        }
    }

    /// Adds (repartition if needed, then) the aggregate processor and its
    /// store.
    fn build<A: SerdeData>(
        &self,
        prefix: &str,
        named: Option<Named>,
        materialized: Materialized<K, A>,
        step: Step<K, V, A>,
        value_serde: Option<streams_core::serde::SharedSerde<A>>,
    ) -> KTable<K, A> {
        let graph = &self.stream.graph;
        let Prepared {
            store_name,
            func_name,
            key_serde,
            value_serde: grouped_value_serde,
            parent,
        } = self.prepare(prefix, named.as_ref(), materialized.name.as_ref());
        let spec = StoreSpec::new(
            store_name.clone(),
            &materialized,
            key_serde.clone(),
            or_default(value_serde.or_else(|| materialized.value_serde.clone())),
        );
        let (table_keys, table_values) = (spec.key_serde.clone(), spec.value_serde.clone());
        let old_values = OldValues::root();
        let table_old_values = old_values.clone();
        let lower = Box::new(
            move |topology: &mut streams_core::Topology, ctx: &crate::graph::LowerCtx<'_>| {
                let (store_name, step, key_serde, value_serde) = (
                    spec.name.clone(),
                    Arc::clone(&step),
                    key_serde.clone(),
                    grouped_value_serde.clone(),
                );
                let send_old_values = old_values.enabled();
                topology.add_processor(
                    ctx.name,
                    move || StreamAggregate {
                        store_name: store_name.clone(),
                        step: Arc::clone(&step),
                        key_serde: key_serde.clone(),
                        value_serde: value_serde.clone(),
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
        let node = graph
            .borrow_mut()
            .add(func_name, vec![parent], NodeKind::Processor { lower });
        KTable::new(
            std::rc::Rc::clone(graph),
            node,
            Some(table_keys),
            Some(table_values),
            table_old_values,
            Some(store_name),
        )
    }
}

/// What [`KGroupedStream::prepare`] resolved.
pub(crate) struct Prepared<K, V> {
    pub(crate) store_name: String,
    pub(crate) func_name: String,
    pub(crate) key_serde: SharedSerde<K>,
    pub(crate) value_serde: SharedSerde<V>,
    /// The node the aggregation reads from (a repartition source, if any).
    pub(crate) parent: crate::graph::NodeId,
}

impl<K: Data, V: Data> KStream<K, V> {
    /// Groups by the current key. If a key-changing operation came before, the
    /// aggregation that follows repartitions first.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    ///
    /// let builder = StreamsBuilder::new();
    /// let by_user = builder.stream::<String, String>("clicks").group_by_key();
    /// by_user.count().to_stream().to("clicks-per-user");
    /// // No key change before: no repartition topic.
    /// assert!(builder.build()?.internal_topics().is_empty());
    /// # Ok::<(), streams_core::TopologyError>(())
    /// ```
    pub fn group_by_key(&self) -> KGroupedStream<K, V> {
        self.group_by_key_with(Grouped::new())
    }

    /// [`group_by_key`](Self::group_by_key) with serdes or a name (which names
    /// the repartition topic).
    pub fn group_by_key_with(&self, grouped: Grouped<K, V>) -> KGroupedStream<K, V> {
        KGroupedStream {
            stream: self.clone(),
            grouped,
        }
    }
}
