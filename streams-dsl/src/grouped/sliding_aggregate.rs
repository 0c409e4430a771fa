//! The processor of sliding-window aggregations
//! (`windowed_by(SlidingWindows)`): Kafka Streams'
//! `KStreamSlidingWindowAggregate`, window for window.
//!
//! Windows are `[start, start + d]`, both bounds inclusive, and exist only
//! around records: a record at `t` updates every existing window holding
//! `t`, creates its left window `[t - d, t]` (seeded with the aggregate of
//! the records before it within `d`), creates the right window of the
//! previous record when that window would hold `t`, and creates its own
//! right window `[t + 1, t + 1 + d]` when later records fall in it. Records
//! before `d` all share the window `[0, d]`. Each update is applied iff the
//! window's `end >= stream_time - grace` (its end is inclusive), else
//! dropped and counted; a record whose right window would already be closed
//! is dropped whole.

use streams_core::serde::SharedSerde;
use streams_core::store::{ValueAndTimestamp, Window, WindowStoreHandle, Windowed};
use streams_core::{ProcessResult, Processor, ProcessorContext, Record};

use super::stream_aggregate::Step;
use super::window_aggregate::{EmitThrottle, drops_nulls, emit_closed_windows, open_window_store};
use crate::Data;
use crate::change::Change;
use crate::windows::{EmitStrategy, SlidingWindows};

pub(crate) struct SlidingAggregate<K, V, A> {
    pub(crate) store_name: String,
    pub(crate) windows: SlidingWindows,
    /// `None` as the aggregate stands for the initializer.
    pub(crate) step: Step<K, V, A>,
    pub(crate) key_serde: SharedSerde<K>,
    pub(crate) value_serde: SharedSerde<V>,
    pub(crate) emit: EmitStrategy,
    pub(crate) send_old_values: bool,
    pub(crate) store: Option<WindowStoreHandle<K, ValueAndTimestamp<A>>>,
    pub(crate) cached: bool,
    pub(crate) observed: i64,
    pub(crate) emitted_up_to: i64,
    pub(crate) throttle: EmitThrottle,
}

/// One record being applied: what every window update needs.
struct Apply<'a, K, V, A> {
    ctx: &'a ProcessorContext<Windowed<K>, Change<A>>,
    store: &'a WindowStoreHandle<K, ValueAndTimestamp<A>>,
    step: &'a Step<K, V, A>,
    record: &'a Record<K, V>,
    difference: i64,
    close: i64,
    forward: bool,
    send_old_values: bool,
}

