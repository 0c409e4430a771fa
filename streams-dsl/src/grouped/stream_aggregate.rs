//! The processor of `KGroupedStream::{count, reduce, aggregate}`: one step
//! function folds a record into the key's aggregate in a timestamped store.
//!
//! Records with a null key or value are skipped (Kafka Streams). The result's
//! timestamp is the larger of the record's and the previous aggregate's. With
//! caching on, results leave through the store's flush listener (one per key
//! per commit); without, one per record.

use std::sync::Arc;

use streams_core::serde::SharedSerde;
use streams_core::store::{FlushedRecord, KeyValueStoreHandle, ValueAndTimestamp};
use streams_core::{ProcessResult, Processor, ProcessorContext, Record};

use crate::Data;
use crate::change::Change;

/// `(key, value, previous aggregate or None) -> new aggregate`.
pub(crate) type Step<K, V, A> = Arc<dyn Fn(&K, &V, Option<A>) -> A + Send + Sync>;

/// `count`: one more per record.
pub(crate) fn count_step<K, V>() -> Step<K, V, i64> {
    Arc::new(|_, _, agg| agg.unwrap_or(0) + 1)
}

/// `reduce`: the first value, then `reducer(aggregate, value)`.
pub(crate) fn reduce_step<K, V: Clone>(reducer: impl Fn(&V, &V) -> V + Send + Sync + 'static) -> Step<K, V, V> {
    Arc::new(move |_, v, agg| match agg {
        None => v.clone(),
        Some(a) => reducer(&a, v),
    })
}

/// `aggregate`: `aggregator(key, value, aggregate)`, from `initializer()`.
pub(crate) fn aggregate_step<K, V, A>(
    initializer: impl Fn() -> A + Send + Sync + 'static,
    aggregator: impl Fn(&K, &V, A) -> A + Send + Sync + 'static,
) -> Step<K, V, A> {
    Arc::new(move |k, v, agg| aggregator(k, v, agg.unwrap_or_else(&initializer)))
}

pub(crate) struct StreamAggregate<K, V, A> {
    pub(crate) store_name: String,
    pub(crate) step: Step<K, V, A>,
    pub(crate) key_serde: SharedSerde<K>,
    pub(crate) value_serde: SharedSerde<V>,
    pub(crate) send_old_values: bool,
    pub(crate) store: Option<KeyValueStoreHandle<K, ValueAndTimestamp<A>>>,
    /// Whether the store caches (results are forwarded on flush).
    pub(crate) cached: bool,
}

/// Forwards what a caching store flushes, as table changes.
pub(crate) fn forward_flushes<K: Data, A: Data>(
    ctx: &ProcessorContext<K, Change<A>>,
    store: &KeyValueStoreHandle<K, ValueAndTimestamp<A>>,
    send_old_values: bool,
) -> Result<bool, streams_core::StreamsError> {
    let forwarder = ctx.forwarder();
    let listener = Box::new(move |f: FlushedRecord<K, ValueAndTimestamp<A>>| {
        // The result carries the aggregate's own timestamp (the max rule);
        // a delete, the time of the write that deleted.
        let timestamp = f.new_value.as_ref().map_or(f.timestamp, |v| v.timestamp);
        let change = Change::new(
            f.new_value.map(|v| v.value),
            if send_old_values {
                f.old_value.map(|v| v.value)
            } else {
                None
            },
        );
        forwarder.forward(Record::new(f.key, change, timestamp))
    });
    Ok(store.write()?.set_flush_listener(listener, send_old_values))
}

impl<K: Data, V: Data, A: Data> Processor<K, V, K, Change<A>> for StreamAggregate<K, V, A> {
    fn init(&mut self, ctx: &mut ProcessorContext<K, Change<A>>) -> ProcessResult {
        let store = ctx.key_value_store::<K, ValueAndTimestamp<A>>(&self.store_name)?;
        self.cached = forward_flushes(ctx, &store, self.send_old_values)?;
        self.store = Some(store);
        Ok(())
    }

    fn process(&mut self, ctx: &mut ProcessorContext<K, Change<A>>, record: Record<K, V>) -> ProcessResult {
        if self.key_serde.is_null(&record.key) || self.value_serde.is_null(&record.value) {
            return Ok(());
        }
        let Some(store) = &self.store else {
            return Err("aggregate store not initialized".into());
        };
        let old = store.get(&record.key)?;
        let (previous, timestamp) = match old {
            Some(ValueAndTimestamp { value, timestamp }) => (Some(value), timestamp.max(record.timestamp)),
            None => (None, record.timestamp),
        };
        let old_value = if self.send_old_values { previous.clone() } else { None };
        let new = (self.step)(&record.key, &record.value, previous);
        store.put(&record.key, &ValueAndTimestamp::new(new.clone(), timestamp))?;
        if !self.cached {
            ctx.forward(Record {
                key: record.key,
                value: Change::new(Some(new), old_value),
                timestamp,
                headers: record.headers,
            })?;
        }
        Ok(())
    }
}
