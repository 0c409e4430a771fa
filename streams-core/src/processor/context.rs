//! The processor context and the typed edges between nodes.

use std::any::Any;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use super::{Cancellable, PunctuationType};
use crate::config::StreamsConfig;
use crate::engine::TaskId;
use crate::engine::shared::TaskShared;
use crate::error::StreamsError;
use crate::record::{Record, RecordMetadata};
use crate::store::KeyValueStoreHandle;

/// Something that accepts records of `(K, V)`: the typed edge between a parent
/// and a child, and what a [`Stage`](crate::topology::Stage) emits into. One
/// virtual call per record per edge, no allocation.
///
/// The error is boxed so that the result fits in a register: every record
/// crosses several of these calls, and a 112-byte `Result` returned through
/// memory at each one measurably slowed the hot path.
pub trait Downstream<K, V> {
    /// Takes one record; an error stops the current record's processing.
    fn accept(&self, record: Record<K, V>) -> EdgeResult;
}

/// The result of an edge call; see [`Downstream`].
pub type EdgeResult = Result<(), Box<StreamsError>>;

/// A named typed edge to a child.
pub(crate) type Edge<K, V> = (Arc<str>, Rc<dyn Downstream<K, V>>);

/// The children of one node, in the order they were connected.
pub(crate) struct Children<K, V> {
    nodes: Rc<[Edge<K, V>]>,
}

impl<K, V> Clone for Children<K, V> {
    fn clone(&self) -> Self {
        Self {
            nodes: Rc::clone(&self.nodes),
        }
    }
}

impl<K: Clone, V: Clone> Children<K, V> {
    pub(crate) fn new(nodes: Vec<Edge<K, V>>) -> Self {
        Self { nodes: nodes.into() }
    }

    /// Sends `record` to every child: clones for all but the last, which gets
    /// the record itself. The one-child case, by far the most common, stays
    /// small enough to inline; fan-out is out of line.
    #[inline]
    pub(crate) fn forward(&self, record: Record<K, V>) -> EdgeResult {
        match &*self.nodes {
            [(_, only)] => only.accept(record),
            [] => Ok(()),
            _ => self.fan_out(record),
        }
    }

    #[inline(never)]
    fn fan_out(&self, record: Record<K, V>) -> EdgeResult {
        let Some(((_, last), rest)) = self.nodes.split_last() else {
            return Ok(());
        };
        for (_, child) in rest {
            child.accept(record.clone())?;
        }
        last.accept(record)
    }

    fn forward_to(&self, parent: &str, child: &str, record: Record<K, V>) -> EdgeResult {
        match self.nodes.iter().find(|(name, _)| &**name == child) {
            Some((_, node)) => node.accept(record),
            None => Err(Box::new(StreamsError::UnknownChild {
                node: parent.to_owned(),
                child: child.to_owned(),
            })),
        }
    }
}

/// Forwards to one processor's children; see [`ProcessorContext::forwarder`].
pub struct Forwarder<K, V> {
    children: Children<K, V>,
}

impl<K, V> Clone for Forwarder<K, V> {
    fn clone(&self) -> Self {
        Self {
            children: self.children.clone(),
        }
    }
}

impl<K: Clone + 'static, V: Clone + 'static> Forwarder<K, V> {
    /// Forwards a record to every child, as [`ProcessorContext::forward`].
    pub fn forward(&self, record: Record<K, V>) -> Result<(), StreamsError> {
        self.children.forward(record).map_err(|e| *e)
    }
}

impl<K: Clone + 'static, V: Clone + 'static> Downstream<K, V> for Children<K, V> {
    #[inline]
    fn accept(&self, record: Record<K, V>) -> EdgeResult {
        self.forward(record)
    }
}

/// A processor's context accepts what the processor forwards, so a
/// [`Stage`](crate::topology::Stage) can run as an ordinary processor.
impl<K: Clone + 'static, V: Clone + 'static> Downstream<K, V> for ProcessorContext<K, V> {
    #[inline]
    fn accept(&self, record: Record<K, V>) -> EdgeResult {
        self.children.forward(record)
    }
}

/// What a processor can do besides computing: forward records, schedule
/// punctuations, reach its stores, and read where the current record came from.
///
/// Each processor instance has its own context, passed to every callback.
pub struct ProcessorContext<KOut, VOut> {
    pub(crate) node_index: usize,
    pub(crate) node_name: Arc<str>,
    pub(crate) children: Children<KOut, VOut>,
    pub(crate) stores: Vec<(Arc<str>, Rc<dyn Any>)>,
    pub(crate) task: Rc<TaskShared>,
}

