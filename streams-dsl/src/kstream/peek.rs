//! `peek`: look at each record and pass it on unchanged.

use streams_core::Record;
use streams_core::processor::{Downstream, EdgeResult};

use super::KStream;
use crate::Data;
use crate::options::Named;

impl<K: Data, V: Data> KStream<K, V> {
    /// Calls `action` on each record, then passes it on unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let seen = Arc::new(AtomicUsize::new(0));
    /// let counter = Arc::clone(&seen);
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .stream::<String, String>("in")
    ///     .peek(move |_, _| { counter.fetch_add(1, Ordering::Relaxed); })
    ///     .to("out");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// driver.create_input_topic::<String, String>("in").pipe_input("k".into(), "v".into())?;
    /// assert_eq!(seen.load(Ordering::Relaxed), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn peek(&self, action: impl Fn(&K, &V) + Send + Sync + 'static) -> KStream<K, V> {
        self.peek_named(action, None)
    }

    /// [`peek`](Self::peek), with the processor named.
    pub fn peek_named(&self, action: impl Fn(&K, &V) + Send + Sync + 'static, named: Option<Named>) -> KStream<K, V> {
        let name = self.name(named.as_ref().map(|n| n.0.as_str()), "KSTREAM-PEEK-");
        let stage = move |r: Record<K, V>, out: &dyn Downstream<K, V>| -> EdgeResult {
            action(&r.key, &r.value);
            out.accept(r)
        };
        self.stateless(
            name,
            stage,
            self.key_serde.clone(),
            self.value_serde.clone(),
            self.repartition_required,
        )
    }
}
