//! [`TimeWindowedKStream`]: `count`, `reduce`, `aggregate` per key and time
//! window into a `KTable<Windowed<K>, _>`.

use std::rc::Rc;
use std::sync::Arc;

use streams_core::serde::{SharedSerde, TimeWindowedSerde};
use streams_core::store::Windowed;
use streams_core::{DefaultSerde, Topology};

use super::KGroupedStream;
use super::kgrouped_stream::Prepared;
use super::sliding_aggregate::SlidingAggregate;
use super::stream_aggregate::{Step, aggregate_step, count_step, reduce_step};
use super::window_aggregate::{TimeWindowDef, WindowAggregate};
use crate::SerdeData;
use crate::graph::{LowerCtx, NodeKind};
use crate::ktable::{KTable, OldValues};
use crate::materialize::{StoreSpec, or_default};
use crate::options::{Materialized, Named};
use crate::windows::{EmitStrategy, SlidingWindows};

/// A grouped stream windowed by [`TimeWindows`](crate::windows::TimeWindows),
/// [`SlidingWindows`] or [`UnlimitedWindows`](crate::windows::UnlimitedWindows),
/// as Kafka Streams' `TimeWindowedKStream<K, V>`. Made by
/// [`KGroupedStream::windowed_by`].
///
/// Aggregations keep one value per key and window in a timestamped window
/// store retained for the window size plus grace (or
/// [`Materialized::with_retention`]); the resulting table is keyed by
/// [`Windowed<K>`], written with Kafka's time-windowed key layout.
pub struct TimeWindowedKStream<K, V> {
    grouped: KGroupedStream<K, V>,
    windows: Def,
    emit: EmitStrategy,
}

/// The windows of a [`TimeWindowedKStream`]: bucketed by time, or sliding.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Def {
    Time(TimeWindowDef),
    Sliding(SlidingWindows),
}

impl Def {
    /// Window length: `end - start` of every window.
    fn size(&self) -> i64 {
        match self {
            Self::Time(w) => w.size(),
            Self::Sliding(w) => w.time_difference_ms(),
        }
    }

    fn grace(&self) -> i64 {
        match self {
            Self::Time(w) => w.grace(),
            Self::Sliding(w) => w.grace_ms(),
        }
    }

    /// The shortest store retention, and the default: size + grace for time
    /// windows; 2 x time difference + grace for sliding windows, whose new
    /// windows are seeded from windows up to two differences back (Kafka
    /// Streams' `SlidingWindowStoreMaterializer`).
    fn retention(&self) -> i64 {
        match self {
            Self::Time(w) => w.size().saturating_add(w.grace()),
            Self::Sliding(w) => w.time_difference_ms().saturating_mul(2).saturating_add(w.grace_ms()),
        }
    }
}

impl<K: SerdeData, V: SerdeData> TimeWindowedKStream<K, V> {
    pub(crate) fn new(grouped: KGroupedStream<K, V>, windows: Def) -> Self {
        Self {
            grouped,
            windows,
            emit: EmitStrategy::default(),
        }
    }

    /// When results are forwarded: on every update (default) or once per
    /// window when it closes (then the store never caches).
    pub fn emit_strategy(mut self, emit: EmitStrategy) -> Self {
        self.emit = emit;
        self
    }

