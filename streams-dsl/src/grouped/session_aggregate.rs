//! The processor of `SessionWindowedKStream::{count, reduce, aggregate}`:
//! merges each record with the sessions of its key it touches, in a session
//! store.
//!
//! Per record (Kafka Streams' `KStreamSessionWindowAggregate`): records with
//! a null key or value are dropped; the processor's stream time advances;
//! every session of the key overlapping `[t - gap, t + gap]` is merged into
//! one, starting from the initializer and folding each session's aggregate
//! with the merger (reduce: the first session's aggregate, then the
//! reducer), then the aggregator adds the record. A merged session
//! ending before `stream_time - gap - grace` is late: dropped and counted.
//! Otherwise, unless the record lands exactly on a single-point session,
//! each merged-away session is removed and its tombstone forwarded (with its
//! end as timestamp) before the merged session (timestamped with its end).
//!
//! On [`EmitStrategy::OnWindowClose`] nothing is forwarded on update; each
//! session is forwarded once, after the record's changes, when it ends
//! before `stream_time - gap - grace` (no later record can reach it then).

use streams_core::serde::SharedSerde;
use streams_core::store::{FlushedRecord, SessionStoreHandle, Window, Windowed};
use streams_core::{Headers, ProcessResult, Processor, ProcessorContext, Record, StreamsError};

use super::stream_aggregate::Step;
use super::window_aggregate::{EmitThrottle, drops_nulls};
use crate::Data;
use crate::change::Change;
use crate::windows::{EmitStrategy, SessionWindows};

/// `(key, running aggregate or None, a merged session's aggregate) ->
/// running aggregate`.
pub(crate) type Merger<K, A> = std::sync::Arc<dyn Fn(&K, Option<A>, A) -> A + Send + Sync>;

pub(crate) struct SessionAggregate<K, V, A> {
    pub(crate) store_name: String,
    pub(crate) windows: SessionWindows,
    /// Adds a record to the running aggregate.
    pub(crate) step: Step<K, V, A>,
    pub(crate) merger: Merger<K, A>,
    pub(crate) key_serde: SharedSerde<K>,
    pub(crate) value_serde: SharedSerde<V>,
    pub(crate) send_old_values: bool,
    pub(crate) emit: EmitStrategy,
    pub(crate) store: Option<SessionStoreHandle<K, A>>,
    pub(crate) cached: bool,
    pub(crate) observed: i64,
    /// The close time up to which sessions were emitted (on window close);
    /// `None` before the first emission.
    pub(crate) emitted_up_to: Option<i64>,
    pub(crate) throttle: EmitThrottle,
}

impl<K: Data, V: Data, A: Data> SessionAggregate<K, V, A> {
    /// Forwards every session that closed since the last emission: those
    /// ending in `[max(0, emitted_up_to), close - 1]`, ordered by end, start,
    /// then key bytes. Runs after the record's own changes, as Kafka Streams'
    /// `maybeForwardFinalResult` does; the store expires by whole segments,
    /// so a session closing in this step is still there to be found.
    fn emit_closed(
        &mut self,
        ctx: &ProcessorContext<Windowed<K>, Change<A>>,
        close: i64,
        headers: &Headers,
    ) -> ProcessResult {
        if self.emitted_up_to.is_some_and(|done| done >= close) {
            return Ok(());
        }
        let upper = close.saturating_sub(1);
        if upper < 0 {
            return Ok(());
        }
        let lower = self.emitted_up_to.unwrap_or(0).max(0);
        let Some(store) = &self.store else {
            return Err("session store not initialized".into());
        };
        if upper >= lower {
            let closed: Vec<(Windowed<K>, A)> = store
                .read()?
                .find_sessions_ending(lower, upper)?
                .collect::<Result<_, _>>()?;
            for (session, value) in closed {
                let end = session.window.end;
                ctx.forward(Record {
                    key: session,
                    value: Change::new(Some(value), None),
                    timestamp: end,
                    headers: headers.clone(),
                })?;
            }
        }
        self.emitted_up_to = Some(close);
        Ok(())
    }
}

