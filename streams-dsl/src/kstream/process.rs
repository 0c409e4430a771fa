//! `process` / `process_values`: Processor-API processors inside the DSL.

use std::marker::PhantomData;
use std::rc::Rc;

use streams_core::{Headers, ProcessResult, Processor, ProcessorContext, Punctuation, Record, StreamsError};

use super::KStream;
use crate::Data;
use crate::graph::NodeKind;
use crate::options::Named;

impl<K: Data, V: Data> KStream<K, V> {
    /// Runs a Processor-API processor (a fresh one per task from `supplier`)
    /// connected to `stores` (added with
    /// [`StreamsBuilder::add_state_store`](crate::StreamsBuilder::add_state_store)).
    /// The processor may change keys, so a stateful operation after it
    /// repartitions.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// /// Counts records per key in a store, forwarding the running count.
    /// struct Counter;
    /// impl Processor<String, String, String, i64> for Counter {
    ///     fn process(&mut self, ctx: &mut ProcessorContext<String, i64>, r: Record<String, String>) -> ProcessResult {
    ///         let store = ctx.key_value_store::<String, i64>("counts")?;
    ///         let n = store.get(&r.key)?.unwrap_or(0) + 1;
    ///         store.put(&r.key, &n)?;
    ///         ctx.forward(r.with_value(n))?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let builder = StreamsBuilder::new();
    /// builder.add_state_store(InMemoryKeyValueStoreBuilder::<String, i64>::with_default_serdes("counts"));
    /// builder.stream::<String, String>("in").process(|| Counter, &["counts"]).to("out");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, String>("in");
    /// input.pipe_input("a".into(), "x".into())?;
    /// input.pipe_input("a".into(), "y".into())?;
    /// assert_eq!(driver.create_output_topic::<String, i64>("out").read_values_to_list()?, [1, 2]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn process<K2: Data, V2: Data, P: Processor<K, V, K2, V2>>(
        &self,
        supplier: impl Fn() -> P + Send + Sync + 'static,
        stores: &[&str],
    ) -> KStream<K2, V2> {
        self.process_named(supplier, stores, None)
    }

    /// [`process`](Self::process), with the processor named.
    pub fn process_named<K2: Data, V2: Data, P: Processor<K, V, K2, V2>>(
        &self,
        supplier: impl Fn() -> P + Send + Sync + 'static,
        stores: &[&str],
        named: Option<Named>,
    ) -> KStream<K2, V2> {
        let name = self.name(named.as_ref().map(|n| n.0.as_str()), "KSTREAM-PROCESSOR-");
        let node = self.add_processor_node(name, supplier, stores);
        KStream::new(Rc::clone(&self.graph), node, None, None, true)
    }

    /// Runs a processor that may change values but never keys (so no
    /// repartition follows): it sees [`FixedKeyRecord`]s, whose key it cannot
    /// replace.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// struct Len;
    /// impl FixedKeyProcessor<String, String, i64> for Len {
    ///     fn process(&mut self, ctx: &mut FixedKeyContext<'_, String, i64>, r: FixedKeyRecord<String, String>) -> ProcessResult {
    ///         let n = r.value().len() as i64;
    ///         ctx.forward(r.with_value(n))?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let builder = StreamsBuilder::new();
    /// builder.stream::<String, String>("in").process_values(|| Len, &[]).to("out");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// driver.create_input_topic::<String, String>("in").pipe_input("k".into(), "abc".into())?;
    /// assert_eq!(driver.create_output_topic::<String, i64>("out").read_key_value()?, ("k".to_string(), 3));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn process_values<V2: Data, P: FixedKeyProcessor<K, V, V2>>(
        &self,
        supplier: impl Fn() -> P + Send + Sync + 'static,
        stores: &[&str],
    ) -> KStream<K, V2> {
        let name = self.name(None, "KSTREAM-PROCESSVALUES-");
        let node = self.add_processor_node(name, move || FixedKeyAdapter(supplier(), PhantomData), stores);
        KStream::new(
            Rc::clone(&self.graph),
            node,
            self.key_serde.clone(),
            None,
            self.repartition_required,
        )
    }

    fn add_processor_node<K2: Data, V2: Data, P: Processor<K, V, K2, V2>>(
        &self,
        name: String,
        supplier: impl Fn() -> P + Send + Sync + 'static,
        stores: &[&str],
    ) -> crate::graph::NodeId {
        let supplier = std::sync::Arc::new(supplier);
        let stores: Vec<String> = stores.iter().map(|s| (*s).to_owned()).collect();
        let lower = Box::new(
            move |topology: &mut streams_core::Topology, ctx: &crate::graph::LowerCtx<'_>| {
                let supplier = std::sync::Arc::clone(&supplier);
                topology.add_processor(ctx.name, move || supplier(), ctx.parents())?;
                let stores: Vec<&str> = stores.iter().map(String::as_str).collect();
                topology.connect_processor_and_state_stores(ctx.name, &stores)?;
                Ok(())
            },
        );
        self.graph
            .borrow_mut()
            .add(name, vec![self.node], NodeKind::Processor { lower })
    }
}

