//! [`Produced`]: how a sink writes.

use std::sync::Arc;

use streams_core::Serde;
use streams_core::serde::SharedSerde;

/// A record's partition chosen by the user: `(topic, key, value, partition
/// count) -> partition`, or `None` for the producer's default.
pub type Partitioner<K, V> = Arc<dyn Fn(&str, &K, &V, u32) -> Option<u32> + Send + Sync>;

/// Serdes, partitioner and name of a sink.
///
/// Defaults: the stream's serdes where known, else the types' default serdes;
/// the producer's partitioner; a generated name.
#[must_use]
pub struct Produced<K, V> {
    pub(crate) key_serde: Option<SharedSerde<K>>,
    pub(crate) value_serde: Option<SharedSerde<V>>,
    pub(crate) partitioner: Option<Partitioner<K, V>>,
    pub(crate) name: Option<String>,
}

impl<K, V> Default for Produced<K, V> {
    fn default() -> Self {
        Self {
            key_serde: None,
            value_serde: None,
            partitioner: None,
            name: None,
        }
    }
}

impl<K: 'static, V: 'static> Produced<K, V> {
    /// All defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes with these serdes.
    pub fn with(key_serde: impl Serde<K>, value_serde: impl Serde<V>) -> Self {
        Self::new().with_key_serde(key_serde).with_value_serde(value_serde)
    }

    /// Names the sink node.
    pub fn as_(name: impl Into<String>) -> Self {
        Self::new().with_name(name)
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

    /// Chooses each record's partition. Default: the producer's partitioner
    /// (murmur2 of the key bytes).
    pub fn with_stream_partitioner(
        mut self,
        partitioner: impl Fn(&str, &K, &V, u32) -> Option<u32> + Send + Sync + 'static,
    ) -> Self {
        self.partitioner = Some(Arc::new(partitioner));
        self
    }

    /// The sink node's name. Default: `KSTREAM-SINK-<n>`.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}
