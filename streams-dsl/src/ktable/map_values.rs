//! KTable `map_values`: a new value per row; deletes pass on as deletes.

use std::sync::atomic::Ordering;

use streams_core::Record;
use streams_core::processor::{Downstream, EdgeResult};

use super::{KTable, OldValues};
use crate::Data;
use crate::change::Change;
use crate::kstream::add_stateless;
use crate::options::Named;

impl<K: Data, V: Data> KTable<K, V> {
    /// Maps each row's value; `mapper` is never called on a delete.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .table::<String, String>("names", Materialized::new())
    ///     .map_values(|v| v.len() as i64)
    ///     .to_stream()
    ///     .to("lengths");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, Option<String>>("names");
    /// input.pipe_input("a".into(), Some("abc".into()))?;
    /// input.pipe_input("a".into(), None)?;
    /// let out = driver.create_output_topic::<String, Option<i64>>("lengths");
    /// assert_eq!(out.read_values_to_list()?, [Some(3), None]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn map_values<V2: Data>(&self, mapper: impl Fn(&V) -> V2 + Send + Sync + 'static) -> KTable<K, V2> {
        self.map_values_with_key(move |_, v| mapper(v), None)
    }

    /// Maps each row's value given its key too, with the processor optionally named.
    pub fn map_values_with_key<V2: Data>(
        &self,
        mapper: impl Fn(&K, &V) -> V2 + Send + Sync + 'static,
        named: Option<Named>,
    ) -> KTable<K, V2> {
        let name = self.name(named.as_ref().map(|n| n.0.as_str()), "KTABLE-MAPVALUES-");
        let old_values = OldValues::child_of(&self.old_values);
        let sending = old_values.shared();
        let stage = move |r: Record<K, Change<V>>, out: &dyn Downstream<K, Change<V2>>| -> EdgeResult {
            let new = r.value.new.as_ref().map(|v| mapper(&r.key, v));
            let old = if sending.load(Ordering::Relaxed) {
                r.value.old.as_ref().map(|v| mapper(&r.key, v))
            } else {
                None
            };
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
            None,
            old_values,
            None,
        )
        .with_window_close_delay(self.window_close_delay)
    }
}