    /// The number of records per key and window.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use streams_dsl::prelude::*;
    /// use streams_dsl::windows::{EmitStrategy, TimeWindows};
    /// use test_driver::TopologyTestDriver;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .stream::<String, String>("clicks")
    ///     .group_by_key()
    ///     .windowed_by(TimeWindows::of_size_with_no_grace(Duration::from_millis(10))?)
    ///     .emit_strategy(EmitStrategy::on_window_close())
    ///     .count()
    ///     .to_stream()
    ///     .map(|k, v| (k.to_string(), v.unwrap_or(0)))
    ///     .to("final-counts");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, String>("clicks");
    /// for t in [1, 5, 12] {
    ///     input.pipe_input_with_timestamp("a".into(), "x".into(), t)?;
    /// }
    /// // The record at 12 closes [0, 10), which is emitted once, final.
    /// let out = driver.create_output_topic::<String, i64>("final-counts");
    /// assert_eq!(out.read_key_values_to_list()?, [("[a@0/10]".to_string(), 2)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn count(&self) -> KTable<Windowed<K>, i64> {
        self.count_with(Materialized::new())
    }

    /// [`count`](Self::count) into the store `materialized` describes.
    pub fn count_with(&self, materialized: Materialized<K, i64>) -> KTable<Windowed<K>, i64> {
        self.count_named(None, materialized)
    }

    /// [`count_with`](Self::count_with), with the processor named.
    pub fn count_named(&self, named: Option<Named>, materialized: Materialized<K, i64>) -> KTable<Windowed<K>, i64> {
        let step: Step<K, V, i64> = count_step();
        self.build(
            "KSTREAM-AGGREGATE-",
            named,
            materialized,
            step,
            Some(i64::default_serde()),
        )
    }

    /// Combines the values of each key and window with `reducer`.
    pub fn reduce(&self, reducer: impl Fn(&V, &V) -> V + Send + Sync + 'static) -> KTable<Windowed<K>, V> {
        self.reduce_with(reducer, Materialized::new())
    }

    /// [`reduce`](Self::reduce) into the store `materialized` describes.
    pub fn reduce_with(
        &self,
        reducer: impl Fn(&V, &V) -> V + Send + Sync + 'static,
        materialized: Materialized<K, V>,
    ) -> KTable<Windowed<K>, V> {
        let step: Step<K, V, V> = reduce_step(reducer);
        let value_serde = self.grouped.value_serde();
        self.build("KSTREAM-REDUCE-", None, materialized, step, Some(value_serde))
    }

    /// Folds the values of each key and window: `initializer` starts each
    /// window, `aggregator(key, value, aggregate)` adds a record.
    ///
    /// # Examples
    ///
    /// The total of each key's amounts within any 10 ms, over sliding
    /// windows (a window per record, both bounds inclusive):
    ///
    /// ```
    /// use std::time::Duration;
    /// use streams_dsl::prelude::*;
    /// use streams_dsl::windows::SlidingWindows;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .stream::<String, i64>("amounts")
    ///     .group_by_key()
    ///     .windowed_by(SlidingWindows::of_time_difference_with_no_grace(Duration::from_millis(10))?)
    ///     .aggregate_with(|| 0, |_, v, sum| sum + v, Materialized::new().with_caching_disabled())
    ///     .to_stream()
    ///     .map(|k, v| (k.to_string(), v.unwrap_or(0)))
    ///     .to("sums");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, i64>("amounts");
    /// input.pipe_input_with_timestamp("a".into(), 5, 20)?;
    /// input.pipe_input_with_timestamp("a".into(), 7, 25)?;
    /// let out = driver.create_output_topic::<String, i64>("sums");
    /// assert_eq!(
    ///     out.read_key_values_to_list()?,
    ///     [
    ///         ("[a@10/20]".to_string(), 5),
    ///         // 20's right window, then 25's left window holding both.
    ///         ("[a@21/31]".to_string(), 7),
    ///         ("[a@15/25]".to_string(), 12),
    ///     ]
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn aggregate<A: SerdeData>(
        &self,
        initializer: impl Fn() -> A + Send + Sync + 'static,
        aggregator: impl Fn(&K, &V, A) -> A + Send + Sync + 'static,
    ) -> KTable<Windowed<K>, A> {
        self.aggregate_with(initializer, aggregator, Materialized::new())
    }

    /// [`aggregate`](Self::aggregate) into the store `materialized` describes.
    pub fn aggregate_with<A: SerdeData>(
        &self,
        initializer: impl Fn() -> A + Send + Sync + 'static,
        aggregator: impl Fn(&K, &V, A) -> A + Send + Sync + 'static,
        materialized: Materialized<K, A>,
    ) -> KTable<Windowed<K>, A> {
        let step: Step<K, V, A> = aggregate_step(initializer, aggregator);
        self.build("KSTREAM-AGGREGATE-", None, materialized, step, None)
    }

    fn build<A: SerdeData>(
        &self,
        prefix: &str,
        named: Option<Named>,
        materialized: Materialized<K, A>,
        step: Step<K, V, A>,
        value_serde: Option<SharedSerde<A>>,
    ) -> KTable<Windowed<K>, A> {
        let Prepared {
            store_name,
            func_name,
            key_serde,
            value_serde: grouped_value_serde,
            parent,
        } = self.grouped.prepare(prefix, named.as_ref(), materialized.name.as_ref());
        let mut spec = StoreSpec::new(
            store_name.clone(),
            &materialized,
            key_serde.clone(),
            or_default(value_serde.or_else(|| materialized.value_serde.clone())),
        );
        let (windows, emit) = (self.windows, self.emit);
        // Emitting final results reads closed windows from the store; a
        // cache would only delay what is never forwarded on update anyway.
        spec.caching &= emit == EmitStrategy::OnWindowUpdate;
        let table_keys: SharedSerde<Windowed<K>> =
            Arc::new(TimeWindowedSerde::new(spec.key_serde.clone(), windows.size()));
        let table_values = spec.value_serde.clone();
        let old_values = OldValues::root();
        let table_old_values = old_values.clone();
        let lower = Box::new(move |topology: &mut Topology, ctx: &LowerCtx<'_>| {
            let mut retention = spec.retention(windows.retention())?;
            if emit == EmitStrategy::OnWindowClose {
                // Kafka Streams keeps emit-on-close windows in a time-ordered
                // store whose entries live while `ts >= observed - retention`
                // (one millisecond longer than other window stores), so the
                // window that closes with a record is still there to emit.
                retention = retention.saturating_add(1);
            }
            let builder = spec.window_builder(windows.size(), retention)?;
            let (store_name, step, key_serde, value_serde) = (
                spec.name.clone(),
                Arc::clone(&step),
                key_serde.clone(),
                grouped_value_serde.clone(),
            );
            let send_old_values = old_values.enabled();
            match windows {
                Def::Time(windows) => topology.add_processor(
                    ctx.name,
                    move || {
                        WindowAggregate::new(
                            store_name.clone(),
                            windows,
                            Arc::clone(&step),
                            key_serde.clone(),
                            value_serde.clone(),
                            emit,
                            send_old_values,
                        )
                    },
                    ctx.parents(),
                )?,
                Def::Sliding(windows) => topology.add_processor(
                    ctx.name,
                    move || SlidingAggregate {
                        store_name: store_name.clone(),
                        windows,
                        step: Arc::clone(&step),
                        key_serde: key_serde.clone(),
                        value_serde: value_serde.clone(),
                        emit,
                        send_old_values,
                        store: None,
                        cached: false,
                        observed: -1,
                        emitted_up_to: -1,
                        throttle: Default::default(),
                    },
                    ctx.parents(),
                )?,
            };
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
        .with_window_close_delay(Some(windows.grace()))
    }
}
