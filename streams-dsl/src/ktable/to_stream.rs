//! KTable `to_stream`: the stream of the table's updates (new values; `None`
//! for deletes).

use streams_core::Record;
use streams_core::processor::{Downstream, EdgeResult};

use super::KTable;
use crate::Data;
use crate::change::Change;
use crate::kstream::{KStream, add_stateless};
use crate::options::Named;

impl<K: Data, V: Data> KTable<K, V> {
    /// The table's updates as a stream: each row's new value, `None` when the
    /// row was deleted.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder.table::<String, String>("t", Materialized::new()).to_stream().to("changes");
    /// assert!(builder.build()?.describe().to_string().contains("KTABLE-TOSTREAM-0000000003"));
    /// # Ok::<(), streams_core::TopologyError>(())
    /// ```
    pub fn to_stream(&self) -> KStream<K, Option<V>> {
        self.to_stream_named(None)
    }

    /// [`to_stream`](Self::to_stream), with the processor named.
    pub fn to_stream_named(&self, named: Option<Named>) -> KStream<K, Option<V>> {
        let name = self.name(named.as_ref().map(|n| n.0.as_str()), "KTABLE-TOSTREAM-");
        let stage = |r: Record<K, Change<V>>, out: &dyn Downstream<K, Option<V>>| -> EdgeResult {
            out.accept(Record {
                key: r.key,
                value: r.value.new,
                timestamp: r.timestamp,
                headers: r.headers,
            })
        };
        let node = add_stateless(&self.graph, name, vec![self.node], stage);
        KStream::new(
            std::rc::Rc::clone(&self.graph),
            node,
            self.key_serde.clone(),
            self.value_serde.clone().map(|s| {
                std::sync::Arc::new(streams_core::OptionSerde(s)) as streams_core::serde::SharedSerde<Option<V>>
            }),
            false,
        )
    }
}
