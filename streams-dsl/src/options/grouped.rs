//! [`Grouped`]: serdes and name of a grouping (and of its repartition topic).

use std::sync::Arc;

use streams_core::Serde;
use streams_core::serde::SharedSerde;

/// Serdes and name used when a grouping needs a repartition topic.
///
/// The name, when given, names the repartition topic
/// (`<application.id>-<name>-repartition`) and its nodes. Defaults: the
/// stream's serdes where known, else the types' defaults; the name of the
/// aggregation's store.
#[must_use]
pub struct Grouped<K, V> {
    pub(crate) key_serde: Option<SharedSerde<K>>,
    pub(crate) value_serde: Option<SharedSerde<V>>,
    pub(crate) name: Option<String>,
}

impl<K, V> Clone for Grouped<K, V> {
    fn clone(&self) -> Self {
        Self {
            key_serde: self.key_serde.clone(),
            value_serde: self.value_serde.clone(),
            name: self.name.clone(),
        }
    }
}

impl<K, V> Default for Grouped<K, V> {
    fn default() -> Self {
        Self {
            key_serde: None,
            value_serde: None,
            name: None,
        }
    }
}

impl<K: 'static, V: 'static> Grouped<K, V> {
    /// All defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Groups with these serdes.
    pub fn with(key_serde: impl Serde<K>, value_serde: impl Serde<V>) -> Self {
        Self::new().with_key_serde(key_serde).with_value_serde(value_serde)
    }

    /// Names the grouping.
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

    /// The grouping's name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}