impl<K: Data, V: Data, A: Data> Apply<'_, K, V, A> {
    fn window(&self, start: i64) -> Window {
        Window::new(start, start.saturating_add(self.difference))
    }

    /// Adds the record to the window starting at `start`, whose aggregate
    /// is `aggregate` (`None`: a new window, from the initializer) with
    /// timestamp `timestamp`.
    fn update(&self, start: i64, aggregate: Option<A>, timestamp: i64) -> ProcessResult {
        let window = self.window(start);
        let t = self.record.timestamp;
        // Both bounds are inclusive: a window is open while its end is at
        // least the close time.
        if window.end < self.close {
            tracing::debug!(
                node = self.ctx.node_name(),
                window_start = window.start,
                window_end = window.end,
                timestamp = t,
                "skipping a record for an expired sliding window"
            );
            self.ctx.record_dropped();
            return Ok(());
        }
        let new_timestamp = timestamp.max(t);
        let old = if self.send_old_values { aggregate.clone() } else { None };
        let new = (self.step)(&self.record.key, &self.record.value, aggregate);
        self.store.put(
            &self.record.key,
            Some(&ValueAndTimestamp::new(new.clone(), new_timestamp)),
            start,
        )?;
        self.send(window, Change::new(Some(new), old), new_timestamp)
    }

    /// Creates the record's right window `[t + 1, t + 1 + d]` holding
    /// `aggregate` (the later records'), as it is.
    fn create_right_window(&self, aggregate: ValueAndTimestamp<A>) -> ProcessResult {
        let start = self.record.timestamp.saturating_add(1);
        self.store.put(&self.record.key, Some(&aggregate), start)?;
        self.send(
            self.window(start),
            Change::new(Some(aggregate.value), None),
            aggregate.timestamp,
        )
    }

    fn send(&self, window: Window, change: Change<A>, timestamp: i64) -> ProcessResult {
        if !self.forward {
            return Ok(());
        }
        self.ctx.forward(Record {
            key: Windowed::new(self.record.key.clone(), window),
            value: change,
            timestamp,
            headers: self.record.headers.clone(),
        })?;
        Ok(())
    }

    /// A record at `t >= d`. Existing windows are visited latest first (as
    /// Kafka Streams does with stores that iterate backwards, which all of
    /// ours do), so updates leave in descending start order.
    fn in_order(&self) -> ProcessResult {
        let (t, d) = (self.record.timestamp, self.difference);
        let mut starts = Vec::new();
        let mut left_aggregate: Option<ValueAndTimestamp<A>> = None;
        let mut right_aggregate: Option<ValueAndTimestamp<A>> = None;
        let (mut left_exists, mut right_exists) = (false, false);
        let mut previous: Option<i64> = None;
        let existing = self
            .store
            .read()?
            .backward_fetch(&self.record.key, t.saturating_sub(2 * d).max(0), t.saturating_add(1))?
            .collect::<Result<Vec<_>, _>>()?;
        for (start, agg) in existing {
            starts.push(start);
            let end = start.saturating_add(d);
            if start == t + 1 {
                right_exists = true;
            } else if end > t {
                if right_aggregate.is_none() {
                    right_aggregate = Some(agg.clone());
                }
                self.update(start, Some(agg.value), agg.timestamp)?;
            } else if end == t {
                left_exists = true;
                let max = agg.timestamp;
                self.update(start, Some(agg.value), max)?;
                if max < t {
                    previous = Some(max);
                } else {
                    // A record at t was seen before: every window around t
                    // exists already.
                    return Ok(());
                }
            } else {
                previous = Some(agg.timestamp);
                left_aggregate = Some(agg);
                break;
            }
        }
        // The previous record's right window, if missing and it holds t.
        if let Some(p) = previous {
            let start = p.saturating_add(1);
            if !starts.contains(&start) && start.saturating_add(d) >= t {
                self.update(start, None, t)?;
            }
        }
        if !left_exists {
            let seed = match (&previous, left_aggregate) {
                (Some(p), Some(agg)) if t - d <= *p => Some(agg.value),
                _ => None,
            };
            self.update(t - d, seed, t)?;
        }
        match right_aggregate {
            Some(agg) if !right_exists && agg.timestamp > t => self.create_right_window(agg),
            _ => Ok(()),
        }
    }

    /// A record at `0 <= t < d`: every such record shares `[0, d]`.
    fn early(&self) -> ProcessResult {
        let t = self.record.timestamp;
        let mut starts = Vec::new();
        let mut combined: Option<(i64, ValueAndTimestamp<A>)> = None;
        let mut right_aggregate: Option<ValueAndTimestamp<A>> = None;
        let mut right_exists = false;
        let mut previous: Option<i64> = None;
        for (start, agg) in self.store.fetch(&self.record.key, 0, t.saturating_add(1))? {
            starts.push(start);
            if start == 0 {
                if agg.timestamp < t {
                    previous = Some(agg.timestamp);
                }
                combined = Some((start, agg));
            } else if start <= t {
                right_aggregate = Some(agg.clone());
                self.update(start, Some(agg.value), agg.timestamp)?;
            } else if start == t + 1 {
                right_exists = true;
            } else {
                return Err(unexpected(start, t));
            }
        }
        // Without a right window found, the combined window can only hold
        // records after t (had it held some before and after, a right window
        // would exist): they make t's right window.
        if right_aggregate.is_none()
            && let Some((_, agg)) = &combined
            && agg.timestamp > t
        {
            right_aggregate = Some(agg.clone());
        }
        if let Some(agg) = right_aggregate
            && !right_exists
            && agg.timestamp > t
        {
            self.create_right_window(agg)?;
        }
        if let Some(p) = previous
            && !starts.contains(&(p + 1))
        {
            self.update(p + 1, None, t)?;
        }
        match combined {
            None => self.update(0, None, t),
            Some((start, agg)) => self.update(start, Some(agg.value), agg.timestamp),
        }
    }
}

fn unexpected(start: i64, t: i64) -> streams_core::BoxError {
    format!("sliding window aggregate: unexpected window starting at {start} for a record at {t}").into()
}

impl<K: Data, V: Data, A: Data> Processor<K, V, Windowed<K>, Change<A>> for SlidingAggregate<K, V, A> {
    fn init(&mut self, ctx: &mut ProcessorContext<Windowed<K>, Change<A>>) -> ProcessResult {
        let (store, cached) = open_window_store(ctx, &self.store_name, self.emit, self.send_old_values)?;
        self.throttle = EmitThrottle::from_config(ctx.app_config())?;
        self.store = Some(store);
        self.cached = cached;
        Ok(())
    }

    fn process(&mut self, ctx: &mut ProcessorContext<Windowed<K>, Change<A>>, record: Record<K, V>) -> ProcessResult {
        if drops_nulls(ctx, &self.key_serde, &self.value_serde, &record, true) {
            return Ok(());
        }
        let Some(store) = self.store.clone() else {
            return Err("sliding window store not initialized".into());
        };
        let (t, d) = (record.timestamp, self.windows.time_difference_ms());
        self.observed = self.observed.max(t);
        let close = self.observed.saturating_sub(self.windows.grace_ms());
        if t < 0 || t.saturating_add(1).saturating_add(d) <= close {
            // Even the record's right window is closed: so is every window
            // that could hold it.
            tracing::debug!(
                node = ctx.node_name(),
                timestamp = t,
                "skipping a record for expired sliding windows"
            );
            ctx.record_dropped();
            return Ok(());
        }
        let apply = Apply {
            ctx,
            store: &store,
            step: &self.step,
            record: &record,
            difference: d,
            close,
            forward: self.emit == EmitStrategy::OnWindowUpdate && !self.cached,
            send_old_values: self.send_old_values,
        };
        if t < d {
            // As Kafka Streams: an early record never triggers final results.
            return apply.early();
        }
        apply.in_order()?;
        // After the record's updates, as Kafka Streams (a window this
        // record's writes expired from the store is not emitted).
        if self.emit == EmitStrategy::OnWindowClose && self.throttle.allow(ctx.current_system_time_ms()) {
            // Closed: end < close (inclusive ends), i.e. end <= close - 1.
            emit_closed_windows(
                ctx,
                &store,
                d,
                &mut self.emitted_up_to,
                close.saturating_sub(1),
                &record.headers,
            )?;
        }
        Ok(())
    }
}
