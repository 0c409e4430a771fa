//! KTable `group_by`: re-key each row for a [`KGroupedTable`] aggregation.
//!
//! Each update becomes, for the aggregation: a subtraction of the old row
//! from its old group, then an addition of the new row to its new group. When
//! both land on the same group they travel as one change, so the aggregation
//! emits one result (Kafka Streams 3.x).

use streams_core::Record;
use streams_core::processor::{Downstream, EdgeResult};

use super::KTable;
use crate::Data;
use crate::change::Change;
use crate::grouped::KGroupedTable;
use crate::kstream::add_stateless;
use crate::options::Grouped;

impl<K: Data, V: Data> KTable<K, V> {
    /// Groups rows by the key (and value) `selector` computes; the
    /// aggregation that follows reads through a repartition topic and
    /// subtracts rows that leave a group.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// // user -> region; count users per region.
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .table::<String, String>("user-regions", Materialized::new())
    ///     .group_by(|_, region| (region.clone(), 1i64))
    ///     .count()
    ///     .to_stream()
    ///     .to("users-per-region");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, String>("user-regions");
    /// input.pipe_input("alice".into(), "eu".into())?;
    /// input.pipe_input("alice".into(), "us".into())?;
    /// let out = driver.create_output_topic::<String, Option<i64>>("users-per-region");
    /// assert_eq!(
    ///     out.read_key_values_to_list()?,
    ///     [("eu".to_string(), Some(1)), ("eu".to_string(), Some(0)), ("us".to_string(), Some(1))]
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn group_by<K2: Data + PartialEq, V2: Data>(
        &self,
        selector: impl Fn(&K, &V) -> (K2, V2) + Send + Sync + 'static,
    ) -> KGroupedTable<K2, V2> {
        self.group_by_with(selector, Grouped::new())
    }

    /// [`group_by`](Self::group_by) with serdes or a name (which names the
    /// selecting processor and the repartition topic).
    pub fn group_by_with<K2: Data + PartialEq, V2: Data>(
        &self,
        selector: impl Fn(&K, &V) -> (K2, V2) + Send + Sync + 'static,
        grouped: Grouped<K2, V2>,
    ) -> KGroupedTable<K2, V2> {
        let name = self.name(grouped.name.as_deref(), "KTABLE-SELECT-");
        // The subtraction needs the old row.
        self.old_values.enable();
        let stage = move |r: Record<K, Change<V>>, out: &dyn Downstream<K2, Change<V2>>| -> EdgeResult {
            let old = r.value.old.as_ref().map(|v| selector(&r.key, v));
            let new = r.value.new.as_ref().map(|v| selector(&r.key, v));
            let emit = |key: K2, change: Change<V2>, out: &dyn Downstream<K2, Change<V2>>| {
                out.accept(Record {
                    key,
                    value: change,
                    timestamp: r.timestamp,
                    headers: r.headers.clone(),
                })
            };
            match (old, new) {
                (Some((ok, ov)), Some((nk, nv))) if ok == nk => emit(nk, Change::new(Some(nv), Some(ov)), out),
                (old, new) => {
                    if let Some((ok, ov)) = old {
                        emit(ok, Change::new(None, Some(ov)), out)?;
                    }
                    if let Some((nk, nv)) = new {
                        emit(nk, Change::new(Some(nv), None), out)?;
                    }
                    Ok(())
                }
            }
        };
        let node = add_stateless(&self.graph, name, vec![self.node], stage);
        KGroupedTable::new(std::rc::Rc::clone(&self.graph), node, grouped)
    }
}