impl<KOut: Clone + 'static, VOut: Clone + 'static> ProcessorContext<KOut, VOut> {
    /// Forwards a record to every child, depth first: each child (and its
    /// descendants) finishes with the record before the next child gets it.
    #[inline]
    pub fn forward(&self, record: Record<KOut, VOut>) -> Result<(), StreamsError> {
        self.children.forward(record).map_err(|e| *e)
    }

    /// A handle that forwards to this processor's children, for code that
    /// runs outside a callback's borrow of the context, such as a caching
    /// store's flush listener. Use it only while the task is processing
    /// (during a callback or a commit's flush).
    pub fn forwarder(&self) -> Forwarder<KOut, VOut> {
        Forwarder {
            children: self.children.clone(),
        }
    }

    /// Forwards a record to the child named `child` only.
    pub fn forward_to(&self, child: &str, record: Record<KOut, VOut>) -> Result<(), StreamsError> {
        self.children.forward_to(&self.node_name, child, record).map_err(|e| *e)
    }

    /// Schedules [`Processor::punctuate`](super::Processor::punctuate) every
    /// `interval` of the given clock; see [`PunctuationType`] for when it fires.
    /// The interval must be at least one millisecond.
    pub fn schedule(&self, interval: Duration, kind: PunctuationType) -> Result<Cancellable, StreamsError> {
        let interval_ms = interval.as_millis();
        if interval_ms < 1 {
            return Err(StreamsError::InvalidPunctuationInterval {
                node: self.node_name.to_string(),
                interval_ms,
            });
        }
        let interval_ms = i64::try_from(interval_ms).unwrap_or(i64::MAX);
        Ok(self.task.schedule(self.node_index, interval_ms, kind))
    }

    /// A connected store, as the handle type its builder registered (for
    /// example [`KeyValueStoreHandle<K, V>`]).
    pub fn store<H: Clone + 'static>(&self, name: &str) -> Result<H, StreamsError> {
        let (_, handle) =
            self.stores
                .iter()
                .find(|(n, _)| &**n == name)
                .ok_or_else(|| StreamsError::StoreNotConnected {
                    node: self.node_name.to_string(),
                    store: name.to_owned(),
                })?;
        handle
            .downcast_ref::<H>()
            .cloned()
            .ok_or_else(|| StreamsError::StoreTypeMismatch {
                node: self.node_name.to_string(),
                store: name.to_owned(),
                requested: std::any::type_name::<H>(),
            })
    }

    /// A connected key-value store with keys `K` and values `V`.
    pub fn key_value_store<K: 'static, V: 'static>(
        &self,
        name: &str,
    ) -> Result<KeyValueStoreHandle<K, V>, StreamsError> {
        self.store(name)
    }

    /// Topic, partition and offset of the record being processed; `None` during
    /// punctuation.
    pub fn record_metadata(&self) -> Option<RecordMetadata> {
        self.task.record_metadata()
    }

    /// The application id.
    pub fn application_id(&self) -> &str {
        &self.task.application_id
    }

    /// The task this processor instance belongs to.
    pub fn task_id(&self) -> TaskId {
        self.task.task_id
    }

    /// This processor's node name.
    pub fn node_name(&self) -> &str {
        &self.node_name
    }

    /// The task's stream time: the largest timestamp processed so far, or -1.
    pub fn current_stream_time(&self) -> i64 {
        self.task.stream_time.get()
    }

    /// The application's configuration (Kafka Streams' `appConfigs()`).
    pub fn app_config(&self) -> &StreamsConfig {
        &self.task.config
    }

    /// Wall-clock time from the task's clock (mocked by the test driver).
    pub fn current_system_time_ms(&self) -> i64 {
        self.task.clock.now_ms()
    }

    /// Counts a record this processor drops (late for its window, or
    /// otherwise unusable) in the task's dropped-records metric.
    pub fn record_dropped(&self) {
        self.task.dropped.set(self.task.dropped.get() + 1);
    }

    /// Asks for a commit as soon as possible (after the current record).
    pub fn commit(&self) {
        self.task.commit_requested.set(true);
    }
}
