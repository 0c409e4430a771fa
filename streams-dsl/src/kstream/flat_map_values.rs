//! `flat_map_values`: zero or more values per record, same key.

use streams_core::Record;
use streams_core::processor::{Downstream, EdgeResult};

use super::KStream;
use crate::Data;
use crate::options::Named;

impl<K: Data, V: Data> KStream<K, V> {
    /// Maps each value to zero or more values, each a record with the same key.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .stream::<String, String>("in")
    ///     .flat_map_values(|v| v.split(' ').map(str::to_owned).collect::<Vec<_>>())
    ///     .to("words");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// driver.create_input_topic::<String, String>("in").pipe_input("k".into(), "a b".into())?;
    /// let out = driver.create_output_topic::<String, String>("words");
    /// assert_eq!(out.read_values_to_list()?, ["a", "b"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn flat_map_values<V2: Data, I>(&self, mapper: impl Fn(&V) -> I + Send + Sync + 'static) -> KStream<K, V2>
    where
        I: IntoIterator<Item = V2>,
    {
        self.flat_map_values_with_key(move |_, v| mapper(v))
    }

    /// Maps each value to zero or more values, given the key too.
    pub fn flat_map_values_with_key<V2: Data, I>(
        &self,
        mapper: impl Fn(&K, &V) -> I + Send + Sync + 'static,
    ) -> KStream<K, V2>
    where
        I: IntoIterator<Item = V2>,
    {
        self.flat_map_values_named(mapper, None)
    }

    /// [`flat_map_values_with_key`](Self::flat_map_values_with_key), with the processor named.
    pub fn flat_map_values_named<V2: Data, I>(
        &self,
        mapper: impl Fn(&K, &V) -> I + Send + Sync + 'static,
        named: Option<Named>,
    ) -> KStream<K, V2>
    where
        I: IntoIterator<Item = V2>,
    {
        let name = self.name(named.as_ref().map(|n| n.0.as_str()), "KSTREAM-FLATMAPVALUES-");
        let stage = move |r: Record<K, V>, out: &dyn Downstream<K, V2>| -> EdgeResult {
            for v in mapper(&r.key, &r.value) {
                out.accept(Record {
                    key: r.key.clone(),
                    value: v,
                    timestamp: r.timestamp,
                    headers: r.headers.clone(),
                })?;
            }
            Ok(())
        };
        self.stateless(name, stage, self.key_serde.clone(), None, self.repartition_required)
    }
}
