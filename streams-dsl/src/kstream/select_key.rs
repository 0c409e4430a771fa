//! `select_key`: a new key per record (marks the stream for repartitioning).

use streams_core::Record;
use streams_core::processor::{Downstream, EdgeResult};

use super::KStream;
use crate::Data;
use crate::options::Named;

impl<K: Data, V: Data> KStream<K, V> {
    /// Gives each record a new key computed from it; values are kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder.stream::<String, String>("in").select_key(|_, v| v.clone()).to("by-value");
    /// assert!(builder.build()?.describe().to_string().contains("KSTREAM-KEY-SELECT-0000000001"));
    /// # Ok::<(), streams_core::TopologyError>(())
    /// ```
    pub fn select_key<K2: Data>(&self, selector: impl Fn(&K, &V) -> K2 + Send + Sync + 'static) -> KStream<K2, V> {
        self.select_key_named(selector, None)
    }

    /// [`select_key`](Self::select_key), with the processor named.
    pub fn select_key_named<K2: Data>(
        &self,
        selector: impl Fn(&K, &V) -> K2 + Send + Sync + 'static,
        named: Option<Named>,
    ) -> KStream<K2, V> {
        let name = self.name(named.as_ref().map(|n| n.0.as_str()), "KSTREAM-KEY-SELECT-");
        let stage = move |r: Record<K, V>, out: &dyn Downstream<K2, V>| -> EdgeResult {
            let k = selector(&r.key, &r.value);
            out.accept(r.with_key(k))
        };
        self.stateless(name, stage, None, self.value_serde.clone(), true)
    }
}
