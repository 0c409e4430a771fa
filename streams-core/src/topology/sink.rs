//! How a sink writes: topic (fixed or per record), serdes, partitioner.

use std::marker::PhantomData;
use std::sync::Arc;

use crate::record::Record;
use crate::serde::{DefaultSerde, Serde, SharedSerde};

type ExtractorFn<K, V> = dyn Fn(&Record<K, V>) -> String + Send + Sync;

/// Chooses a partition: `(topic, key, value, partition count)` to a partition,
/// or `None` for the producer's default (murmur2 of the key bytes).
pub type StreamPartitioner<K, V> = Arc<dyn Fn(&str, &K, &V, u32) -> Option<u32> + Send + Sync>;

/// The topic a sink writes to.
pub enum SinkTopic<K, V> {
    /// Always this topic.
    Fixed(Arc<str>),
    /// A topic chosen per record.
    Extractor(Arc<ExtractorFn<K, V>>),
}

impl<K, V> SinkTopic<K, V> {
    /// A topic chosen per record by `f`.
    pub fn extractor(f: impl Fn(&Record<K, V>) -> String + Send + Sync + 'static) -> Self {
        SinkTopic::Extractor(Arc::new(f))
    }
}

impl<K, V> Clone for SinkTopic<K, V> {
    fn clone(&self) -> Self {
        match self {
            SinkTopic::Fixed(t) => SinkTopic::Fixed(Arc::clone(t)),
            SinkTopic::Extractor(f) => SinkTopic::Extractor(Arc::clone(f)),
        }
    }
}

impl<K, V> From<&str> for SinkTopic<K, V> {
    fn from(topic: &str) -> Self {
        SinkTopic::Fixed(topic.into())
    }
}

impl<K, V> From<String> for SinkTopic<K, V> {
    fn from(topic: String) -> Self {
        SinkTopic::Fixed(topic.into())
    }
}

/// Builds sink specifications: `Sink::<K, V>::new(topic)` or
/// `Sink::with_serdes(topic, key_serde, value_serde)`, passed to
/// [`Topology::add_sink`](super::Topology::add_sink).
pub struct Sink<K, V>(PhantomData<fn() -> (K, V)>);

impl<K: DefaultSerde, V: DefaultSerde> Sink<K, V> {
    /// Writes to `topic` with the default serdes of `K` and `V`.
    #[expect(
        clippy::new_ret_no_self,
        reason = "`Sink::<K, V>::new(..)` reads like Kafka Streams; the spec it returns carries the serde types"
    )]
    pub fn new(topic: impl Into<SinkTopic<K, V>>) -> SinkSpec<K, V, K::Serde, V::Serde> {
        Sink::with_serdes(topic, K::Serde::default(), V::Serde::default())
    }
}

impl<K: 'static, V: 'static> Sink<K, V> {
    /// Writes to `topic` with explicit serdes.
    pub fn with_serdes<KS: Serde<K>, VS: Serde<V>>(
        topic: impl Into<SinkTopic<K, V>>,
        key_serde: KS,
        value_serde: VS,
    ) -> SinkSpec<K, V, KS, VS> {
        SinkSpec {
            topic: topic.into(),
            key_serde: Arc::new(key_serde),
            value_serde: Arc::new(value_serde),
            partitioner: None,
        }
    }
}

/// Where and how a sink node writes: made by [`Sink`], refined with the
/// `with_*` methods. As with [`SourceSpec`](super::SourceSpec), the serde types
/// are kept so that encoding is a static call.
#[must_use]
pub struct SinkSpec<K, V, KS = SharedSerde<K>, VS = SharedSerde<V>> {
    pub(crate) topic: SinkTopic<K, V>,
    pub(crate) key_serde: Arc<KS>,
    pub(crate) value_serde: Arc<VS>,
    pub(crate) partitioner: Option<StreamPartitioner<K, V>>,
}

impl<K: 'static, V: 'static, KS: Serde<K>, VS: Serde<V>> SinkSpec<K, V, KS, VS> {
    /// Sets a partitioner. Default: the producer's (murmur2 of the key bytes).
    pub fn with_partitioner(mut self, f: impl Fn(&str, &K, &V, u32) -> Option<u32> + Send + Sync + 'static) -> Self {
        self.partitioner = Some(Arc::new(f));
        self
    }
}
