//! [`SessionWindowedKStream`]: `count`, `reduce`, `aggregate` per key and
//! session into a `KTable<Windowed<K>, _>`.

use std::rc::Rc;
use std::sync::Arc;

use streams_core::serde::{SessionWindowedSerde, SharedSerde};
use streams_core::store::Windowed;
use streams_core::{DefaultSerde, Topology};

use super::KGroupedStream;
use super::kgrouped_stream::Prepared;
use super::session_aggregate::{Merger, SessionAggregate};
use super::stream_aggregate::{Step, aggregate_step, count_step, reduce_step};
use crate::SerdeData;
use crate::graph::{LowerCtx, NodeKind};
use crate::ktable::{KTable, OldValues};
use crate::materialize::{StoreSpec, or_default};
use crate::options::{Materialized, Named};
use crate::windows::{EmitStrategy, SessionWindows};

/// A grouped stream windowed by [`SessionWindows`], as Kafka Streams'
/// `SessionWindowedKStream<K, V>`. Made by [`KGroupedStream::windowed_by`].
///
/// Results are keyed by [`Windowed<K>`] (written with Kafka's session key
/// layout: key, end, start) and timestamped with the session end; when
/// sessions merge, the merged-away ones are deleted (tombstones) first.
pub struct SessionWindowedKStream<K, V> {
    grouped: KGroupedStream<K, V>,
    windows: SessionWindows,
    emit: EmitStrategy,
}

impl<K: SerdeData, V: SerdeData> SessionWindowedKStream<K, V> {
    pub(crate) fn new(grouped: KGroupedStream<K, V>, windows: SessionWindows) -> Self {
        Self {
            grouped,
            windows,
            emit: EmitStrategy::default(),
        }
    }

    /// When results are forwarded: on every update (default, with the
    /// tombstones of merged-away sessions) or once per session when it
    /// closes (then the store never caches).
    pub fn emit_strategy(mut self, emit: EmitStrategy) -> Self {
        self.emit = emit;
        self
    }

    /// The number of records per key and session.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use streams_dsl::prelude::*;
    /// use streams_dsl::windows::SessionWindows;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .stream::<String, String>("clicks")
    ///     .group_by_key()
    ///     .windowed_by(SessionWindows::of_inactivity_gap_and_grace(Duration::from_millis(10), Duration::from_millis(20))?)
    ///     .count_with(Materialized::new().with_caching_disabled())
    ///     .to_stream()
    ///     .map(|k, v| (k.to_string(), *v))
    ///     .to("sessions");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, String>("clicks");
    /// for t in [0, 20, 10] {
    ///     input.pipe_input_with_timestamp("a".into(), "x".into(), t)?;
    /// }
    /// let out = driver.create_output_topic::<String, Option<i64>>("sessions");
    /// // The record at 10 bridges [0,0] and [20,20]: both are deleted, then
    /// // the merged session [0,20] is written.
    /// assert_eq!(
    ///     out.read_key_values_to_list()?,
    ///     [
    ///         ("[a@0/0]".to_string(), Some(1)),
    ///         ("[a@20/20]".to_string(), Some(1)),
    ///         ("[a@0/0]".to_string(), None),
    ///         ("[a@20/20]".to_string(), None),
    ///         ("[a@0/20]".to_string(), Some(3)),
    ///     ]
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn count(&self) -> KTable<Windowed<K>, i64> {
        self.count_with(Materialized::new())
    }

    /// [`count`](Self::count) into the store `materialized` describes.
    pub fn count_with(&self, materialized: Materialized<K, i64>) -> KTable<Windowed<K>, i64> {
        let step: Step<K, V, i64> = count_step();
        let merger: Merger<K, i64> = Arc::new(|_, a, b| a.unwrap_or(0) + b);
        self.build(
            "KSTREAM-AGGREGATE-",
            materialized,
            step,
            merger,
            Some(i64::default_serde()),
        )
    }

    /// Combines the values of each session with `reducer` (merging sessions
    /// reduces their aggregates too).
    pub fn reduce(&self, reducer: impl Fn(&V, &V) -> V + Send + Sync + 'static) -> KTable<Windowed<K>, V> {
        self.reduce_with(reducer, Materialized::new())
    }

    /// [`reduce`](Self::reduce) into the store `materialized` describes.
    pub fn reduce_with(
        &self,
        reducer: impl Fn(&V, &V) -> V + Send + Sync + 'static,
        materialized: Materialized<K, V>,
    ) -> KTable<Windowed<K>, V> {
        // Kafka's session reduce: the first value (or session) is the
        // aggregate, the reducer folds in the rest.
        let reducer = Arc::new(reducer);
        let adder = Arc::clone(&reducer);
        let step: Step<K, V, V> = reduce_step(move |a: &V, b: &V| adder(a, b));
        let merger: Merger<K, V> = Arc::new(move |_, a, b| match a {
            None => b,
            Some(a) => reducer(&a, &b),
        });
        let value_serde = self.grouped.value_serde();
        self.build("KSTREAM-REDUCE-", materialized, step, merger, Some(value_serde))
    }

