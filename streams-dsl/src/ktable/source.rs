//! The table source (`builder.table()`): materializes a topic into a store
//! and emits each update as a change. A null value deletes the key.

use std::rc::Rc;

use streams_core::serde::SharedSerde;
use streams_core::store::{KeyValueStoreHandle, ValueAndTimestamp};
use streams_core::{OptionSerde, ProcessResult, Processor, ProcessorContext, Record, Source};

use super::{KTable, OldValues};
use crate::SerdeData;
use crate::change::Change;
use crate::graph::{NodeKind, SharedGraph};
use crate::grouped::forward_flushes;
use crate::materialize::{StoreSpec, or_default};
use crate::options::{Consumed, Materialized};
use crate::source_changelog::SourceChangelogBuilder;

/// Puts each update into the store and forwards it as a change.
pub(crate) struct TableSource<K, V> {
    pub(crate) store_name: String,
    pub(crate) send_old_values: bool,
    pub(crate) store: Option<KeyValueStoreHandle<K, ValueAndTimestamp<V>>>,
    pub(crate) cached: bool,
}

impl<K: SerdeData, V: SerdeData> Processor<K, Option<V>, K, Change<V>> for TableSource<K, V> {
    fn init(&mut self, ctx: &mut ProcessorContext<K, Change<V>>) -> ProcessResult {
        let store = ctx.key_value_store::<K, ValueAndTimestamp<V>>(&self.store_name)?;
        self.cached = forward_flushes(ctx, &store, self.send_old_values)?;
        self.store = Some(store);
        Ok(())
    }

    fn process(&mut self, ctx: &mut ProcessorContext<K, Change<V>>, record: Record<K, Option<V>>) -> ProcessResult {
        let Some(store) = &self.store else {
            return Err("table source store not initialized".into());
        };
        // The old value costs a store read: only when someone downstream asked.
        let old = if self.send_old_values && !self.cached {
            store.get(&record.key)?.map(|v| v.value)
        } else {
            None
        };
        match &record.value {
            Some(v) => store.put(&record.key, &ValueAndTimestamp::new(v.clone(), record.timestamp))?,
            None => {
                store.delete(&record.key)?;
            }
        }
        if !self.cached {
            ctx.forward(Record {
                key: record.key,
                value: Change::new(record.value, old),
                timestamp: record.timestamp,
                headers: record.headers,
            })?;
        }
        Ok(())
    }
}

/// `builder.table(topic)`: the store's name is taken first (as Kafka
/// Streams: `<topic>-STATE-STORE-<n>`), then the source's, then the table
/// source's.
pub(crate) fn table_source<K: SerdeData, V: SerdeData>(
    graph: &SharedGraph,
    topic: &str,
    consumed: Consumed<K, V>,
    materialized: Materialized<K, V>,
) -> KTable<K, V> {
    let mut g = graph.borrow_mut();
    let store_name = match &materialized.name {
        Some(n) => n.clone(),
        None => g.names.store(&format!("{topic}-")),
    };
    let source_name = g.names.or_processor(consumed.name.as_deref(), "KSTREAM-SOURCE-");
    let table_name = match &consumed.name {
        Some(n) => format!("{n}-table-source"),
        None => g.names.processor("KTABLE-SOURCE-"),
    };
    let key_serde: SharedSerde<K> = or_default(consumed.key_serde.clone());
    let value_serde: SharedSerde<V> = or_default(consumed.value_serde.clone());
    let spec = StoreSpec::new(
        store_name.clone(),
        &materialized,
        key_serde.clone(),
        value_serde.clone(),
    );
    let source_topic = topic.to_owned();
    let (ks, vs) = (key_serde.clone(), value_serde.clone());
    let extractor = consumed.extractor.clone();
    let offset_reset = consumed.offset_reset;
    let source_lower = Box::new(
        move |topology: &mut streams_core::Topology, ctx: &crate::graph::LowerCtx<'_>| {
            let mut spec = Source::with_serdes(source_topic.as_str(), ks.clone(), OptionSerde(vs.clone()));
            if let Some(e) = &extractor {
                spec = spec.with_timestamp_extractor(e.clone().for_nullable_values());
            }
            if let Some(r) = offset_reset {
                spec = spec.with_offset_reset(r);
            }
            topology.add_source(ctx.name, spec)?;
            Ok(())
        },
    );
    let source = g.add(source_name, Vec::new(), NodeKind::Source { lower: source_lower });
    let old_values = OldValues::root();
    let flag = old_values.clone();
    let changelog_topic = topic.to_owned();
    let table_keys = spec.key_serde.clone();
    let table_values = spec.value_serde.clone();
    let lower = Box::new(
        move |topology: &mut streams_core::Topology, ctx: &crate::graph::LowerCtx<'_>, source_changelog: bool| {
            let store_name = spec.name.clone();
            let send_old_values = flag.enabled();
            topology.add_processor(
                ctx.name,
                move || TableSource::<K, V> {
                    store_name: store_name.clone(),
                    send_old_values,
                    store: None,
                    cached: false,
                },
                ctx.parents(),
            )?;
            if source_changelog && spec.logging.is_some() {
                let builder = SourceChangelogBuilder::new(spec.builder(false), changelog_topic.clone());
                topology.add_state_store(builder, &[ctx.name])?;
            } else {
                topology.add_state_store(spec.builder(true), &[ctx.name])?;
            }
            Ok(())
        },
    );
    let node = g.add(table_name, vec![source], NodeKind::TableSource { lower });
    drop(g);
    KTable::new(
        Rc::clone(graph),
        node,
        Some(table_keys),
        Some(table_values),
        old_values,
        Some(store_name),
    )
}
