//! `map`: a new key and value per record (marks the stream for repartitioning).

use streams_core::Record;
use streams_core::processor::{Downstream, EdgeResult};

use super::KStream;
use crate::Data;
use crate::options::Named;

impl<K: Data, V: Data> KStream<K, V> {
    /// Maps each record to a new key and value. A stateful operation after
    /// it repartitions by the new key.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .stream::<String, String>("in")
    ///     .map(|k, v| (v.clone(), k.len() as i64))
    ///     .to("out");
    /// assert!(builder.build()?.describe().to_string().contains("KSTREAM-MAP-0000000001"));
    /// # Ok::<(), streams_core::TopologyError>(())
    /// ```
    pub fn map<K2: Data, V2: Data>(
        &self,
        mapper: impl Fn(&K, &V) -> (K2, V2) + Send + Sync + 'static,
    ) -> KStream<K2, V2> {
        self.map_named(mapper, None)
    }

    /// [`map`](Self::map), with the processor named.
    pub fn map_named<K2: Data, V2: Data>(
        &self,
        mapper: impl Fn(&K, &V) -> (K2, V2) + Send + Sync + 'static,
        named: Option<Named>,
    ) -> KStream<K2, V2> {
        let name = self.name(named.as_ref().map(|n| n.0.as_str()), "KSTREAM-MAP-");
        let stage = move |r: Record<K, V>, out: &dyn Downstream<K2, V2>| -> EdgeResult {
            let (k, v) = mapper(&r.key, &r.value);
            out.accept(Record {
                key: k,
                value: v,
                timestamp: r.timestamp,
                headers: r.headers,
            })
        };
        self.stateless(name, stage, None, None, true)
    }
}
