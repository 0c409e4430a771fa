//! Store suppliers and builders: `Stores::...`, as in Kafka Streams.
//!
//! A *supplier* says what holds the bytes (in memory or RocksDB, key-value,
//! window or session); a *builder* adds serdes and the layers, composed as
//! Kafka Streams composes them: metered (typed) over caching (optional, off by
//! default) over change-logging (on by default) over the bytes store.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use streams_core::StreamsError;
use streams_core::serde::{Serde, SharedSerde};
use streams_core::store::{BuiltStore, ChangelogSpec, StoreBuilder, TimestampedSerde, ValueAndTimestamp};

use crate::bytes::{BytesStore, Expiry, KeySchema, Segmenting};
use crate::layers::caching::Caching;
use crate::layers::logging::ChangeLogging;
use crate::layers::{MeteredKeyValueStore, MeteredSessionStore, MeteredWindowStore};
use crate::memory::{InMemoryKeyValueBytes, InMemorySegments};
use crate::rocks::{RocksDbConfigSetter, RocksDbKeyValueBytes, RocksDbSegments, RocksDbSettings};
use crate::segmented::SegmentedStore;

/// Where a store keeps its bytes.
#[derive(Debug, Clone)]
pub enum Backend {
    /// An ordered map in memory (lost on restart; restored from the changelog).
    InMemory,
    /// RocksDB on local disk.
    RocksDb(RocksDbSettings),
}

impl Backend {
    fn with_config_setter(self, setter: Arc<dyn RocksDbConfigSetter>) -> Self {
        match self {
            Backend::RocksDb(mut s) => {
                s.config_setter = Some(setter);
                Backend::RocksDb(s)
            }
            other => other,
        }
    }
}

/// Supplies key-value bytes stores.
#[derive(Debug, Clone)]
pub struct KeyValueSupplier {
    name: String,
    backend: Backend,
}

impl KeyValueSupplier {
    /// The store name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Tunes the RocksDB options of each store this supplies.
    pub fn with_rocksdb_config(mut self, setter: impl RocksDbConfigSetter) -> Self {
        self.backend = self.backend.with_config_setter(Arc::new(setter));
        self
    }

    /// A new, unopened bytes store.
    pub fn get(&self) -> Box<dyn BytesStore> {
        match &self.backend {
            Backend::InMemory => Box::new(InMemoryKeyValueBytes::new(self.name.clone())),
            Backend::RocksDb(s) => Box::new(RocksDbKeyValueBytes::new(self.name.clone(), s.clone())),
        }
    }
}

/// Supplies segmented bytes stores (window or session).
#[derive(Debug, Clone)]
pub struct SegmentedSupplier {
    name: String,
    backend: Backend,
    segmenting: Segmenting,
    window_size: i64,
    retain_duplicates: bool,
}

impl SegmentedSupplier {
    /// The store name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Retention in milliseconds.
    pub fn retention(&self) -> i64 {
        self.segmenting.retention
    }

    /// Session stores: expire by whole segments, as Kafka Streams'
    /// time-ordered session store does (the one its emit-on-close session
    /// aggregations use). Writes past the retention period are kept until
    /// their segment expires; lookups by key still skip them, and
    /// [`SessionStore::find_sessions_ending`](streams_core::store::SessionStore::find_sessions_ending)
    /// returns them. An error for window stores.
    pub fn with_time_ordered_sessions(mut self) -> Result<Self, StreamsError> {
        if self.segmenting.schema != KeySchema::Session {
            return Err(config(
                "supplier",
                &format!("store {} is not a session store", self.name),
            ));
        }
        self.segmenting.expiry = Expiry::WholeSegments;
        Ok(self)
    }

    /// Overrides the segment width (default: half the retention, at least a minute).
    pub fn with_segment_interval(mut self, interval: Duration) -> Result<Self, StreamsError> {
        let ms = millis("segment interval", interval)?;
        if ms <= 0 {
            return Err(config("segment interval", "must be positive"));
        }
        self.segmenting.interval = ms;
        Ok(self)
    }

