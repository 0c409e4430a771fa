//! The table source (`builder.table()`): emits each update of a topic as a
//! change; a null value deletes the key. As in Kafka Streams, the table is
//! materialized in a store only when it is queryable (a named
//! `Materialized`) or something downstream needs its old values.

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

/// Puts each update into the store (when materialized) and forwards it as a
/// change.
pub(crate) struct TableSource<K, V> {
    /// `None`: not materialized (no old values, nothing to query).
    pub(crate) store_name: Option<String>,
    pub(crate) send_old_values: bool,
    pub(crate) store: Option<KeyValueStoreHandle<K, ValueAndTimestamp<V>>>,
    pub(crate) cached: bool,
}

impl<K: SerdeData, V: SerdeData> Processor<K, Option<V>, K, Change<V>> for TableSource<K, V> {
    fn init(&mut self, ctx: &mut ProcessorContext<K, Change<V>>) -> ProcessResult {
        if let Some(name) = &self.store_name {
            let store = ctx.key_value_store::<K, ValueAndTimestamp<V>>(name)?;
            self.cached = forward_flushes(ctx, &store, self.send_old_values)?;
            self.store = Some(store);
        }
        Ok(())
    }

    fn process(&mut self, ctx: &mut ProcessorContext<K, Change<V>>, record: Record<K, Option<V>>) -> ProcessResult {
        let Some(store) = &self.store else {
            // Not materialized: the update passes through as it is.
            ctx.forward(Record {
                key: record.key,
                value: Change::new(record.value, None),
                timestamp: record.timestamp,
                headers: record.headers,
            })?;
            return Ok(());
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

/// The table source as lowered from `builder.table()`: keys arrive as
/// `Option`s so that a null key is skipped (counted as dropped, as Kafka
/// Streams does) rather than failing deserialization.
struct SkipNullKeys<K, V>(TableSource<K, V>);

impl<K: SerdeData, V: SerdeData> Processor<Option<K>, Option<V>, K, Change<V>> for SkipNullKeys<K, V> {
    fn init(&mut self, ctx: &mut ProcessorContext<K, Change<V>>) -> ProcessResult {
        self.0.init(ctx)
    }

    fn process(
        &mut self,
        ctx: &mut ProcessorContext<K, Change<V>>,
        record: Record<Option<K>, Option<V>>,
    ) -> ProcessResult {
        let Some(key) = record.key else {
            tracing::debug!(node = ctx.node_name(), "skipping a table update with a null key");
            ctx.record_dropped();
            return Ok(());
        };
        self.0.process(
            ctx,
            Record {
                key,
                value: record.value,
                timestamp: record.timestamp,
                headers: record.headers,
            },
        )
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
    // As Kafka Streams: a `Consumed` name `n` names the table source
    // processor `n` and the topic source `n-table-source`.
    let source_name = g
        .names
        .suffixed_or_processor(consumed.name.as_deref(), "-table-source", "KSTREAM-SOURCE-");
    let table_name = g.names.or_processor(consumed.name.as_deref(), "KTABLE-SOURCE-");
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
            let mut spec = Source::with_serdes(source_topic.as_str(), OptionSerde(ks.clone()), OptionSerde(vs.clone()));
            if let Some(e) = &extractor {
                spec = spec.with_timestamp_extractor(e.clone().for_nullable_records());
            }
            if let Some(r) = offset_reset {
                spec = spec.with_offset_reset(r);
            }
            topology.add_source(ctx.name, spec)?;
            Ok(())
        },
    );
    let source = g.add(source_name, Vec::new(), NodeKind::Source { lower: source_lower });
    let old_values = OldValues::source(materialized.name.is_some());
    let flag = old_values.clone();
    let changelog_topic = topic.to_owned();
    let table_keys = spec.key_serde.clone();
    let table_values = spec.value_serde.clone();
    let queryable = materialized.name.clone();
    let queryable_flag = queryable.is_some();
    let lower = Box::new(
        move |topology: &mut streams_core::Topology, ctx: &crate::graph::LowerCtx<'_>, source_changelog: bool| {
            let send_old_values = flag.enabled();
            let materialize = queryable_flag || send_old_values;
            let store_name = materialize.then(|| spec.name.clone());
            topology.add_processor(
                ctx.name,
                move || {
                    SkipNullKeys(TableSource::<K, V> {
                        store_name: store_name.clone(),
                        send_old_values,
                        store: None,
                        cached: false,
                    })
                },
                ctx.parents(),
            )?;
            if !materialize {
                return Ok(());
            }
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
        queryable,
    )
}
