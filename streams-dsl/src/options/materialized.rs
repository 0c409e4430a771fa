//! [`Materialized`]: the store behind a table or an aggregation.

use std::collections::BTreeMap;
use std::sync::Arc;

use streams_core::Serde;
use streams_core::serde::SharedSerde;

/// Where a materialized store keeps its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StoreType {
    /// RocksDB, on disk under `state.dir` (Kafka Streams' default).
    #[default]
    RocksDb,
    /// In memory (restored from the changelog at start-up).
    InMemory,
}

/// Name, serdes, store type, caching and logging of a materialized store.
///
/// Defaults: a generated name (`<OPERATION>-STATE-STORE-<n>`), the types'
/// default serdes, RocksDB, caching on, change-logging on.
#[must_use]
pub struct Materialized<K, V> {
    pub(crate) name: Option<String>,
    pub(crate) key_serde: Option<SharedSerde<K>>,
    pub(crate) value_serde: Option<SharedSerde<V>>,
    pub(crate) store_type: StoreType,
    pub(crate) caching: bool,
    pub(crate) logging: Option<BTreeMap<String, String>>,
    pub(crate) retention: Option<std::time::Duration>,
}

impl<K, V> Default for Materialized<K, V> {
    fn default() -> Self {
        Self {
            name: None,
            key_serde: None,
            value_serde: None,
            store_type: StoreType::RocksDb,
            caching: true,
            logging: Some(BTreeMap::new()),
            retention: None,
        }
    }
}

impl<K: 'static, V: 'static> Materialized<K, V> {
    /// All defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store named `name` (which also names the changelog topic, and the
    /// repartition topic of an aggregation that needs one).
    pub fn as_(name: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            ..Self::default()
        }
    }

    /// A store with these serdes.
    pub fn with(key_serde: impl Serde<K>, value_serde: impl Serde<V>) -> Self {
        Self::new().with_key_serde(key_serde).with_value_serde(value_serde)
    }

    /// The key serde.
    pub fn with_key_serde(mut self, serde: impl Serde<K>) -> Self {
        self.key_serde = Some(Arc::new(serde));
        self
    }

    /// The value serde.
    pub fn with_value_serde(mut self, serde: impl Serde<V>) -> Self {
        self.value_serde = Some(Arc::new(serde));
        self
    }

    /// RocksDB or in memory. Default: RocksDB.
    pub fn with_store_type(mut self, store_type: StoreType) -> Self {
        self.store_type = store_type;
        self
    }

    /// Keeps the store in memory.
    pub fn in_memory(self) -> Self {
        self.with_store_type(StoreType::InMemory)
    }

    /// Turns the record cache on (the default).
    pub fn with_caching_enabled(mut self) -> Self {
        self.caching = true;
        self
    }

    /// Turns the record cache off: every update is forwarded at once.
    pub fn with_caching_disabled(mut self) -> Self {
        self.caching = false;
        self
    }

    /// Logs changes to `<application.id>-<store>-changelog` with these topic
    /// settings (the default, with none).
    pub fn with_logging_enabled(mut self, topic_config: BTreeMap<String, String>) -> Self {
        self.logging = Some(topic_config);
        self
    }

    /// No changelog: the store starts empty after a move or crash.
    pub fn with_logging_disabled(mut self) -> Self {
        self.logging = None;
        self
    }

    /// How long a window or session store keeps windows (for interactive
    /// queries); at least the window size (or inactivity gap) plus the grace
    /// period, checked when the topology is built. Default: exactly that.
    /// Ignored by key-value stores.
    pub fn with_retention(mut self, retention: std::time::Duration) -> Self {
        self.retention = Some(retention);
        self
    }
}
