//! Turning a [`Materialized`] into a store builder: a timestamped key-value
//! store (Kafka's layout), RocksDB or in memory, with caching and logging as
//! asked.

use state_stores::{KeyValueStoreBuilder, SessionStoreBuilder, Stores, WindowStoreBuilder};
use streams_core::TopologyError;
use streams_core::serde::SharedSerde;
use streams_core::store::{TimestampedSerde, ValueAndTimestamp};

use crate::options::{Materialized, StoreType};
use crate::windows::{WindowError, millis};
use crate::{Data, SerdeData};

/// A resolved store specification: everything a lowering needs to build the
/// store again for each build.
pub(crate) struct StoreSpec<K, V> {
    pub(crate) name: String,
    pub(crate) key_serde: SharedSerde<K>,
    pub(crate) value_serde: SharedSerde<V>,
    pub(crate) store_type: StoreType,
    pub(crate) caching: bool,
    pub(crate) logging: Option<std::collections::BTreeMap<String, String>>,
    pub(crate) retention: Option<std::time::Duration>,
}

impl<K: Data, V: Data> StoreSpec<K, V> {
    /// The store, as `materialized` says, named `name`; serdes not given fall
    /// back to `key_serde` / `value_serde`.
    pub(crate) fn new(
        name: String,
        materialized: &Materialized<K, V>,
        key_serde: SharedSerde<K>,
        value_serde: SharedSerde<V>,
    ) -> Self {
        Self {
            name,
            key_serde: materialized.key_serde.clone().unwrap_or(key_serde),
            value_serde: materialized.value_serde.clone().unwrap_or(value_serde),
            store_type: materialized.store_type,
            caching: materialized.caching,
            logging: materialized.logging.clone(),
            retention: materialized.retention,
        }
    }

    /// A fresh builder; `logging` false overrides the spec (the store then
    /// restores from elsewhere, or not at all).
    pub(crate) fn builder(&self, logging: bool) -> KeyValueStoreBuilder<K, ValueAndTimestamp<V>> {
        let supplier = match self.store_type {
            StoreType::RocksDb => Stores::persistent_timestamped_key_value_store(self.name.clone()),
            StoreType::InMemory => Stores::in_memory_key_value_store(self.name.clone()),
        };
        let mut builder =
            Stores::timestamped_key_value_store_builder(supplier, self.key_serde.clone(), self.value_serde.clone());
        builder = if self.caching {
            builder.with_caching_enabled()
        } else {
            builder.with_caching_disabled()
        };
        match (&self.logging, logging) {
            (Some(config), true) => builder.with_logging_enabled(config.clone()),
            _ => builder.with_logging_disabled(),
        }
    }
}

/// Caching and logging as the spec says (the builders share the methods,
/// not a trait).
macro_rules! layered {
    ($spec:expr, $builder:expr) => {{
        let builder = if $spec.caching {
            $builder.with_caching_enabled()
        } else {
            $builder.with_caching_disabled()
        };
        match &$spec.logging {
            Some(config) => builder.with_logging_enabled(config.clone()),
            None => builder.with_logging_disabled(),
        }
    }};
}

impl<K: Data, V: Data> StoreSpec<K, V> {
    /// The retention of a window or session store: the one asked for, which
    /// must cover `needed` (size or gap, plus grace), else `needed`.
    pub(crate) fn retention(&self, needed: i64) -> Result<i64, TopologyError> {
        let Some(asked) = self.retention else {
            return Ok(needed);
        };
        let invalid = |e: WindowError| TopologyError::InvalidStore {
            store: self.name.clone(),
            reason: e.to_string(),
        };
        let retention = millis("retention", asked).map_err(invalid)?;
        if retention < needed {
            return Err(invalid(WindowError::RetentionTooShort {
                store: self.name.clone(),
                retention_ms: retention,
                needed_ms: needed,
            }));
        }
        Ok(retention)
    }

    /// A timestamped window store of windows `size` long, kept `retention`.
    pub(crate) fn window_builder(
        &self,
        size: i64,
        retention: i64,
    ) -> Result<WindowStoreBuilder<K, ValueAndTimestamp<V>>, TopologyError> {
        let invalid = |e: streams_core::StreamsError| TopologyError::InvalidStore {
            store: self.name.clone(),
            reason: e.to_string(),
        };
        let (retention, size) = (ms(retention), ms(size));
        let supplier = match self.store_type {
            StoreType::RocksDb => Stores::persistent_window_store(self.name.clone(), retention, size, false),
            StoreType::InMemory => Stores::in_memory_window_store(self.name.clone(), retention, size, false),
        }
        .map_err(invalid)?;
        let builder = Stores::window_store_builder(
            supplier,
            self.key_serde.clone(),
            TimestampedSerde(self.value_serde.clone()),
        )
        .map_err(invalid)?;
        Ok(layered!(self, builder))
    }

    /// A session store keeping sessions `retention`.
    /// `time_ordered`: expire by whole segments (emit-on-close).
    pub(crate) fn session_builder(
        &self,
        retention: i64,
        time_ordered: bool,
    ) -> Result<SessionStoreBuilder<K, V>, TopologyError> {
        let invalid = |e: streams_core::StreamsError| TopologyError::InvalidStore {
            store: self.name.clone(),
            reason: e.to_string(),
        };
        let supplier = match self.store_type {
            StoreType::RocksDb => Stores::persistent_session_store(self.name.clone(), ms(retention)),
            StoreType::InMemory => Stores::in_memory_session_store(self.name.clone(), ms(retention)),
        }
        .and_then(|s| {
            if time_ordered {
                s.with_time_ordered_sessions()
            } else {
                Ok(s)
            }
        })
        .map_err(invalid)?;
        let builder = Stores::session_store_builder(supplier, self.key_serde.clone(), self.value_serde.clone())
            .map_err(invalid)?;
        Ok(layered!(self, builder))
    }
}

/// A non-negative millisecond count as a `Duration`.
fn ms(millis: i64) -> std::time::Duration {
    std::time::Duration::from_millis(u64::try_from(millis).unwrap_or(0))
}

/// The serde a key or value type uses where the user gave none.
pub(crate) fn or_default<T: SerdeData>(given: Option<SharedSerde<T>>) -> SharedSerde<T> {
    given.unwrap_or_else(T::default_serde)
}
