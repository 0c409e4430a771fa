//! `group_by`: group by a new key (a key change: the aggregation repartitions).

use super::KStream;
use crate::Data;
use crate::grouped::KGroupedStream;
use crate::options::{Grouped, Named};

impl<K: Data, V: Data> KStream<K, V> {
    /// Groups by the key `selector` computes; the aggregation that follows
    /// reads through a repartition topic.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .stream::<String, String>("lines")
    ///     .flat_map_values(|v| v.split(' ').map(str::to_owned).collect::<Vec<_>>())
    ///     .group_by(|_, w| w.clone())
    ///     .count()
    ///     .to_stream()
    ///     .to("counts");
    /// let text = builder.build()?.describe().to_string();
    /// assert!(text.contains("(topic: KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition)"));
    /// # Ok::<(), streams_core::TopologyError>(())
    /// ```
    pub fn group_by<K2: Data>(&self, selector: impl Fn(&K, &V) -> K2 + Send + Sync + 'static) -> KGroupedStream<K2, V> {
        self.group_by_with(selector, Grouped::new())
    }

    /// [`group_by`](Self::group_by) with serdes or a name (which names the
    /// key-selecting processor and the repartition topic).
    pub fn group_by_with<K2: Data>(
        &self,
        selector: impl Fn(&K, &V) -> K2 + Send + Sync + 'static,
        grouped: Grouped<K2, V>,
    ) -> KGroupedStream<K2, V> {
        let keyed = self.select_key_named(selector, grouped.name.clone().map(Named::as_));
        KGroupedStream { stream: keyed, grouped }
    }
}
