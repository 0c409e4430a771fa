//! The Processor API: [`Processor`], its [`ProcessorContext`], and punctuation.
//!
//! A processor is created fresh for each task by the supplier given to
//! [`Topology::add_processor`](crate::topology::Topology::add_processor). The
//! engine calls, on the task's thread:
//!
//! 1. [`Processor::init`] once, after the task's stores are open and before any
//!    record (children are initialised after their parents);
//! 2. [`Processor::process`] once per record forwarded to it, in order;
//! 3. [`Processor::punctuate`] for each due schedule it registered with
//!    [`ProcessorContext::schedule`], between records;
//! 4. [`Processor::close`] once, when the task closes (before its stores close).
//!
//! Errors returned from these methods name the processor and task; what happens
//! next is decided by the configured processing error handler.

mod context;

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

pub(crate) use context::Children;
pub use context::{Downstream, EdgeResult, Forwarder, ProcessorContext};

use crate::error::BoxError;
use crate::record::Record;

/// The result type of processor callbacks.
pub type ProcessResult = Result<(), BoxError>;

/// A node of the topology that consumes records of `(KIn, VIn)` and may
/// forward records of `(KOut, VOut)` to its children.
///
/// # Examples
///
/// ```
/// use streams_core::prelude::*;
///
/// /// Forwards each value's length, keeping the key.
/// struct Lengths;
///
/// impl Processor<String, String, String, u64> for Lengths {
///     fn process(&mut self, ctx: &mut ProcessorContext<String, u64>, record: Record<String, String>) -> ProcessResult {
///         let len = record.value.len() as u64;
///         ctx.forward(record.with_value(len))?;
///         Ok(())
///     }
/// }
/// ```
pub trait Processor<KIn, VIn, KOut = KIn, VOut = VIn>: 'static {
    /// Called once before the first record; the place to look up stores and
    /// schedule punctuations.
    fn init(&mut self, ctx: &mut ProcessorContext<KOut, VOut>) -> ProcessResult {
        let _ = ctx;
        Ok(())
    }

    /// Called for each record forwarded to this processor.
    fn process(&mut self, ctx: &mut ProcessorContext<KOut, VOut>, record: Record<KIn, VIn>) -> ProcessResult;

    /// Called when a schedule registered by this processor is due.
    fn punctuate(&mut self, ctx: &mut ProcessorContext<KOut, VOut>, punctuation: Punctuation) -> ProcessResult {
        let _ = (ctx, punctuation);
        Ok(())
    }

    /// Called once when the task closes. Stores are still open.
    fn close(&mut self) -> ProcessResult {
        Ok(())
    }
}

/// Which clock drives a punctuation schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PunctuationType {
    /// Stream time (the largest record timestamp the task has seen). Schedules
    /// are aligned to multiples of the interval from 0 and fire after the record
    /// that advanced stream time; skipped multiples are not replayed.
    StreamTime,
    /// Wall-clock time. First due at `now + interval`; after a late fire the next
    /// is the next multiple of the interval on the original schedule.
    WallClockTime,
}

/// Identifies one schedule of a processor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScheduleId(pub(crate) u64);

/// A due punctuation, as passed to [`Processor::punctuate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Punctuation {
    /// The schedule that is due (as returned by `schedule`).
    pub schedule: ScheduleId,
    /// Its clock.
    pub kind: PunctuationType,
    /// The current stream time or wall-clock time, not the scheduled time.
    pub timestamp: i64,
}

/// Cancels a punctuation schedule; returned by [`ProcessorContext::schedule`].
#[derive(Clone)]
pub struct Cancellable {
    id: ScheduleId,
    cancelled: Rc<Cell<bool>>,
}

impl Cancellable {
    pub(crate) fn new(id: ScheduleId, cancelled: Rc<Cell<bool>>) -> Self {
        Self { id, cancelled }
    }

    /// Stops the schedule; it never fires again. Idempotent.
    pub fn cancel(&self) {
        self.cancelled.set(true);
    }

    /// The schedule this cancels.
    pub fn id(&self) -> ScheduleId {
        self.id
    }
}

impl fmt::Debug for Cancellable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cancellable")
            .field("id", &self.id)
            .field("cancelled", &self.cancelled.get())
            .finish()
    }
}
