//! `to_table`: a table of the latest value per key of a stream.

use std::rc::Rc;

use streams_core::{ProcessResult, Processor, ProcessorContext, Record};

use super::KStream;
use crate::SerdeData;
use crate::change::Change;
use crate::graph::NodeKind;
use crate::ktable::{KTable, OldValues, TableSource};
use crate::materialize::{StoreSpec, or_default};
use crate::options::{Materialized, Named};

/// Puts each record into the table's store, as a table source does.
struct ToTable<K, V>(TableSource<K, V>);

impl<K: SerdeData, V: SerdeData> Processor<K, V, K, Change<V>> for ToTable<K, V> {
    fn init(&mut self, ctx: &mut ProcessorContext<K, Change<V>>) -> ProcessResult {
        self.0.init(ctx)
    }

    fn process(&mut self, ctx: &mut ProcessorContext<K, Change<V>>, record: Record<K, V>) -> ProcessResult {
        let value = Some(record.value);
        self.0.process(
            ctx,
            Record {
                key: record.key,
                value,
                timestamp: record.timestamp,
                headers: record.headers,
            },
        )
    }
}

impl<K: SerdeData, V: SerdeData> KStream<K, V> {
    /// The table of each key's latest value (repartitioned first if a key
    /// change came before), materialized in a store when `materialized` names
    /// one or an operation downstream needs old values.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let builder = StreamsBuilder::new();
    /// let latest = builder.stream::<String, i64>("readings").to_table(Materialized::as_("latest"));
    /// latest.to_stream().to("latest-readings");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, i64>("readings");
    /// input.pipe_input("s1".into(), 20)?;
    /// input.pipe_input("s1".into(), 21)?;
    /// let store = driver.timestamped_key_value_store::<String, i64>("latest")?;
    /// assert_eq!(store.get(&"s1".to_string())?.map(|v| v.value), Some(21));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_table(&self, materialized: Materialized<K, V>) -> KTable<K, V> {
        self.to_table_named(None, materialized)
    }

    /// [`to_table`](Self::to_table), with the processor named.
    pub fn to_table_named(&self, named: Option<Named>, materialized: Materialized<K, V>) -> KTable<K, V> {
        let name = self.name(named.as_ref().map(|n| n.0.as_str()), "KSTREAM-TOTABLE-");
        let store_name = match &materialized.name {
            Some(n) => n.clone(),
            None => self.graph.borrow_mut().names.store("KSTREAM-TOTABLE-"),
        };
        let key_serde = or_default(self.key_serde.clone());
        let value_serde = or_default(self.value_serde.clone());
        let parent = self.repartitioned_for(&name, &key_serde, &value_serde);
        let spec = StoreSpec::new(store_name.clone(), &materialized, key_serde, value_serde);
        let (table_keys, table_values) = (spec.key_serde.clone(), spec.value_serde.clone());
        let old_values = OldValues::source(materialized.name.is_some());
        let flag = old_values.clone();
        let queryable = materialized.name.clone();
        let queryable_flag = queryable.is_some();
        let lower = Box::new(
            move |topology: &mut streams_core::Topology, ctx: &crate::graph::LowerCtx<'_>| {
                let send_old_values = flag.enabled();
                // Materialized only when queryable or asked for old values, as Kafka Streams.
                let materialize = queryable_flag || send_old_values;
                let store_name = materialize.then(|| spec.name.clone());
                topology.add_processor(
                    ctx.name,
                    move || {
                        ToTable(TableSource::<K, V> {
                            store_name: store_name.clone(),
                            send_old_values,
                            store: None,
                            cached: false,
                        })
                    },
                    ctx.parents(),
                )?;
                if materialize {
                    topology.add_state_store(spec.builder(true), &[ctx.name])?;
                }
                Ok(())
            },
        );
        let node = self
            .graph
            .borrow_mut()
            .add(name, vec![parent], NodeKind::Processor { lower });
        KTable::new(
            Rc::clone(&self.graph),
            node,
            Some(table_keys),
            Some(table_values),
            old_values,
            queryable,
        )
    }
}
