//! [`Repartitioned`]: name, serdes and partition count of `repartition()`.

use std::sync::Arc;

use streams_core::Serde;
use streams_core::serde::SharedSerde;

/// Options of [`KStream::repartition`](crate::KStream::repartition).
///
/// Defaults: a generated name (`KSTREAM-REPARTITION-<n>`), the stream's serdes
/// or the types' defaults, the source topics' partition count.
#[must_use]
pub struct Repartitioned<K, V> {
    pub(crate) key_serde: Option<SharedSerde<K>>,
    pub(crate) value_serde: Option<SharedSerde<V>>,
    pub(crate) name: Option<String>,
    pub(crate) partitions: Option<u32>,
}

impl<K, V> Default for Repartitioned<K, V> {
    fn default() -> Self {
        Self {
            key_serde: None,
            value_serde: None,
            name: None,
            partitions: None,
        }
    }
}

impl<K: 'static, V: 'static> Repartitioned<K, V> {
    /// All defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Names the repartition topic (`<application.id>-<name>-repartition`).
    pub fn as_(name: impl Into<String>) -> Self {
        Self::new().with_name(name)
    }

    /// The topic's name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The topic's partition count, used when the topic is created.
    pub fn with_number_of_partitions(mut self, partitions: u32) -> Self {
        self.partitions = Some(partitions);
        self
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

    /// The partition count, if set.
    pub fn number_of_partitions(&self) -> Option<u32> {
        self.partitions
    }
}
