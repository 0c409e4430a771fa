//! [`KTable`]: a changelog stream seen as a table, and its operations, one
//! file each. Updates travel as [`Change`](crate::Change)s; old values are
//! computed only when an operation downstream asks for them
//! (`OldValues`).

mod filter;
mod group_by;
mod map_values;
mod source;
mod suppress;
mod to_stream;

use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use streams_core::serde::SharedSerde;

use crate::Data;
use crate::graph::{NodeId, SharedGraph};

pub(crate) use source::{TableSource, table_source};

/// Whether a table node must send old values, set by the operations below
/// it (a grouped-table aggregation needs them to subtract) and passed up to
/// every table above that must compute them.
#[derive(Clone)]
pub(crate) struct OldValues(Rc<OldValuesInner>);

struct OldValuesInner {
    /// Shared with stateless table stages, which read it per record (the
    /// flag is final once the topology is built).
    enabled: Arc<AtomicBool>,
    parent: Option<OldValues>,
    /// Whether the table has a store of its own (a root only).
    materialized: bool,
}

impl OldValues {
    /// A flag for a table that computes old values itself (from its store).
    pub(crate) fn root() -> Self {
        Self::source(true)
    }

    /// A flag for a source table, materialized from the start only when
    /// queryable (else when old values are first asked for).
    pub(crate) fn source(materialized: bool) -> Self {
        Self(Rc::new(OldValuesInner {
            enabled: Arc::new(AtomicBool::new(false)),
            parent: None,
            materialized,
        }))
    }

    /// A flag for a table derived from `parent`'s changes.
    pub(crate) fn child_of(parent: &OldValues) -> Self {
        Self(Rc::new(OldValuesInner {
            enabled: Arc::new(AtomicBool::new(false)),
            parent: Some(parent.clone()),
            materialized: false,
        }))
    }

    /// Kafka Streams' `enableSendingOldValues(forceMaterialization = false)`:
    /// turns old values on only if the nearest table above with a store
    /// already has one (so it costs no new store); whether they are on.
    pub(crate) fn enable_if_materialized(&self) -> bool {
        if self.enabled() {
            return true;
        }
        let available = match &self.0.parent {
            None => self.0.materialized,
            Some(p) => p.enable_if_materialized(),
        };
        if available {
            self.0.enabled.store(true, Ordering::Relaxed);
        }
        available
    }

    /// Asks this table (and the tables it derives from) for old values.
    pub(crate) fn enable(&self) {
        self.0.enabled.store(true, Ordering::Relaxed);
        if let Some(p) = &self.0.parent {
            p.enable();
        }
    }

    /// Read when the table's processor is lowered.
    pub(crate) fn enabled(&self) -> bool {
        self.0.enabled.load(Ordering::Relaxed)
    }

    /// The flag itself, for stages that run without a lowering of their own.
    pub(crate) fn shared(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.0.enabled)
    }
}

/// A table of the latest value per key, as Kafka Streams' `KTable<K, V>`.
///
/// Made by [`StreamsBuilder::table`](crate::StreamsBuilder::table), by
/// aggregations, or by [`KStream::to_table`](crate::KStream::to_table).
pub struct KTable<K, V> {
    pub(crate) graph: SharedGraph,
    pub(crate) node: NodeId,
    pub(crate) key_serde: Option<SharedSerde<K>>,
    pub(crate) value_serde: Option<SharedSerde<V>>,
    pub(crate) old_values: OldValues,
    pub(crate) store_name: Option<String>,
    /// For a windowed table: how long after a window's end it can still
    /// change (the grace, plus the gap for sessions), which
    /// `Suppressed::until_window_closes` waits for.
    pub(crate) window_close_delay: Option<i64>,
}

impl<K, V> Clone for KTable<K, V> {
    fn clone(&self) -> Self {
        Self {
            graph: Rc::clone(&self.graph),
            node: self.node,
            key_serde: self.key_serde.clone(),
            value_serde: self.value_serde.clone(),
            old_values: self.old_values.clone(),
            store_name: self.store_name.clone(),
            window_close_delay: self.window_close_delay,
        }
    }
}

impl<K: Data, V: Data> KTable<K, V> {
    pub(crate) fn new(
        graph: SharedGraph,
        node: NodeId,
        key_serde: Option<SharedSerde<K>>,
        value_serde: Option<SharedSerde<V>>,
        old_values: OldValues,
        store_name: Option<String>,
    ) -> Self {
        Self {
            graph,
            node,
            key_serde,
            value_serde,
            old_values,
            store_name,
            window_close_delay: None,
        }
    }

    /// The same table, known to be windowed with this close delay.
    pub(crate) fn with_window_close_delay(mut self, delay: Option<i64>) -> Self {
        self.window_close_delay = delay;
        self
    }

    /// The name of the store the table is materialized in, if it is
    /// (queryable through the test driver's store handles).
    pub fn queryable_store_name(&self) -> Option<&str> {
        self.store_name.as_deref()
    }

    pub(crate) fn name(&self, user: Option<&str>, prefix: &str) -> String {
        self.graph.borrow_mut().names.or_processor(user, prefix)
    }
}
