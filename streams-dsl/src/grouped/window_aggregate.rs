//! The processor of `TimeWindowedKStream::{count, reduce, aggregate}`:
//! folds each record into every time window that holds it, in a timestamped
//! window store.
//!
//! Per record (Kafka Streams' `KStreamWindowAggregate`): records with a null
//! key or value are dropped; the processor's own stream time advances with
//! the record; each window of the record (ascending start) is updated iff
//! `end > stream_time - grace`, else that update is dropped and counted in
//! the task's dropped-records metric. A result's timestamp is the largest
//! record timestamp in its window.
//!
//! On [`EmitStrategy::OnWindowUpdate`] every update is forwarded (through the
//! store's cache when it has one). On [`EmitStrategy::OnWindowClose`] nothing
//! is forwarded on update; each window is forwarded once, when stream time
//! reaches `end + grace`, ordered by window start, then key bytes.

use streams_core::serde::SharedSerde;
use streams_core::store::{FlushedRecord, ValueAndTimestamp, Window, WindowStoreHandle, Windowed};
use streams_core::{Headers, ProcessResult, Processor, ProcessorContext, Record, StreamsConfig, StreamsError};

use super::stream_aggregate::Step;
use crate::Data;
use crate::change::Change;
use crate::windows::{EmitStrategy, TimeWindows, UnlimitedWindows};

/// The time windows an aggregation can use.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TimeWindowDef {
    Fixed(TimeWindows),
    Unlimited(UnlimitedWindows),
}

impl TimeWindowDef {
    pub(crate) fn size(&self) -> i64 {
        match self {
            Self::Fixed(w) => w.size_ms(),
            Self::Unlimited(_) => i64::MAX,
        }
    }

    pub(crate) fn grace(&self) -> i64 {
        match self {
            Self::Fixed(w) => w.grace_ms(),
            Self::Unlimited(_) => 0,
        }
    }

    /// The windows holding `timestamp`, ascending, without allocating.
    fn windows_for(&self, timestamp: i64) -> impl Iterator<Item = Window> + use<> {
        let (fixed, unlimited) = match self {
            Self::Fixed(w) => (Some(w.windows_for(timestamp)), None),
            Self::Unlimited(w) => (None, Some(w.windows_for(timestamp))),
        };
        fixed.into_iter().flatten().chain(unlimited.into_iter().flatten())
    }
}

pub(crate) struct WindowAggregate<K, V, A> {
    pub(crate) store_name: String,
    pub(crate) windows: TimeWindowDef,
    pub(crate) step: Step<K, V, A>,
    pub(crate) key_serde: SharedSerde<K>,
    pub(crate) value_serde: SharedSerde<V>,
    pub(crate) emit: EmitStrategy,
    pub(crate) send_old_values: bool,
    pub(crate) store: Option<WindowStoreHandle<K, ValueAndTimestamp<A>>>,
    pub(crate) cached: bool,
    /// This processor's stream time (-1 before the first record).
    pub(crate) observed: i64,
    /// The close time up to which windows were emitted (on window close).
    pub(crate) emitted_up_to: i64,
    pub(crate) throttle: EmitThrottle,
}

impl<K: Data, V: Data, A: Data> WindowAggregate<K, V, A> {
    pub(crate) fn new(
        store_name: String,
        windows: TimeWindowDef,
        step: Step<K, V, A>,
        key_serde: SharedSerde<K>,
        value_serde: SharedSerde<V>,
        emit: EmitStrategy,
        send_old_values: bool,
    ) -> Self {
        Self {
            store_name,
            windows,
            step,
            key_serde,
            value_serde,
            emit,
            send_old_values,
            store: None,
            cached: false,
            observed: -1,
            emitted_up_to: -1,
            throttle: EmitThrottle::default(),
        }
    }

    fn store(&self) -> Result<&WindowStoreHandle<K, ValueAndTimestamp<A>>, StreamsError> {
        self.store.as_ref().ok_or_else(|| StreamsError::StoreNotConnected {
            node: "window aggregate".into(),
            store: self.store_name.clone(),
        })
    }
}

