//! `to`: write the stream to a topic, fixed or chosen per record.

use std::sync::Arc;

use streams_core::serde::SharedSerde;
use streams_core::{Record, Serde, Sink, SinkSpec, SinkTopic};

use super::KStream;
use crate::SerdeData;
use crate::graph::NodeKind;
use crate::options::{Partitioner, Produced};

impl<K: SerdeData, V: SerdeData> KStream<K, V> {
    /// Writes every record to `topic`, with the stream's serdes where known,
    /// else the types' defaults.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder.stream::<String, String>("in").to("out");
    /// let text = builder.build()?.describe().to_string();
    /// assert!(text.contains("Sink: KSTREAM-SINK-0000000001 (topic: out)"));
    /// # Ok::<(), streams_core::TopologyError>(())
    /// ```
    pub fn to(&self, topic: &str) {
        self.to_with(topic, Produced::new())
    }

    /// Writes every record to `topic` as `produced` says.
    pub fn to_with(&self, topic: &str, produced: Produced<K, V>) {
        self.sink(SinkTopic::Fixed(Arc::from(topic)), produced)
    }

    /// Writes each record to the topic `extractor` chooses for it.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .stream::<String, String>("in")
    ///     .to_dynamic(|r| format!("out-{}", r.key), Produced::new());
    /// let text = builder.build()?.describe().to_string();
    /// assert!(text.contains("(extractor class: TopicNameExtractor)"));
    /// # Ok::<(), streams_core::TopologyError>(())
    /// ```
    pub fn to_dynamic(
        &self,
        extractor: impl Fn(&Record<K, V>) -> String + Send + Sync + 'static,
        produced: Produced<K, V>,
    ) {
        self.sink(SinkTopic::extractor(extractor), produced)
    }

    fn sink(&self, topic: SinkTopic<K, V>, produced: Produced<K, V>) {
        let name = self.name(produced.name.as_deref(), "KSTREAM-SINK-");
        let key: Option<SharedSerde<K>> = produced.key_serde.clone().or_else(|| self.key_serde.clone());
        let value: Option<SharedSerde<V>> = produced.value_serde.clone().or_else(|| self.value_serde.clone());
        let partitioner = produced.partitioner.clone();
        let lower = Box::new(
            move |topology: &mut streams_core::Topology, ctx: &crate::graph::LowerCtx<'_>| {
                match (&key, &value) {
                    // Default serdes stay static: no virtual call per record to encode.
                    (None, None) => add_sink(topology, ctx, Sink::<K, V>::new(topic.clone()), &partitioner),
                    _ => {
                        let k = key.clone().unwrap_or_else(K::default_serde);
                        let v = value.clone().unwrap_or_else(V::default_serde);
                        add_sink(topology, ctx, Sink::with_serdes(topic.clone(), k, v), &partitioner)
                    }
                }
            },
        );
        self.graph
            .borrow_mut()
            .add(name, vec![self.node], NodeKind::Sink { lower });
    }
}

fn add_sink<K: SerdeData, V: SerdeData, KS: Serde<K>, VS: Serde<V>>(
    topology: &mut streams_core::Topology,
    ctx: &crate::graph::LowerCtx<'_>,
    mut spec: SinkSpec<K, V, KS, VS>,
    partitioner: &Option<Partitioner<K, V>>,
) -> Result<(), streams_core::TopologyError> {
    if let Some(p) = partitioner {
        let p = Arc::clone(p);
        spec = spec.with_partitioner(move |t, k, v, n| p(t, k, v, n));
    }
    topology.add_sink(ctx.name, spec, ctx.parents())?;
    Ok(())
}
