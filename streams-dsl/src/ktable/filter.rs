//! KTable `filter` / `filter_not`.
//!
//! A rejected update becomes a delete (tombstone) downstream. When old values
//! are being sent, the old value is filtered too, and an update rejected both
//! before and after emits nothing (Kafka Streams' rule).

use streams_core::Record;
use streams_core::processor::{Downstream, EdgeResult};

use super::{KTable, OldValues};
use crate::Data;
use crate::change::Change;
use crate::kstream::add_stateless;
use crate::options::Named;

impl<K: Data, V: Data> KTable<K, V> {
    /// The rows for which `predicate` holds; others read as deleted.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .table::<String, i64>("balances", Materialized::new())
    ///     .filter(|_, v| *v >= 0)
    ///     .to_stream()
    ///     .to("solvent");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, i64>("balances");
    /// input.pipe_input("a".into(), 5)?;
    /// input.pipe_input("a".into(), -5)?;
    /// let out = driver.create_output_topic::<String, Option<i64>>("solvent");
    /// assert_eq!(out.read_values_to_list()?, [Some(5), None]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn filter(&self, predicate: impl Fn(&K, &V) -> bool + Send + Sync + 'static) -> KTable<K, V> {
        self.filter_impl(predicate, false, None)
    }

    /// [`filter`](Self::filter), with the processor named.
    pub fn filter_named(
        &self,
        predicate: impl Fn(&K, &V) -> bool + Send + Sync + 'static,
        named: Named,
    ) -> KTable<K, V> {
        self.filter_impl(predicate, false, Some(named))
    }

    /// The rows for which `predicate` does not hold.
    pub fn filter_not(&self, predicate: impl Fn(&K, &V) -> bool + Send + Sync + 'static) -> KTable<K, V> {
        self.filter_impl(predicate, true, None)
    }

    fn filter_impl(
        &self,
        predicate: impl Fn(&K, &V) -> bool + Send + Sync + 'static,
        negate: bool,
        named: Option<Named>,
    ) -> KTable<K, V> {
        let name = self.name(named.as_ref().map(|n| n.0.as_str()), "KTABLE-FILTER-");
        let old_values = OldValues::child_of(&self.old_values);
        // As Kafka Streams' `KTableFilter`: below a table that has a store,
        // old values are sent, so that a row rejected before and after
        // emits no tombstone.
        old_values.enable_if_materialized();
        // Whether old values are sent is known only once every downstream call
        // is made, so the stage reads the shared flag.
        let sending = old_values.shared();
        let keep = move |k: &K, v: &V| predicate(k, v) != negate;
        let stage = move |r: Record<K, Change<V>>, out: &dyn Downstream<K, Change<V>>| -> EdgeResult {
            let send_old = sending.load(std::sync::atomic::Ordering::Relaxed);
            let new = r.value.new.filter(|v| keep(&r.key, v));
            let old = if send_old {
                r.value.old.filter(|v| keep(&r.key, v))
            } else {
                None
            };
            if send_old && new.is_none() && old.is_none() {
                return Ok(());
            }
            out.accept(Record {
                key: r.key,
                value: Change::new(new, old),
                timestamp: r.timestamp,
                headers: r.headers,
            })
        };
        let node = add_stateless(&self.graph, name, vec![self.node], stage);
        KTable::new(
            std::rc::Rc::clone(&self.graph),
            node,
            self.key_serde.clone(),
            self.value_serde.clone(),
            old_values,
            None,
        )
        .with_window_close_delay(self.window_close_delay)
    }
}