    /// Tunes the RocksDB options of each store this supplies.
    pub fn with_rocksdb_config(mut self, setter: impl RocksDbConfigSetter) -> Self {
        self.backend = self.backend.with_config_setter(Arc::new(setter));
        self
    }

    /// A new, unopened bytes store.
    pub fn get(&self) -> Box<dyn BytesStore> {
        match &self.backend {
            Backend::InMemory => Box::new(SegmentedStore::new(
                self.name.clone(),
                InMemorySegments::default(),
                self.segmenting,
            )),
            Backend::RocksDb(s) => Box::new(SegmentedStore::new(
                self.name.clone(),
                RocksDbSegments::new(s.clone()),
                self.segmenting,
            )),
        }
    }
}

fn config(what: &str, reason: &str) -> StreamsError {
    StreamsError::Config {
        key: what.to_owned(),
        reason: reason.to_owned(),
    }
}

fn millis(what: &str, d: Duration) -> Result<i64, StreamsError> {
    i64::try_from(d.as_millis()).map_err(|_| config(what, "too large"))
}

/// Entry points for store suppliers and builders.
#[derive(Debug)]
pub struct Stores;

impl Stores {
    /// A RocksDB key-value store.
    pub fn persistent_key_value_store(name: impl Into<String>) -> KeyValueSupplier {
        KeyValueSupplier {
            name: name.into(),
            backend: Backend::RocksDb(RocksDbSettings::default()),
        }
    }

    /// A RocksDB key-value store for timestamped values (build it with
    /// [`Stores::timestamped_key_value_store_builder`]).
    pub fn persistent_timestamped_key_value_store(name: impl Into<String>) -> KeyValueSupplier {
        Self::persistent_key_value_store(name)
    }

    /// An in-memory key-value store.
    pub fn in_memory_key_value_store(name: impl Into<String>) -> KeyValueSupplier {
        KeyValueSupplier {
            name: name.into(),
            backend: Backend::InMemory,
        }
    }

    fn window(
        name: String,
        backend: Backend,
        retention: Duration,
        window_size: Duration,
        retain_duplicates: bool,
    ) -> Result<SegmentedSupplier, StreamsError> {
        let retention = millis("retention", retention)?;
        let size = millis("window size", window_size)?;
        if size <= 0 {
            return Err(config("window size", "must be positive"));
        }
        if retention < size {
            return Err(config(
                "retention",
                &format!("store {name}: the retention ({retention} ms) must be at least the window size ({size} ms)"),
            ));
        }
        Ok(SegmentedSupplier {
            name,
            backend,
            segmenting: Segmenting {
                retention,
                interval: Segmenting::default_interval(retention),
                schema: KeySchema::Window,
                expiry: Expiry::Exact,
            },
            window_size: size,
            retain_duplicates,
        })
    }

    /// A RocksDB window store.
    pub fn persistent_window_store(
        name: impl Into<String>,
        retention: Duration,
        window_size: Duration,
        retain_duplicates: bool,
    ) -> Result<SegmentedSupplier, StreamsError> {
        let backend = Backend::RocksDb(RocksDbSettings::default());
        Self::window(name.into(), backend, retention, window_size, retain_duplicates)
    }

    /// An in-memory window store.
    pub fn in_memory_window_store(
        name: impl Into<String>,
        retention: Duration,
        window_size: Duration,
        retain_duplicates: bool,
    ) -> Result<SegmentedSupplier, StreamsError> {
        Self::window(
            name.into(),
            Backend::InMemory,
            retention,
            window_size,
            retain_duplicates,
        )
    }

    fn session(name: String, backend: Backend, retention: Duration) -> Result<SegmentedSupplier, StreamsError> {
        let retention = millis("retention", retention)?;
        Ok(SegmentedSupplier {
            name,
            backend,
            segmenting: Segmenting {
                retention,
                interval: Segmenting::default_interval(retention),
                schema: KeySchema::Session,
                expiry: Expiry::Exact,
            },
            window_size: 0,
            retain_duplicates: false,
        })
    }

    /// A RocksDB session store.
    pub fn persistent_session_store(
        name: impl Into<String>,
        retention: Duration,
    ) -> Result<SegmentedSupplier, StreamsError> {
        Self::session(name.into(), Backend::RocksDb(RocksDbSettings::default()), retention)
    }