/// Kafka Streams' throttle on emitting final results: a look for closed
/// windows happens at most once per interval of wall-clock time
/// (`__emit.interval.ms.kstreams.windowed.aggregation__`, 1000 ms by
/// default, 0 in the test driver), and each look, closed windows or not,
/// starts the next interval.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EmitThrottle {
    interval: i64,
    next: i64,
}

impl Default for EmitThrottle {
    fn default() -> Self {
        Self {
            interval: 1_000,
            next: 0,
        }
    }
}

impl EmitThrottle {
    /// The throttle the application's configuration asks for.
    pub(crate) fn from_config(config: &StreamsConfig) -> Result<Self, StreamsError> {
        let key = streams_core::config::keys::EMIT_INTERVAL_MS_WINDOWED_AGGREGATION;
        let interval = match config.get(key) {
            None => Self::default().interval,
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| StreamsError::Config {
                    key: key.to_owned(),
                    reason: format!("{v:?} is not a number of milliseconds"),
                })?,
        };
        Ok(Self { interval, next: 0 })
    }

    /// Whether to look now (`now`: the wall clock).
    pub(crate) fn allow(&mut self, now: i64) -> bool {
        if now < self.next {
            return false;
        }
        self.next = now.saturating_add(self.interval);
        true
    }
}

/// Forwards every window of `store` that closed since the last call: those
/// with `emitted_up_to < end <= close`, where `end = start + size`; ordered
/// by start, then key bytes (Kafka's order). Runs after the current
/// record's updates, as Kafka Streams' does; results carry that record's
/// headers.
pub(crate) fn emit_closed_windows<K: Data, A: Data>(
    ctx: &ProcessorContext<Windowed<K>, Change<A>>,
    store: &WindowStoreHandle<K, ValueAndTimestamp<A>>,
    size: i64,
    emitted_up_to: &mut i64,
    close: i64,
    headers: &Headers,
) -> ProcessResult {
    if close <= *emitted_up_to {
        return Ok(());
    }
    let last_start = close.saturating_sub(size);
    if last_start < 0 {
        return Ok(());
    }
    let first_start = emitted_up_to.saturating_sub(size).saturating_add(1).max(0);
    let mut closed: Vec<(Windowed<K>, ValueAndTimestamp<A>)> = store
        .read()?
        .fetch_all(first_start, last_start)?
        .collect::<Result<_, _>>()?;
    // The store orders by segment, then key bytes; a stable sort by start
    // keeps the key order within each start.
    closed.sort_by_key(|(k, _)| k.window.start);
    *emitted_up_to = close;
    for (key, v) in closed {
        ctx.forward(Record {
            key,
            value: Change::new(Some(v.value), None),
            timestamp: v.timestamp,
            headers: headers.clone(),
        })?;
    }
    Ok(())
}

/// Forwards what a caching window store flushes, as windowed table changes.
pub(crate) fn forward_window_flushes<K: Data, A: Data>(
    ctx: &ProcessorContext<Windowed<K>, Change<A>>,
    store: &WindowStoreHandle<K, ValueAndTimestamp<A>>,
    send_old_values: bool,
) -> Result<bool, StreamsError> {
    let forwarder = ctx.forwarder();
    let listener = Box::new(move |f: FlushedRecord<Windowed<K>, ValueAndTimestamp<A>>| {
        let timestamp = f.new_value.as_ref().map_or(f.timestamp, |v| v.timestamp);
        let old = if send_old_values {
            f.old_value.map(|v| v.value)
        } else {
            None
        };
        forwarder.forward(Record::new(
            f.key,
            Change::new(f.new_value.map(|v| v.value), old),
            timestamp,
        ))
    });
    Ok(store.write()?.set_flush_listener(listener, send_old_values))
}

