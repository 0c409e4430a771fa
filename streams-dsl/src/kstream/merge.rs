//! `merge`: one stream of the records of two.

use std::rc::Rc;

use streams_core::Record;
use streams_core::processor::{Downstream, EdgeResult};

use super::{KStream, add_stateless};
use crate::Data;
use crate::options::Named;

impl<K: Data, V: Data> KStream<K, V> {
    /// The records of this stream and of `other`, interleaved as they are
    /// processed. Needs a repartition later if either side did.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    ///
    /// let builder = StreamsBuilder::new();
    /// let a = builder.stream::<String, String>("a");
    /// let b = builder.stream::<String, String>("b");
    /// a.merge(&b).to("both");
    /// let text = builder.build()?.describe().to_string();
    /// assert!(text.contains("Processor: KSTREAM-MERGE-0000000002 (stores: [])"));
    /// # Ok::<(), streams_core::TopologyError>(())
    /// ```
    pub fn merge(&self, other: &KStream<K, V>) -> KStream<K, V> {
        self.merge_named(other, None)
    }

    /// [`merge`](Self::merge), with the processor named.
    pub fn merge_named(&self, other: &KStream<K, V>, named: Option<Named>) -> KStream<K, V> {
        let name = self.name(named.as_ref().map(|n| n.0.as_str()), "KSTREAM-MERGE-");
        let stage = |r: Record<K, V>, out: &dyn Downstream<K, V>| -> EdgeResult { out.accept(r) };
        let node = add_stateless(&self.graph, name, vec![self.node, other.node], stage);
        KStream::new(
            Rc::clone(&self.graph),
            node,
            self.key_serde.clone().or_else(|| other.key_serde.clone()),
            self.value_serde.clone().or_else(|| other.value_serde.clone()),
            self.repartition_required || other.repartition_required,
        )
    }
}
