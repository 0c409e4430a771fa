//! `flat_map`: zero or more new records per record (marks for repartitioning).

use streams_core::Record;
use streams_core::processor::{Downstream, EdgeResult};

use super::KStream;
use crate::Data;
use crate::options::Named;

impl<K: Data, V: Data> KStream<K, V> {
    /// Maps each record to zero or more records with new keys and values.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .stream::<String, String>("in")
    ///     .flat_map(|_, v| v.split(' ').map(|w| (w.to_string(), 1i64)).collect::<Vec<_>>())
    ///     .to("out");
    /// assert!(builder.build()?.describe().to_string().contains("KSTREAM-FLATMAP-0000000001"));
    /// # Ok::<(), streams_core::TopologyError>(())
    /// ```
    pub fn flat_map<K2: Data, V2: Data, I>(
        &self,
        mapper: impl Fn(&K, &V) -> I + Send + Sync + 'static,
    ) -> KStream<K2, V2>
    where
        I: IntoIterator<Item = (K2, V2)>,
    {
        self.flat_map_named(mapper, None)
    }

    /// [`flat_map`](Self::flat_map), with the processor named.
    pub fn flat_map_named<K2: Data, V2: Data, I>(
        &self,
        mapper: impl Fn(&K, &V) -> I + Send + Sync + 'static,
        named: Option<Named>,
    ) -> KStream<K2, V2>
    where
        I: IntoIterator<Item = (K2, V2)>,
    {
        let name = self.name(named.as_ref().map(|n| n.0.as_str()), "KSTREAM-FLATMAP-");
        let stage = move |r: Record<K, V>, out: &dyn Downstream<K2, V2>| -> EdgeResult {
            for (k, v) in mapper(&r.key, &r.value) {
                out.accept(Record {
                    key: k,
                    value: v,
                    timestamp: r.timestamp,
                    headers: r.headers.clone(),
                })?;
            }
            Ok(())
        };
        self.stateless(name, stage, None, None, true)
    }
}