/// Forwards what a caching session store flushes; every result is
/// timestamped with its session's end, as Kafka's session flush listener does.
fn forward_session_flushes<K: Data, A: Data>(
    ctx: &ProcessorContext<Windowed<K>, Change<A>>,
    store: &SessionStoreHandle<K, A>,
    send_old_values: bool,
) -> Result<bool, StreamsError> {
    let forwarder = ctx.forwarder();
    let listener = Box::new(move |f: FlushedRecord<Windowed<K>, A>| {
        let timestamp = f.key.window.end;
        let old = if send_old_values { f.old_value } else { None };
        forwarder.forward(Record::new(f.key, Change::new(f.new_value, old), timestamp))
    });
    Ok(store.write()?.set_flush_listener(listener, send_old_values))
}

impl<K: Data, V: Data, A: Data> Processor<K, V, Windowed<K>, Change<A>> for SessionAggregate<K, V, A> {
    fn init(&mut self, ctx: &mut ProcessorContext<Windowed<K>, Change<A>>) -> ProcessResult {
        let store = ctx.store::<SessionStoreHandle<K, A>>(&self.store_name)?;
        self.throttle = EmitThrottle::from_config(ctx.app_config())?;
        if self.emit == EmitStrategy::OnWindowUpdate {
            self.cached = forward_session_flushes(ctx, &store, self.send_old_values)?;
        }
        self.store = Some(store);
        Ok(())
    }

    fn process(&mut self, ctx: &mut ProcessorContext<Windowed<K>, Change<A>>, record: Record<K, V>) -> ProcessResult {
        if drops_nulls(ctx, &self.key_serde, &self.value_serde, &record, false) {
            return Ok(());
        }
        let (t, gap) = (record.timestamp, self.windows.inactivity_gap_ms());
        self.observed = self.observed.max(t);
        let close = self
            .observed
            .saturating_sub(gap)
            .saturating_sub(self.windows.grace_ms());
        // Final results carry the record's headers; only emit-on-close needs
        // them after `update` takes the record.
        let headers = (self.emit == EmitStrategy::OnWindowClose).then(|| record.headers.clone());
        self.update(ctx, record, close)?;
        if let Some(headers) = headers
            && self.throttle.allow(ctx.current_system_time_ms())
        {
            self.emit_closed(ctx, close, &headers)?;
        }
        Ok(())
    }
}

impl<K: Data, V: Data, A: Data> SessionAggregate<K, V, A> {
    /// Merges the record into its session (or drops it as late).
    fn update(
        &mut self,
        ctx: &mut ProcessorContext<Windowed<K>, Change<A>>,
        record: Record<K, V>,
        close: i64,
    ) -> ProcessResult {
        let (t, gap) = (record.timestamp, self.windows.inactivity_gap_ms());
        let forward = self.emit == EmitStrategy::OnWindowUpdate && !self.cached;
        let Some(store) = &self.store else {
            return Err("session store not initialized".into());
        };
        let single = Window::new(t, t);
        let overlapping = store.find_sessions(&record.key, t.saturating_sub(gap), t.saturating_add(gap))?;
        let mut aggregate = None;
        let mut merged = single;
        for (session, value) in &overlapping {
            aggregate = Some((self.merger)(&record.key, aggregate, value.clone()));
            merged = Window::new(
                merged.start.min(session.window.start),
                merged.end.max(session.window.end),
            );
        }
        if merged.end < close {
            tracing::debug!(
                node = ctx.node_name(),
                session_start = merged.start,
                session_end = merged.end,
                timestamp = t,
                stream_time = self.observed,
                "skipping a record for an expired session"
            );
            ctx.record_dropped();
            return Ok(());
        }
        if merged != single {
            for (session, value) in overlapping {
                store.remove(&session)?;
                if forward {
                    let end = session.window.end;
                    let old = if self.send_old_values { Some(value) } else { None };
                    ctx.forward(Record {
                        key: session,
                        value: Change::new(None, old),
                        timestamp: end,
                        headers: record.headers.clone(),
                    })?;
                }
            }
        }
        let aggregate = (self.step)(&record.key, &record.value, aggregate);
        let session = Windowed::new(record.key, merged);
        store.put(&session, &aggregate)?;
        if forward {
            ctx.forward(Record {
                key: session,
                value: Change::new(Some(aggregate), None),
                timestamp: merged.end,
                headers: record.headers,
            })?;
        }
        Ok(())
    }
}
