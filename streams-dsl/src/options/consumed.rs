//! [`Consumed`]: how a source reads its topics.

use std::sync::Arc;
use streams_core::serde::SharedSerde;
use streams_core::{OffsetReset, Serde, TimestampExtractor};

/// Serdes, timestamp extractor, offset reset and name of a source.
///
/// Defaults: the key and value types' default serdes, the record's own
/// timestamp, the consumer's offset reset, a generated name.
#[must_use]
pub struct Consumed<K, V> {
    pub(crate) key_serde: Option<SharedSerde<K>>,
    pub(crate) value_serde: Option<SharedSerde<V>>,
    pub(crate) extractor: Option<TimestampExtractor<K, V>>,
    pub(crate) offset_reset: Option<OffsetReset>,
    pub(crate) name: Option<String>,
}

impl<K, V> Default for Consumed<K, V> {
    fn default() -> Self {
        Self {
            key_serde: None,
            value_serde: None,
            extractor: None,
            offset_reset: None,
            name: None,
        }
    }
}

impl<K: 'static, V: 'static> Consumed<K, V> {
    /// All defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads with these serdes.
    pub fn with(key_serde: impl Serde<K>, value_serde: impl Serde<V>) -> Self {
        Self::new().with_key_serde(key_serde).with_value_serde(value_serde)
    }

    /// Names the source node.
    pub fn as_(name: impl Into<String>) -> Self {
        Self::new().with_name(name)
    }

    /// The key serde. Default: `K`'s default serde.
    pub fn with_key_serde(mut self, serde: impl Serde<K>) -> Self {
        self.key_serde = Some(Arc::new(serde));
        self
    }

    /// The value serde. Default: `V`'s default serde.
    pub fn with_value_serde(mut self, serde: impl Serde<V>) -> Self {
        self.value_serde = Some(Arc::new(serde));
        self
    }

    /// The timestamp extractor. Default: the record's timestamp.
    pub fn with_timestamp_extractor(mut self, extractor: TimestampExtractor<K, V>) -> Self {
        self.extractor = Some(extractor);
        self
    }

    /// The offset reset policy. Default: the consumer's configuration.
    pub fn with_offset_reset_policy(mut self, reset: OffsetReset) -> Self {
        self.offset_reset = Some(reset);
        self
    }

    /// The source node's name. Default: `KSTREAM-SOURCE-<n>`.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}
