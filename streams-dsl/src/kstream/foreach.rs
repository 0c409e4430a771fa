//! `foreach`: a terminal action per record.

use streams_core::{ProcessResult, Processor, ProcessorContext, Record};

use super::KStream;
use crate::Data;
use crate::graph::NodeKind;
use crate::options::Named;

struct Foreach<F>(std::sync::Arc<F>);

impl<K, V, F: Fn(&K, &V) + Send + Sync + 'static> Processor<K, V, (), ()> for Foreach<F> {
    fn process(&mut self, _: &mut ProcessorContext<(), ()>, record: Record<K, V>) -> ProcessResult {
        (self.0)(&record.key, &record.value);
        Ok(())
    }
}

impl<K: Data, V: Data> KStream<K, V> {
    /// Calls `action` on each record; nothing follows.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let sink = Arc::clone(&seen);
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .stream::<String, String>("in")
    ///     .foreach(move |k, v| sink.lock().unwrap().push(format!("{k}={v}")));
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// driver.create_input_topic::<String, String>("in").pipe_input("k".into(), "v".into())?;
    /// assert_eq!(*seen.lock().unwrap(), ["k=v"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn foreach(&self, action: impl Fn(&K, &V) + Send + Sync + 'static) {
        self.foreach_named(action, None)
    }

    /// [`foreach`](Self::foreach), with the processor named.
    pub fn foreach_named(&self, action: impl Fn(&K, &V) + Send + Sync + 'static, named: Option<Named>) {
        let name = self.name(named.as_ref().map(|n| n.0.as_str()), "KSTREAM-FOREACH-");
        let action = std::sync::Arc::new(action);
        let lower = Box::new(
            move |topology: &mut streams_core::Topology, ctx: &crate::graph::LowerCtx<'_>| {
                let action = std::sync::Arc::clone(&action);
                topology.add_processor(ctx.name, move || Foreach(std::sync::Arc::clone(&action)), ctx.parents())?;
                Ok(())
            },
        );
        self.graph
            .borrow_mut()
            .add(name, vec![self.node], NodeKind::Processor { lower });
    }
}
