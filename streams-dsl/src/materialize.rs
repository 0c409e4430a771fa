//! Turning a [`Materialized`] into a store builder: a timestamped key-value
//! store (Kafka's layout), RocksDB or in memory, with caching and logging as
//! asked.

use state_stores::{KeyValueStoreBuilder, Stores};
use streams_core::serde::SharedSerde;
use streams_core::store::ValueAndTimestamp;

use crate::options::{Materialized, StoreType};
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

/// The serde a key or value type uses where the user gave none.
pub(crate) fn or_default<T: SerdeData>(given: Option<SharedSerde<T>>) -> SharedSerde<T> {
    given.unwrap_or_else(T::default_serde)
}
