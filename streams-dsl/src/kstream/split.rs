//! `split`: route each record to the first branch whose predicate holds.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use streams_core::processor::{Downstream, EdgeResult};
use streams_core::{ProcessResult, Processor, ProcessorContext, Record};

use super::{KStream, add_stateless};
use crate::Data;
use crate::graph::{NodeId, NodeKind};
use crate::options::{Branched, Named};

type Predicate<K, V> = Arc<dyn Fn(&K, &V) -> bool + Send + Sync>;

/// The branches declared so far, shared with the splitter's lowering.
struct Branches<K, V> {
    predicates: Vec<Predicate<K, V>>,
    /// Child node names, in declaration order; the default branch (if any) last.
    children: Vec<String>,
    has_default: bool,
}

/// The splitter: forwards each record to the first branch that matches, else
/// to the default branch, else drops it.
struct Splitter<K, V> {
    predicates: Vec<Predicate<K, V>>,
    children: Vec<String>,
    default: Option<String>,
}

impl<K: Data, V: Data> Processor<K, V> for Splitter<K, V> {
    fn process(&mut self, ctx: &mut ProcessorContext<K, V>, record: Record<K, V>) -> ProcessResult {
        let target = self
            .predicates
            .iter()
            .position(|p| p(&record.key, &record.value))
            .map(|i| &self.children[i])
            .or(self.default.as_ref());
        if let Some(child) = target {
            ctx.forward_to(child, record)?;
        }
        Ok(())
    }
}

/// A stream being split into branches; see [`KStream::split`].
pub struct BranchedKStream<K, V> {
    source: KStream<K, V>,
    splitter: NodeId,
    splitter_name: String,
    branches: Rc<RefCell<Branches<K, V>>>,
    outputs: BTreeMap<String, KStream<K, V>>,
}

impl<K: Data, V: Data> KStream<K, V> {
    /// Splits the stream: each record goes to the first branch whose
    /// predicate holds (or to the default branch). Branches are named
    /// `<split name><branch name>`, or `<split name><position>`.
    ///
    /// # Examples
    ///
    /// ```
    /// use streams_dsl::prelude::*;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let builder = StreamsBuilder::new();
    /// let branches = builder
    ///     .stream::<String, i64>("in")
    ///     .split_named(Named::as_("sign-"))
    ///     .branch(|_, v| *v < 0, Branched::as_("negative"))
    ///     .branch(|_, v| *v == 0, Branched::as_("zero"))
    ///     .default_branch(Branched::as_("positive"));
    /// branches["sign-negative"].to("negative");
    /// branches["sign-positive"].to("positive");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, i64>("in");
    /// for v in [-1, 0, 1] {
    ///     input.pipe_input("k".into(), v)?;
    /// }
    /// assert_eq!(driver.create_output_topic::<String, i64>("negative").read_values_to_list()?, [-1]);
    /// assert_eq!(driver.create_output_topic::<String, i64>("positive").read_values_to_list()?, [1]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn split(&self) -> BranchedKStream<K, V> {
        self.split_impl(None)
    }

    /// [`split`](Self::split), with the splitter (and so the branch prefix) named.
    pub fn split_named(&self, named: Named) -> BranchedKStream<K, V> {
        self.split_impl(Some(named))
    }

    fn split_impl(&self, named: Option<Named>) -> BranchedKStream<K, V> {
        let splitter_name = self.name(named.as_ref().map(|n| n.0.as_str()), "KSTREAM-BRANCH-");
        let branches = Rc::new(RefCell::new(Branches {
            predicates: Vec::new(),
            children: Vec::new(),
            has_default: false,
        }));
        let shared = Rc::clone(&branches);
        let lower = Box::new(
            move |topology: &mut streams_core::Topology, ctx: &crate::graph::LowerCtx<'_>| {
                let b = shared.borrow();
                let n = b.predicates.len();
                let predicates = b.predicates.clone();
                let children: Vec<String> = b.children[..n].to_vec();
                let default = b.has_default.then(|| b.children[n].clone());
                topology.add_processor(
                    ctx.name,
                    move || Splitter {
                        predicates: predicates.clone(),
                        children: children.clone(),
                        default: default.clone(),
                    },
                    ctx.parents(),
                )?;
                Ok(())
            },
        );
        let splitter =
            self.graph
                .borrow_mut()
                .add(splitter_name.clone(), vec![self.node], NodeKind::Processor { lower });
        BranchedKStream {
            source: self.clone(),
            splitter,
            splitter_name,
            branches,
            outputs: BTreeMap::new(),
        }
    }
}

impl<K: Data, V: Data> BranchedKStream<K, V> {
    fn add_branch(&mut self, branched: Branched, index: usize) -> String {
        let name = match branched.0 {
            Some(n) => format!("{}{n}", self.splitter_name),
            None => format!("{}{index}", self.splitter_name),
        };
        // Kafka Streams takes an index per branch even though the name is
        // derived from the splitter's: later generated names depend on it.
        self.source.graph.borrow_mut().names.processor("KSTREAM-BRANCHCHILD-");
        let stage = |r: Record<K, V>, out: &dyn Downstream<K, V>| -> EdgeResult { out.accept(r) };
        let node = add_stateless(&self.source.graph, name.clone(), vec![self.splitter], stage);
        self.branches.borrow_mut().children.push(name.clone());
        let stream = KStream::new(
            Rc::clone(&self.source.graph),
            node,
            self.source.key_serde.clone(),
            self.source.value_serde.clone(),
            self.source.repartition_required,
        );
        self.outputs.insert(name.clone(), stream);
        name
    }

    /// Adds a branch taking the records `predicate` accepts (and no earlier
    /// branch took).
    pub fn branch(mut self, predicate: impl Fn(&K, &V) -> bool + Send + Sync + 'static, branched: Branched) -> Self {
        let index = self.branches.borrow().predicates.len() + 1;
        self.branches.borrow_mut().predicates.push(Arc::new(predicate));
        self.add_branch(branched, index);
        self
    }

    /// Adds the default branch (records no predicate accepted) and returns the
    /// branches by name.
    pub fn default_branch(mut self, branched: Branched) -> BTreeMap<String, KStream<K, V>> {
        self.add_branch(branched, 0);
        self.branches.borrow_mut().has_default = true;
        self.outputs
    }

    /// Returns the branches by name; records no predicate accepted are dropped.
    pub fn no_default_branch(self) -> BTreeMap<String, KStream<K, V>> {
        self.outputs
    }
}
