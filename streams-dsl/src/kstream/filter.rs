//! `filter` / `filter_not`: keep the records a predicate accepts (rejects).

use streams_core::Record;
use streams_core::processor::{Downstream, EdgeResult};

use super::KStream;
use crate::Data;
use crate::options::Named;

impl<K: Data, V: Data> KStream<K, V> {
    /// The records for which `predicate` holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder.stream::<String, i64>("in").filter(|_, v| *v > 0).to("positive");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, i64>("in");
    /// input.pipe_input("a".into(), -1)?;
    /// input.pipe_input("b".into(), 2)?;
    /// let out = driver.create_output_topic::<String, i64>("positive");
    /// assert_eq!(out.read_key_values_to_list()?, vec![("b".to_string(), 2)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn filter(&self, predicate: impl Fn(&K, &V) -> bool + Send + Sync + 'static) -> KStream<K, V> {
        self.filter_impl(predicate, false, None)
    }

    /// [`filter`](Self::filter), with the processor named.
    pub fn filter_named(
        &self,
        predicate: impl Fn(&K, &V) -> bool + Send + Sync + 'static,
        named: Named,
    ) -> KStream<K, V> {
        self.filter_impl(predicate, false, Some(named))
    }

    /// The records for which `predicate` does not hold.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder.stream::<String, String>("in").filter_not(|_, v| v.is_empty()).to("out");
    /// assert!(builder.build()?.describe().to_string().contains("KSTREAM-FILTER-0000000001"));
    /// # Ok::<(), streams_core::TopologyError>(())
    /// ```
    pub fn filter_not(&self, predicate: impl Fn(&K, &V) -> bool + Send + Sync + 'static) -> KStream<K, V> {
        self.filter_impl(predicate, true, None)
    }

    fn filter_impl(
        &self,
        predicate: impl Fn(&K, &V) -> bool + Send + Sync + 'static,
        negate: bool,
        named: Option<Named>,
    ) -> KStream<K, V> {
        let name = self.name(named.as_ref().map(|n| n.0.as_str()), "KSTREAM-FILTER-");
        let stage = move |r: Record<K, V>, out: &dyn Downstream<K, V>| -> EdgeResult {
            if predicate(&r.key, &r.value) != negate {
                out.accept(r)
            } else {
                Ok(())
            }
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