/// The window store of a windowed aggregation and whether it caches: on
/// window update, a caching store's flushes are forwarded as results.
pub(crate) fn open_window_store<K: Data, A: Data>(
    ctx: &ProcessorContext<Windowed<K>, Change<A>>,
    store_name: &str,
    emit: EmitStrategy,
    send_old_values: bool,
) -> Result<(WindowStoreHandle<K, ValueAndTimestamp<A>>, bool), StreamsError> {
    let store = ctx.store::<WindowStoreHandle<K, ValueAndTimestamp<A>>>(store_name)?;
    let cached = emit == EmitStrategy::OnWindowUpdate && forward_window_flushes(ctx, &store, send_old_values)?;
    Ok((store, cached))
}

/// Whether a windowed aggregation drops `record`, counting it as dropped:
/// every windowed aggregation drops a null key; only sliding windows also
/// drop a null value (Kafka Streams 4.x: time and session windows aggregate
/// null values, so a count counts them).
pub(crate) fn drops_nulls<K: Data, V: Data, KO: Data, VO: Data>(
    ctx: &ProcessorContext<KO, VO>,
    key_serde: &SharedSerde<K>,
    value_serde: &SharedSerde<V>,
    record: &Record<K, V>,
    drop_null_values: bool,
) -> bool {
    if key_serde.is_null(&record.key) || (drop_null_values && value_serde.is_null(&record.value)) {
        tracing::debug!(node = ctx.node_name(), "skipping a record with a null key or value");
        ctx.record_dropped();
        return true;
    }
    false
}

impl<K: Data, V: Data, A: Data> Processor<K, V, Windowed<K>, Change<A>> for WindowAggregate<K, V, A> {
    fn init(&mut self, ctx: &mut ProcessorContext<Windowed<K>, Change<A>>) -> ProcessResult {
        let (store, cached) = open_window_store(ctx, &self.store_name, self.emit, self.send_old_values)?;
        self.throttle = EmitThrottle::from_config(ctx.app_config())?;
        self.store = Some(store);
        self.cached = cached;
        Ok(())
    }

    fn process(&mut self, ctx: &mut ProcessorContext<Windowed<K>, Change<A>>, record: Record<K, V>) -> ProcessResult {
        if drops_nulls(ctx, &self.key_serde, &self.value_serde, &record, false) {
            return Ok(());
        }
        let timestamp = record.timestamp;
        self.observed = self.observed.max(timestamp);
        let close = self.observed.saturating_sub(self.windows.grace());
        let store = self.store()?.clone();
        for window in self.windows.windows_for(timestamp) {
            if window.end <= close {
                tracing::debug!(
                    node = ctx.node_name(),
                    window_start = window.start,
                    window_end = window.end,
                    timestamp,
                    stream_time = self.observed,
                    "skipping a record for an expired window"
                );
                ctx.record_dropped();
                continue;
            }
            let (previous, new_timestamp) = match store.fetch_one(&record.key, window.start)? {
                Some(ValueAndTimestamp { value, timestamp: t }) => (Some(value), t.max(timestamp)),
                None => (None, timestamp),
            };
            let old_value = if self.send_old_values { previous.clone() } else { None };
            let new = (self.step)(&record.key, &record.value, previous);
            store.put(
                &record.key,
                Some(&ValueAndTimestamp::new(new.clone(), new_timestamp)),
                window.start,
            )?;
            if self.emit == EmitStrategy::OnWindowUpdate && !self.cached {
                ctx.forward(Record {
                    key: Windowed::new(record.key.clone(), window),
                    value: Change::new(Some(new), old_value),
                    timestamp: new_timestamp,
                    headers: record.headers.clone(),
                })?;
            }
        }
        // After the record's updates, late or not, as Kafka Streams (a window
        // this record's writes expired from the store is not emitted).
        if self.emit == EmitStrategy::OnWindowClose && self.throttle.allow(ctx.current_system_time_ms()) {
            emit_closed_windows(
                ctx,
                &store,
                self.windows.size(),
                &mut self.emitted_up_to,
                close,
                &record.headers,
            )?;
        }
        Ok(())
    }
}