    /// An in-memory session store.
    pub fn in_memory_session_store(
        name: impl Into<String>,
        retention: Duration,
    ) -> Result<SegmentedSupplier, StreamsError> {
        Self::session(name.into(), Backend::InMemory, retention)
    }

    /// A builder of typed key-value stores.
    pub fn key_value_store_builder<K: 'static, V: 'static>(
        supplier: KeyValueSupplier,
        key_serde: impl Serde<K>,
        value_serde: impl Serde<V>,
    ) -> KeyValueStoreBuilder<K, V> {
        KeyValueStoreBuilder {
            supplier,
            keys: Arc::new(key_serde),
            values: Arc::new(value_serde),
            layers: Layers::default(),
        }
    }

    /// A builder of key-value stores of timestamped values (Kafka's layout:
    /// 8-byte timestamp, then the value).
    pub fn timestamped_key_value_store_builder<K: 'static, V: 'static>(
        supplier: KeyValueSupplier,
        key_serde: impl Serde<K>,
        value_serde: impl Serde<V>,
    ) -> KeyValueStoreBuilder<K, ValueAndTimestamp<V>> {
        Self::key_value_store_builder(supplier, key_serde, TimestampedSerde(value_serde))
    }

    /// A builder of typed window stores (the supplier must be a window store).
    pub fn window_store_builder<K: 'static, V: 'static>(
        supplier: SegmentedSupplier,
        key_serde: impl Serde<K>,
        value_serde: impl Serde<V>,
    ) -> Result<WindowStoreBuilder<K, V>, StreamsError> {
        if supplier.segmenting.schema != KeySchema::Window {
            return Err(config(
                "supplier",
                &format!("store {} is not a window store", supplier.name),
            ));
        }
        Ok(WindowStoreBuilder {
            supplier,
            keys: Arc::new(key_serde),
            values: Arc::new(value_serde),
            layers: Layers::default(),
        })
    }

    /// A builder of typed session stores (the supplier must be a session store).
    pub fn session_store_builder<K: 'static, V: 'static>(
        supplier: SegmentedSupplier,
        key_serde: impl Serde<K>,
        value_serde: impl Serde<V>,
    ) -> Result<SessionStoreBuilder<K, V>, StreamsError> {
        if supplier.segmenting.schema != KeySchema::Session {
            return Err(config(
                "supplier",
                &format!("store {} is not a session store", supplier.name),
            ));
        }
        Ok(SessionStoreBuilder {
            supplier,
            keys: Arc::new(key_serde),
            values: Arc::new(value_serde),
            layers: Layers::default(),
        })
    }
}

/// Which optional layers a builder adds.
#[derive(Debug, Clone)]
struct Layers {
    caching: bool,
    logging: bool,
    changelog_config: BTreeMap<String, String>,
}

impl Default for Layers {
    fn default() -> Self {
        Self {
            caching: false,
            logging: true,
            changelog_config: BTreeMap::new(),
        }
    }
}

impl Layers {
    fn changelog(&self, windowed_retention_ms: Option<i64>) -> Option<ChangelogSpec> {
        self.logging.then(|| ChangelogSpec::Internal {
            config: self.changelog_config.clone(),
            windowed_retention_ms,
        })
    }

    fn wrap(&self, mut store: Box<dyn BytesStore>) -> Box<dyn BytesStore> {
        if self.logging {
            store = Box::new(ChangeLogging::new(store));
        }
        if self.caching {
            store = Box::new(Caching::new(store));
        }
        store
    }
}

