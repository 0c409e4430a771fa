//! The processor of `KGroupedTable::{count, reduce, aggregate}`: subtract the
//! old row, add the new one, in one step, as Kafka Streams' `KTableAggregate`
//! and `KTableReduce`.
//!
//! The result's timestamp is the larger of the record's and the previous
//! aggregate's. An aggregate that becomes "empty" is still emitted (only an
//! aggregate with neither an old nor a new row is deleted).

use std::sync::Arc;

use streams_core::serde::SharedSerde;
use streams_core::store::{KeyValueStoreHandle, ValueAndTimestamp};
use streams_core::{ProcessResult, Processor, ProcessorContext, Record};

use super::stream_aggregate::forward_flushes;
use crate::Data;
use crate::change::Change;

/// `(key, row, aggregate) -> aggregate`.
pub(crate) type Aggregator<K, V, A> = Arc<dyn Fn(&K, &V, A) -> A + Send + Sync>;

/// `(aggregate, row) -> aggregate`.
pub(crate) type Reducer<V, A> = Arc<dyn Fn(&A, &V) -> A + Send + Sync>;

/// How a grouped-table aggregation folds values.
pub(crate) enum TableFold<K, V, A> {
    /// `aggregate(initializer, adder, subtractor)` (and `count`).
    Aggregate {
        initializer: Arc<dyn Fn() -> A + Send + Sync>,
        adder: Aggregator<K, V, A>,
        subtractor: Aggregator<K, V, A>,
    },
    /// `reduce(adder, subtractor)`: the first value is the first aggregate.
    Reduce {
        adder: Reducer<V, A>,
        subtractor: Reducer<V, A>,
        first: Arc<dyn Fn(&V) -> A + Send + Sync>,
    },
}

impl<K, V, A> Clone for TableFold<K, V, A> {
    fn clone(&self) -> Self {
        match self {
            Self::Aggregate {
                initializer,
                adder,
                subtractor,
            } => Self::Aggregate {
                initializer: Arc::clone(initializer),
                adder: Arc::clone(adder),
                subtractor: Arc::clone(subtractor),
            },
            Self::Reduce {
                adder,
                subtractor,
                first,
            } => Self::Reduce {
                adder: Arc::clone(adder),
                subtractor: Arc::clone(subtractor),
                first: Arc::clone(first),
            },
        }
    }
}

pub(crate) struct TableAggregate<K, V, A> {
    pub(crate) store_name: String,
    pub(crate) fold: TableFold<K, V, A>,
    pub(crate) key_serde: SharedSerde<K>,
    pub(crate) send_old_values: bool,
    pub(crate) store: Option<KeyValueStoreHandle<K, ValueAndTimestamp<A>>>,
    pub(crate) cached: bool,
}

impl<K: Data, V: Data, A: Data> Processor<K, Change<V>, K, Change<A>> for TableAggregate<K, V, A> {
    fn init(&mut self, ctx: &mut ProcessorContext<K, Change<A>>) -> ProcessResult {
        let store = ctx.key_value_store::<K, ValueAndTimestamp<A>>(&self.store_name)?;
        self.cached = forward_flushes(ctx, &store, self.send_old_values)?;
        self.store = Some(store);
        Ok(())
    }

    fn process(&mut self, ctx: &mut ProcessorContext<K, Change<A>>, record: Record<K, Change<V>>) -> ProcessResult {
        if self.key_serde.is_null(&record.key) {
            return Ok(());
        }
        let Some(store) = &self.store else {
            return Err("aggregate store not initialized".into());
        };
        let (old_agg, merged) = match store.get(&record.key)? {
            Some(v) => (Some(v.value), Some(v.timestamp.max(record.timestamp))),
            None => (None, None),
        };
        let mut timestamp = record.timestamp;
        // The previous aggregate is copied only when it is sent downstream.
        let sent_old = if self.send_old_values { old_agg.clone() } else { None };
        let key = &record.key;
        let intermediate = match (&record.value.old, old_agg) {
            (Some(old_value), Some(agg)) => {
                timestamp = merged.unwrap_or(timestamp);
                Some(match &self.fold {
                    TableFold::Aggregate { subtractor, .. } => subtractor(key, old_value, agg),
                    TableFold::Reduce { subtractor, .. } => subtractor(&agg, old_value),
                })
            }
            (_, agg) => agg,
        };
        let new_agg = match &record.value.new {
            Some(new_value) => {
                if let Some(merged) = merged {
                    timestamp = merged;
                }
                Some(match (&self.fold, intermediate) {
                    (TableFold::Aggregate { initializer, adder, .. }, agg) => {
                        adder(key, new_value, agg.unwrap_or_else(|| initializer()))
                    }
                    (TableFold::Reduce { adder, .. }, Some(agg)) => adder(&agg, new_value),
                    (TableFold::Reduce { first, .. }, None) => first(new_value),
                })
            }
            None => intermediate,
        };
        match &new_agg {
            Some(agg) => store.put(&record.key, &ValueAndTimestamp::new(agg.clone(), timestamp))?,
            None => {
                store.delete(&record.key)?;
            }
        }
        if !self.cached {
            ctx.forward(Record {
                key: record.key,
                value: Change::new(new_agg, sent_old),
                timestamp,
                headers: record.headers,
            })?;
        }
        Ok(())
    }
}