    /// Folds the values of each session: `initializer` starts a session,
    /// `aggregator(key, value, aggregate)` adds a record, and
    /// `merger(key, a, b)` combines two sessions' aggregates when a record
    /// bridges them.
    ///
    /// # Examples
    ///
    /// The pages of each visit, a visit ending after 30 minutes without a view:
    ///
    /// ```
    /// use std::time::Duration;
    /// use streams_dsl::prelude::*;
    /// use streams_dsl::windows::SessionWindows;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .stream::<String, String>("views")
    ///     .group_by_key()
    ///     .windowed_by(SessionWindows::of_inactivity_gap_with_no_grace(Duration::from_secs(1_800))?)
    ///     .aggregate(
    ///         String::new,
    ///         |_, page, pages| if pages.is_empty() { page.clone() } else { format!("{pages} {page}") },
    ///         |_, a, b| format!("{a} {b}").trim().to_string(),
    ///     )
    ///     .to_stream()
    ///     .filter(|_, pages| pages.is_some())
    ///     .map(|visit, pages| (visit.to_string(), pages.clone().unwrap_or_default()))
    ///     .to("visits");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, String>("views");
    /// input.pipe_input_with_timestamp("ann".into(), "/".into(), 0)?;
    /// input.pipe_input_with_timestamp("ann".into(), "/docs".into(), 60_000)?;
    /// let out = driver.create_output_topic::<String, String>("visits");
    /// assert_eq!(out.read_key_values_to_list()?.last().unwrap().1, "/ /docs");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn aggregate<A: SerdeData>(
        &self,
        initializer: impl Fn() -> A + Send + Sync + 'static,
        aggregator: impl Fn(&K, &V, A) -> A + Send + Sync + 'static,
        merger: impl Fn(&K, A, A) -> A + Send + Sync + 'static,
    ) -> KTable<Windowed<K>, A> {
        self.aggregate_with(initializer, aggregator, merger, Materialized::new())
    }

    /// [`aggregate`](Self::aggregate) into the store `materialized` describes.
    pub fn aggregate_with<A: SerdeData>(
        &self,
        initializer: impl Fn() -> A + Send + Sync + 'static,
        aggregator: impl Fn(&K, &V, A) -> A + Send + Sync + 'static,
        merger: impl Fn(&K, A, A) -> A + Send + Sync + 'static,
        materialized: Materialized<K, A>,
    ) -> KTable<Windowed<K>, A> {
        let initializer = Arc::new(initializer);
        let fresh = Arc::clone(&initializer);
        let step: Step<K, V, A> = aggregate_step(move || fresh(), aggregator);
        let merger: Merger<K, A> = Arc::new(move |k, a, b| merger(k, a.unwrap_or_else(|| initializer()), b));
        self.build("KSTREAM-AGGREGATE-", materialized, step, merger, None)
    }

    fn build<A: SerdeData>(
        &self,
        prefix: &str,
        materialized: Materialized<K, A>,
        step: Step<K, V, A>,
        merger: Merger<K, A>,
        value_serde: Option<SharedSerde<A>>,
    ) -> KTable<Windowed<K>, A> {
        let Prepared {
            store_name,
            func_name,
            key_serde,
            value_serde: grouped_value_serde,
            parent,
        } = self.grouped.prepare(prefix, None::<&Named>, materialized.name.as_ref());
        let mut spec = StoreSpec::new(
            store_name.clone(),
            &materialized,
            key_serde.clone(),
            or_default(value_serde.or_else(|| materialized.value_serde.clone())),
        );
        let (windows, emit) = (self.windows, self.emit);
        spec.caching &= emit == EmitStrategy::OnWindowUpdate;
        let table_keys: SharedSerde<Windowed<K>> = Arc::new(SessionWindowedSerde::new(spec.key_serde.clone()));
        let table_values = spec.value_serde.clone();
        let old_values = OldValues::root();
        let table_old_values = old_values.clone();
        let lower = Box::new(move |topology: &mut Topology, ctx: &LowerCtx<'_>| {
            let retention = spec.retention(windows.inactivity_gap_ms().saturating_add(windows.grace_ms()))?;
            // Emit-on-close finds closed sessions after they pass the
            // retention period: Kafka's time-ordered session store keeps
            // them until their segment expires.
            let builder = spec.session_builder(retention, emit == EmitStrategy::OnWindowClose)?;
            let (store_name, step, merger, key_serde, value_serde) = (
                spec.name.clone(),
                Arc::clone(&step),
                Arc::clone(&merger),
                key_serde.clone(),
                grouped_value_serde.clone(),
            );
            let send_old_values = old_values.enabled();
            topology.add_processor(
                ctx.name,
                move || SessionAggregate {
                    store_name: store_name.clone(),
                    windows,
                    step: Arc::clone(&step),
                    merger: Arc::clone(&merger),
                    key_serde: key_serde.clone(),
                    value_serde: value_serde.clone(),
                    send_old_values,
                    emit,
                    store: None,
                    cached: false,
                    observed: -1,
                    emitted_up_to: None,
                    throttle: Default::default(),
                },
                ctx.parents(),
            )?;
            topology.add_state_store(builder, &[ctx.name])?;
            Ok(())
        });
        let graph = &self.grouped.stream.graph;
        let node = graph
            .borrow_mut()
            .add(func_name, vec![parent], NodeKind::Processor { lower });
        KTable::new(
            Rc::clone(graph),
            node,
            Some(table_keys),
            Some(table_values),
            table_old_values,
            Some(store_name),
        )
        .with_window_close_delay(Some(windows.inactivity_gap_ms().saturating_add(windows.grace_ms())))
    }
}