macro_rules! layer_methods {
    () => {
        /// Adds the caching layer (off by default).
        pub fn with_caching_enabled(mut self) -> Self {
            self.layers.caching = true;
            self
        }

        /// Removes the caching layer.
        pub fn with_caching_disabled(mut self) -> Self {
            self.layers.caching = false;
            self
        }

        /// Logs every change to `<application.id>-<store>-changelog`, created
        /// with `topic_config` (on by default, with no extra topic config).
        pub fn with_logging_enabled(mut self, topic_config: BTreeMap<String, String>) -> Self {
            self.layers.logging = true;
            self.layers.changelog_config = topic_config;
            self
        }

        /// No changelog: the store is not restored after a failure.
        pub fn with_logging_disabled(mut self) -> Self {
            self.layers.logging = false;
            self
        }

        /// Whether the store logs to a changelog.
        pub fn logging_enabled(&self) -> bool {
            self.layers.logging
        }

        /// Extra configuration of the changelog topic.
        pub fn changelog_config(&self) -> &BTreeMap<String, String> {
            &self.layers.changelog_config
        }
    };
}

/// Builds typed key-value stores: see [`Stores::key_value_store_builder`].
pub struct KeyValueStoreBuilder<K, V> {
    supplier: KeyValueSupplier,
    keys: SharedSerde<K>,
    values: SharedSerde<V>,
    layers: Layers,
}

impl<K: 'static, V: 'static> KeyValueStoreBuilder<K, V> {
    layer_methods!();

    /// The layered store, unopened (for direct use in tests and benchmarks).
    pub fn build_store(&self) -> MeteredKeyValueStore<K, V> {
        let bytes = self.layers.wrap(self.supplier.get());
        MeteredKeyValueStore::new(bytes, Arc::clone(&self.keys), Arc::clone(&self.values))
    }
}

impl<K: 'static, V: 'static> StoreBuilder for KeyValueStoreBuilder<K, V> {
    fn name(&self) -> &str {
        &self.supplier.name
    }

    fn changelog(&self) -> Option<ChangelogSpec> {
        self.layers.changelog(None)
    }

    fn build(&self) -> BuiltStore {
        BuiltStore::key_value(self.build_store())
    }
}

/// Builds typed window stores: see [`Stores::window_store_builder`].
pub struct WindowStoreBuilder<K, V> {
    supplier: SegmentedSupplier,
    keys: SharedSerde<K>,
    values: SharedSerde<V>,
    layers: Layers,
}

impl<K: 'static, V: 'static> WindowStoreBuilder<K, V> {
    layer_methods!();

    /// The layered store, unopened.
    pub fn build_store(&self) -> MeteredWindowStore<K, V> {
        // Kafka Streams never caches a store that keeps duplicates.
        let mut layers = self.layers.clone();
        layers.caching &= !self.supplier.retain_duplicates;
        let bytes = layers.wrap(self.supplier.get());
        MeteredWindowStore::new(
            bytes,
            Arc::clone(&self.keys),
            Arc::clone(&self.values),
            self.supplier.window_size,
            self.supplier.retain_duplicates,
        )
    }
}

impl<K: 'static, V: 'static> StoreBuilder for WindowStoreBuilder<K, V> {
    fn name(&self) -> &str {
        &self.supplier.name
    }

    fn changelog(&self) -> Option<ChangelogSpec> {
        self.layers.changelog(Some(self.supplier.retention()))
    }

    fn build(&self) -> BuiltStore {
        BuiltStore::window(self.build_store())
    }
}

/// Builds typed session stores: see [`Stores::session_store_builder`].
pub struct SessionStoreBuilder<K, V> {
    supplier: SegmentedSupplier,
    keys: SharedSerde<K>,
    values: SharedSerde<V>,
    layers: Layers,
}

impl<K: 'static, V: 'static> SessionStoreBuilder<K, V> {
    layer_methods!();

    /// The layered store, unopened.
    pub fn build_store(&self) -> MeteredSessionStore<K, V> {
        let bytes = self.layers.wrap(self.supplier.get());
        MeteredSessionStore::new(bytes, Arc::clone(&self.keys), Arc::clone(&self.values))
    }
}

impl<K: 'static, V: 'static> StoreBuilder for SessionStoreBuilder<K, V> {
    fn name(&self) -> &str {
        &self.supplier.name
    }

    fn changelog(&self) -> Option<ChangelogSpec> {
        self.layers.changelog(Some(self.supplier.retention()))
    }

    fn build(&self) -> BuiltStore {
        BuiltStore::session(self.build_store())
    }
}