/// A record whose key a [`FixedKeyProcessor`] can read but not replace.
#[derive(Debug, Clone)]
pub struct FixedKeyRecord<K, V> {
    inner: Record<K, V>,
}

impl<K, V> FixedKeyRecord<K, V> {
    /// The key.
    pub fn key(&self) -> &K {
        &self.inner.key
    }

    /// The value.
    pub fn value(&self) -> &V {
        &self.inner.value
    }

    /// The timestamp.
    pub fn timestamp(&self) -> i64 {
        self.inner.timestamp
    }

    /// The headers.
    pub fn headers(&self) -> &Headers {
        &self.inner.headers
    }

    /// The same key with a new value.
    pub fn with_value<V2>(self, value: V2) -> FixedKeyRecord<K, V2> {
        FixedKeyRecord {
            inner: self.inner.with_value(value),
        }
    }

    /// The same record at another timestamp.
    pub fn with_timestamp(self, timestamp: i64) -> Self {
        Self {
            inner: self.inner.with_timestamp(timestamp),
        }
    }
}

/// What a [`FixedKeyProcessor`] can do: forward records with the input's key,
/// reach stores, schedule punctuations (through [`inner`](Self::inner)).
pub struct FixedKeyContext<'a, K, V> {
    inner: &'a mut ProcessorContext<K, V>,
}

impl<K: Data, V: Data> FixedKeyContext<'_, K, V> {
    /// Forwards to every child.
    pub fn forward(&self, record: FixedKeyRecord<K, V>) -> Result<(), StreamsError> {
        self.inner.forward(record.inner)
    }

    /// The full processor context, for stores, schedules and metadata.
    pub fn inner(&self) -> &ProcessorContext<K, V> {
        self.inner
    }
}

/// A processor that keeps keys: see [`KStream::process_values`].
pub trait FixedKeyProcessor<K, V, V2>: 'static {
    /// Called once before the first record.
    fn init(&mut self, ctx: &mut FixedKeyContext<'_, K, V2>) -> ProcessResult {
        let _ = ctx;
        Ok(())
    }

    /// Called for each record.
    fn process(&mut self, ctx: &mut FixedKeyContext<'_, K, V2>, record: FixedKeyRecord<K, V>) -> ProcessResult;

    /// Called when a schedule is due.
    fn punctuate(&mut self, ctx: &mut FixedKeyContext<'_, K, V2>, punctuation: Punctuation) -> ProcessResult {
        let _ = (ctx, punctuation);
        Ok(())
    }

    /// Called once when the task closes.
    fn close(&mut self) -> ProcessResult {
        Ok(())
    }
}

struct FixedKeyAdapter<P, V>(P, PhantomData<fn(V)>);

impl<K: Data, V: Data, V2: Data, P: FixedKeyProcessor<K, V, V2>> Processor<K, V, K, V2> for FixedKeyAdapter<P, V> {
    fn init(&mut self, ctx: &mut ProcessorContext<K, V2>) -> ProcessResult {
        self.0.init(&mut FixedKeyContext { inner: ctx })
    }

    fn process(&mut self, ctx: &mut ProcessorContext<K, V2>, record: Record<K, V>) -> ProcessResult {
        self.0
            .process(&mut FixedKeyContext { inner: ctx }, FixedKeyRecord { inner: record })
    }

    fn punctuate(&mut self, ctx: &mut ProcessorContext<K, V2>, punctuation: Punctuation) -> ProcessResult {
        self.0.punctuate(&mut FixedKeyContext { inner: ctx }, punctuation)
    }

    fn close(&mut self) -> ProcessResult {
        self.0.close()
    }
}
