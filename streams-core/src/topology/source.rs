//! How a source node reads: topics or a pattern, serdes, timestamps, offset reset.

use std::sync::Arc;

use crate::serde::{DefaultSerde, Serde, SharedSerde};
use crate::time::TimestampExtractor;

/// The topics a source reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscription {
    /// These topics.
    Topics(Vec<String>),
    /// Every topic whose whole name matches this regular expression.
    Pattern(String),
}

impl Subscription {
    /// Every topic matching `regex` (the whole name must match, as Java's
    /// `Pattern.matcher(topic).matches()`).
    pub fn pattern(regex: impl Into<String>) -> Self {
        Subscription::Pattern(regex.into())
    }
}

impl From<&str> for Subscription {
    fn from(topic: &str) -> Self {
        Subscription::Topics(vec![topic.to_owned()])
    }
}

impl From<String> for Subscription {
    fn from(topic: String) -> Self {
        Subscription::Topics(vec![topic])
    }
}

impl<const N: usize> From<[&str; N]> for Subscription {
    fn from(topics: [&str; N]) -> Self {
        Subscription::Topics(topics.iter().map(|t| (*t).to_owned()).collect())
    }
}

impl From<Vec<String>> for Subscription {
    fn from(topics: Vec<String>) -> Self {
        Subscription::Topics(topics)
    }
}

/// Where a source starts when its group has no committed offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetReset {
    /// The earliest offset.
    Earliest,
    /// The end of the partition.
    Latest,
    /// Fail: no reset.
    None,
}

/// The specification of a source node, passed to
/// [`Topology::add_source`](super::Topology::add_source).
#[must_use]
pub struct Source<K, V> {
    pub(crate) subscription: Subscription,
    pub(crate) key_serde: SharedSerde<K>,
    pub(crate) value_serde: SharedSerde<V>,
    pub(crate) extractor: TimestampExtractor<K, V>,
    pub(crate) offset_reset: Option<OffsetReset>,
}

impl<K: DefaultSerde, V: DefaultSerde> Source<K, V> {
    /// Reads `subscription` with the default serdes of `K` and `V`, the
    /// record-timestamp extractor and the configured offset reset.
    pub fn new(subscription: impl Into<Subscription>) -> Self {
        Self::with_serdes(subscription, K::Serde::default(), V::Serde::default())
    }
}

impl<K: 'static, V: 'static> Source<K, V> {
    /// Reads `subscription` with explicit serdes.
    pub fn with_serdes(
        subscription: impl Into<Subscription>,
        key_serde: impl Serde<K>,
        value_serde: impl Serde<V>,
    ) -> Self {
        Self {
            subscription: subscription.into(),
            key_serde: Arc::new(key_serde),
            value_serde: Arc::new(value_serde),
            extractor: TimestampExtractor::record_timestamp(),
            offset_reset: None,
        }
    }

    /// Replaces the key serde.
    pub fn with_key_serde(mut self, serde: impl Serde<K>) -> Self {
        self.key_serde = Arc::new(serde);
        self
    }

    /// Replaces the value serde.
    pub fn with_value_serde(mut self, serde: impl Serde<V>) -> Self {
        self.value_serde = Arc::new(serde);
        self
    }

    /// Sets the timestamp extractor. Default: the Kafka record's timestamp.
    pub fn with_timestamp_extractor(mut self, extractor: TimestampExtractor<K, V>) -> Self {
        self.extractor = extractor;
        self
    }

    /// Sets the offset reset policy. Default: the consumer's configuration.
    pub fn with_offset_reset(mut self, reset: OffsetReset) -> Self {
        self.offset_reset = Some(reset);
        self
    }
}
