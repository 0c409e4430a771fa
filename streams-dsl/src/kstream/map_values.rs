//! `map_values` / `map_values_with_key`: a new value per record, same key.

use streams_core::Record;
use streams_core::processor::{Downstream, EdgeResult};

use super::KStream;
use crate::Data;
use crate::options::Named;

impl<K: Data, V: Data> KStream<K, V> {
    /// Maps each value; keys (and partitioning) are kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder.stream::<String, String>("in").map_values(|v| v.len() as i64).to("lengths");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// driver.create_input_topic::<String, String>("in").pipe_input("k".into(), "four".into())?;
    /// let out = driver.create_output_topic::<String, i64>("lengths");
    /// assert_eq!(out.read_value()?, 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn map_values<V2: Data>(&self, mapper: impl Fn(&V) -> V2 + Send + Sync + 'static) -> KStream<K, V2> {
        self.map_values_with_key(move |_, v| mapper(v))
    }

    /// Maps each value, given the key too.
    pub fn map_values_with_key<V2: Data>(
        &self,
        mapper: impl Fn(&K, &V) -> V2 + Send + Sync + 'static,
    ) -> KStream<K, V2> {
        self.map_values_named(mapper, None)
    }

    /// [`map_values_with_key`](Self::map_values_with_key), with the processor named.
    pub fn map_values_named<V2: Data>(
        &self,
        mapper: impl Fn(&K, &V) -> V2 + Send + Sync + 'static,
        named: Option<Named>,
    ) -> KStream<K, V2> {
        let name = self.name(named.as_ref().map(|n| n.0.as_str()), "KSTREAM-MAPVALUES-");
        let stage = move |r: Record<K, V>, out: &dyn Downstream<K, V2>| -> EdgeResult {
            let v = mapper(&r.key, &r.value);
            out.accept(r.with_value(v))
        };
        self.stateless(name, stage, self.key_serde.clone(), None, self.repartition_required)
    }
}
