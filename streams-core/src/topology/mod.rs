//! [`Topology`]: the graph of sources, processors, sinks and stores that a
//! task instantiates.
//!
//! Nodes are added by name with their parents, as in Kafka Streams' Processor
//! API. Each node's key and value types are checked against its parents' when
//! it is added, so a wiring mistake is an error naming both nodes before any
//! record flows. The topology is immutable once built and shared (it is `Send +
//! Sync`) by every stream thread; each task creates fresh processor instances
//! and stores from it.
//!
//! Sub-topologies are the connected components of the graph, where processors
//! that share a store are connected too; they are numbered as Kafka Streams
//! numbers them (4.x): in the order their first node was added.

mod describe;
mod java_tree_set;
pub(crate) mod node;
mod sink;
mod source;
mod stage;

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use regex::Regex;

pub use describe::{NodeDescription, NodeKindDescription, SubtopologyDescription, TopologyDescription};
pub use sink::{Sink, SinkSpec, SinkTopic, StreamPartitioner};
pub use source::{OffsetReset, Source, SourceSpec, Subscription};
pub use stage::{ErasedStage, Stage, StageProcessor};

use crate::error::TopologyError;
use crate::processor::Processor;
use crate::record::Data;
use crate::serde::Serde;
use crate::store::StoreBuilder;
use node::{NodeFactory, ProcessorFactory, SinkFactory, SourceFactory};

pub(crate) enum NodeKind {
    Source {
        topics: Vec<String>,
        pattern: Option<(String, Regex)>,
        offset_reset: Option<OffsetReset>,
    },
    Processor,
    Sink {
        topic: Option<String>,
    },
}

pub(crate) struct NodeDef {
    pub(crate) name: Arc<str>,
    pub(crate) kind: NodeKind,
    pub(crate) parents: Vec<usize>,
    pub(crate) children: Vec<usize>,
    pub(crate) stores: Vec<usize>,
    pub(crate) factory: Arc<dyn NodeFactory>,
}

pub(crate) struct StoreDef {
    pub(crate) name: Arc<str>,
    pub(crate) builder: Arc<dyn StoreBuilder>,
    pub(crate) users: Vec<usize>,
}

/// What the drivers need to know about one sub-topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubtopologyInfo {
    /// Its number.
    pub id: u32,
    /// Topics read by its sources (patterns excluded).
    pub source_topics: Vec<String>,
    /// Patterns read by its sources.
    pub source_patterns: Vec<String>,
    /// Fixed topics written by its sinks.
    pub sink_topics: Vec<String>,
    /// Its stores.
    pub stores: Vec<String>,
}

/// A processing graph built with the Processor API.
///
/// # Examples
///
/// ```
/// use streams_core::prelude::*;
///
/// struct Upper;
/// impl Processor<String, String> for Upper {
///     fn process(&mut self, ctx: &mut ProcessorContext<String, String>, r: Record<String, String>) -> ProcessResult {
///         let v = r.value.to_uppercase();
///         ctx.forward(r.with_value(v))?;
///         Ok(())
///     }
/// }
///
/// let mut topology = Topology::new();
/// topology
///     .add_source("Source", Source::<String, String>::new("input"))?
///     .add_processor("Upper", || Upper, &["Source"])?
///     .add_sink("Sink", Sink::<String, String>::new("output"), &["Upper"])?;
/// assert!(topology.describe().to_string().contains("Processor: Upper (stores: [])"));
/// # Ok::<(), streams_core::TopologyError>(())
/// ```
#[derive(Default)]
pub struct Topology {
    nodes: Vec<NodeDef>,
    node_index: HashMap<Arc<str>, usize>,
    stores: Vec<StoreDef>,
    topic_owner: HashMap<String, usize>,
    /// Internal topics (repartition topics), by the name `describe()` shows.
    internal_topics: Vec<String>,
    /// Set by [`Topology::bind_application_id`]: the prefix internal topics
    /// now carry in sources and sinks.
    internal_prefix: Option<String>,
    /// Partition counts chosen for internal topics (the rest follow their
    /// upstream topics' counts when created).
    internal_partitions: HashMap<String, u32>,
    /// Groups of topics that must have equal partition counts (joins).
    copartition_groups: Vec<Vec<String>>,
}

impl Topology {
    /// An empty topology.
    pub fn new() -> Self {
        Self::default()
    }

    fn check_new_name(&self, name: &str) -> Result<(), TopologyError> {
        if name.is_empty() {
            return Err(TopologyError::EmptyName);
        }
        if self.node_index.contains_key(name) {
            return Err(TopologyError::DuplicateNode { name: name.to_owned() });
        }
        Ok(())
    }

    fn resolve_parents(&self, name: &str, parents: &[&str], input: node::TypeSig) -> Result<Vec<usize>, TopologyError> {
        if parents.is_empty() {
            return Err(TopologyError::NoParents { node: name.to_owned() });
        }
        let mut resolved = Vec::with_capacity(parents.len());
        for &p in parents {
            let &i = self.node_index.get(p).ok_or_else(|| TopologyError::UnknownParent {
                node: name.to_owned(),
                parent: p.to_owned(),
            })?;
            let parent = &self.nodes[i];
            let Some(output) = parent.factory.output() else {
                return Err(TopologyError::SinkAsParent {
                    node: name.to_owned(),
                    sink: p.to_owned(),
                });
            };
            if !output.same(&input) {
                return Err(TopologyError::TypeMismatch {
                    parent: p.to_owned(),
                    parent_key: output.key_name,
                    parent_value: output.value_name,
                    child: name.to_owned(),
                    child_key: input.key_name,
                    child_value: input.value_name,
                });
            }
            if !resolved.contains(&i) {
                resolved.push(i);
            }
        }
        Ok(resolved)
    }

    fn push_node(&mut self, name: &str, kind: NodeKind, parents: Vec<usize>, factory: Arc<dyn NodeFactory>) -> usize {
        let index = self.nodes.len();
        let name: Arc<str> = name.into();
        for &p in &parents {
            self.nodes[p].children.push(index);
        }
        self.node_index.insert(Arc::clone(&name), index);
        self.nodes.push(NodeDef {
            name,
            kind,
            parents,
            children: Vec::new(),
            stores: Vec::new(),
            factory,
        });
        index
    }

    /// Adds a source node reading `source`'s topics or pattern.
    ///
    /// A topic can be read by one source only.
    pub fn add_source<K: Data, V: Data, KS: Serde<K>, VS: Serde<V>>(
        &mut self,
        name: &str,
        source: SourceSpec<K, V, KS, VS>,
    ) -> Result<&mut Self, TopologyError> {
        self.check_new_name(name)?;
        let (topics, pattern) = match source.subscription {
            Subscription::Topics(topics) => {
                if topics.is_empty() || topics.iter().any(String::is_empty) {
                    return Err(TopologyError::NoTopics {
                        source_node: name.to_owned(),
                    });
                }
                for t in &topics {
                    if let Some(&owner) = self.topic_owner.get(t) {
                        return Err(TopologyError::TopicAlreadyRegistered {
                            topic: t.clone(),
                            existing: self.nodes[owner].name.to_string(),
                            source_node: name.to_owned(),
                        });
                    }
                }
                (topics, None)
            }
            Subscription::Pattern(p) => {
                let regex = Regex::new(&format!("^(?:{p})$")).map_err(|e| TopologyError::InvalidPattern {
                    source_node: name.to_owned(),
                    pattern: p.clone(),
                    reason: e.to_string(),
                })?;
                (Vec::new(), Some((p, regex)))
            }
        };
        let factory = Arc::new(SourceFactory {
            key_serde: source.key_serde,
            value_serde: source.value_serde,
            extractor: source.extractor,
        });
        let index = self.push_node(
            name,
            NodeKind::Source {
                topics: topics.clone(),
                pattern,
                offset_reset: source.offset_reset,
            },
            Vec::new(),
            factory,
        );
        for t in topics {
            self.topic_owner.insert(t, index);
        }
        Ok(self)
    }

    /// Adds a processor created by `supplier` (called once per task), fed by
    /// `parents`. The parents must forward exactly `(KIn, VIn)`.
    pub fn add_processor<KIn, VIn, KOut, VOut, P, F>(
        &mut self,
        name: &str,
        supplier: F,
        parents: &[&str],
    ) -> Result<&mut Self, TopologyError>
    where
        KIn: Data,
        VIn: Data,
        KOut: Data,
        VOut: Data,
        P: Processor<KIn, VIn, KOut, VOut>,
        F: Fn() -> P + Send + Sync + 'static,
    {
        self.check_new_name(name)?;
        let factory: Arc<dyn NodeFactory> = Arc::new(ProcessorFactory {
            supplier,
            types: PhantomData::<fn() -> (P, KIn, VIn, KOut, VOut)>,
        });
        let input = factory.input().ok_or(TopologyError::EmptyName)?;
        let parents = self.resolve_parents(name, parents, input)?;
        self.push_node(name, NodeKind::Processor, parents, factory);
        Ok(self)
    }

    /// Adds one processor node that runs `stages` in a chain, each stage
    /// emitting straight into the next; the node takes what the first stage
    /// takes and forwards what the last one emits. Adjacent stages must agree
    /// on types (checked here, naming the node and the two stages' types).
    pub fn add_stages(
        &mut self,
        name: &str,
        stages: Vec<ErasedStage>,
        parents: &[&str],
    ) -> Result<&mut Self, TopologyError> {
        self.check_new_name(name)?;
        if stages.is_empty() {
            return Err(TopologyError::EmptyStageChain { node: name.to_owned() });
        }
        for pair in stages.windows(2) {
            let (out, inp) = (pair[0].output(), pair[1].input());
            if !out.same(&inp) {
                return Err(TopologyError::TypeMismatch {
                    parent: format!("{name} (stage)"),
                    parent_key: out.key_name,
                    parent_value: out.value_name,
                    child: format!("{name} (next stage)"),
                    child_key: inp.key_name,
                    child_value: inp.value_name,
                });
            }
        }
        let factory: Arc<dyn NodeFactory> = Arc::new(stage::StageChainFactory { stages });
        let input = factory.input().ok_or(TopologyError::EmptyName)?;
        let parents = self.resolve_parents(name, parents, input)?;
        self.push_node(name, NodeKind::Processor, parents, factory);
        Ok(self)
    }

    /// Adds a sink writing what `parents` forward.
    pub fn add_sink<K: Data, V: Data, KS: Serde<K>, VS: Serde<V>>(
        &mut self,
        name: &str,
        sink: SinkSpec<K, V, KS, VS>,
        parents: &[&str],
    ) -> Result<&mut Self, TopologyError> {
        self.check_new_name(name)?;
        let topic = match &sink.topic {
            SinkTopic::Fixed(t) => Some(t.to_string()),
            SinkTopic::Extractor(_) => None,
        };
        if topic.as_deref() == Some("") {
            return Err(TopologyError::EmptyName);
        }
        let factory: Arc<dyn NodeFactory> = Arc::new(SinkFactory {
            topic: sink.topic,
            key_serde: sink.key_serde,
            value_serde: sink.value_serde,
            partitioner: sink.partitioner,
        });
        let input = factory.input().ok_or(TopologyError::EmptyName)?;
        let parents = self.resolve_parents(name, parents, input)?;
        self.push_node(name, NodeKind::Sink { topic }, parents, factory);
        Ok(self)
    }

    /// Adds a store, built fresh for each task, and connects it to `processors`.
    pub fn add_state_store(
        &mut self,
        builder: impl StoreBuilder,
        processors: &[&str],
    ) -> Result<&mut Self, TopologyError> {
        let name = builder.name().to_owned();
        if name.is_empty() {
            return Err(TopologyError::EmptyName);
        }
        if self.stores.iter().any(|s| *s.name == *name) {
            return Err(TopologyError::DuplicateStore { name });
        }
        self.stores.push(StoreDef {
            name: name.as_str().into(),
            builder: Arc::new(builder),
            users: Vec::new(),
        });
        for p in processors {
            self.connect(p, &name)?;
        }
        Ok(self)
    }

    /// Connects existing stores to an existing processor.
    pub fn connect_processor_and_state_stores(
        &mut self,
        processor: &str,
        stores: &[&str],
    ) -> Result<&mut Self, TopologyError> {
        for s in stores {
            self.connect(processor, s)?;
        }
        Ok(self)
    }

    fn connect(&mut self, processor: &str, store: &str) -> Result<(), TopologyError> {
        let node = self
            .node_index
            .get(processor)
            .copied()
            .filter(|&n| matches!(self.nodes[n].kind, NodeKind::Processor))
            .ok_or_else(|| TopologyError::UnknownProcessor {
                store: store.to_owned(),
                node: processor.to_owned(),
            })?;
        let s = self
            .stores
            .iter()
            .position(|s| &*s.name == store)
            .ok_or_else(|| TopologyError::UnknownStore {
                node: processor.to_owned(),
                store: store.to_owned(),
            })?;
        if !self.nodes[node].stores.contains(&s) {
            self.nodes[node].stores.push(s);
            self.stores[s].users.push(node);
        }
        Ok(())
    }

    /// Declares `topic` internal to the application, as Kafka Streams does for
    /// repartition topics: `describe()` shows it as given, while a running
    /// application reads and writes `<application.id>-<topic>` (see
    /// [`bind_application_id`](Self::bind_application_id)).
    pub fn add_internal_topic(&mut self, topic: &str) -> &mut Self {
        if !self.internal_topics.iter().any(|t| t == topic) {
            self.internal_topics.push(topic.to_owned());
        }
        self
    }

    /// Sets the partition count an internal topic is created with.
    pub fn set_internal_topic_partitions(&mut self, topic: &str, partitions: u32) -> &mut Self {
        self.internal_partitions.insert(topic.to_owned(), partitions);
        self
    }

    /// The partition count set for an internal topic (by its `describe()` name).
    pub fn internal_topic_partitions(&self, topic: &str) -> Option<u32> {
        self.internal_partitions.get(topic).copied()
    }

    /// Declares that `topics` must be co-partitioned (equal partition counts,
    /// so partition p of each is processed by the same task), as joins need.
    /// The Kafka runtime checks it at start-up; internal topics are named as
    /// `describe()` shows them.
    pub fn copartition(&mut self, topics: &[&str]) -> &mut Self {
        self.copartition_groups
            .push(topics.iter().map(|t| (*t).to_owned()).collect());
        self
    }

    /// The co-partition groups declared with [`copartition`](Self::copartition).
    pub fn copartition_groups(&self) -> &[Vec<String>] {
        &self.copartition_groups
    }

    /// The changelog of a store, as its builder reports it (see
    /// [`StoreBuilder::changelog`]).
    pub fn store_changelog(&self, store: &str) -> Option<crate::store::ChangelogSpec> {
        self.stores
            .iter()
            .find(|s| &*s.name == store)
            .and_then(|s| s.builder.changelog())
    }

    /// The internal topics, as `describe()` names them.
    pub fn internal_topics(&self) -> &[String] {
        &self.internal_topics
    }

    /// Prefixes every internal topic read or written by a node with
    /// `<application_id>-`. The drivers (test driver, Kafka runtime) call this
    /// once before creating tasks; later calls change nothing.
    pub fn bind_application_id(&mut self, application_id: &str) {
        if self.internal_prefix.is_some() {
            return;
        }
        let prefix = format!("{application_id}-");
        let internal = self.internal_topics.clone();
        let resolve = |t: &mut String| {
            if internal.contains(t) {
                *t = format!("{prefix}{t}");
            }
        };
        for node in &mut self.nodes {
            match &mut node.kind {
                NodeKind::Source { topics, .. } => topics.iter_mut().for_each(resolve),
                NodeKind::Sink { topic: Some(t) } => resolve(t),
                NodeKind::Sink { topic: None } | NodeKind::Processor => {}
            }
        }
        self.topic_owner = std::mem::take(&mut self.topic_owner)
            .into_iter()
            .map(|(mut t, n)| {
                resolve(&mut t);
                (t, n)
            })
            .collect();
        self.internal_prefix = Some(prefix);
    }

    /// The name `describe()` shows for a topic a node reads or writes.
    pub(crate) fn display_topic<'a>(&self, topic: &'a str) -> &'a str {
        match &self.internal_prefix {
            Some(prefix) => match topic.strip_prefix(prefix.as_str()) {
                Some(raw) if self.internal_topics.iter().any(|t| t == raw) => raw,
                _ => topic,
            },
            None => topic,
        }
    }

    /// Checks what can only be checked once the topology is complete: it has a
    /// source, and every store is used by some processor.
    pub fn validate(&self) -> Result<(), TopologyError> {
        if !self.nodes.iter().any(|n| matches!(n.kind, NodeKind::Source { .. })) {
            return Err(TopologyError::NoSources);
        }
        if let Some(s) = self.stores.iter().find(|s| s.users.is_empty()) {
            return Err(TopologyError::UnusedStore {
                store: s.name.to_string(),
            });
        }
        Ok(())
    }

    /// The sub-topology number of each node, by node index.
    fn groups(&self) -> Vec<u32> {
        fn find(uf: &mut [usize], mut x: usize) -> usize {
            while uf[x] != x {
                uf[x] = uf[uf[x]];
                x = uf[x];
            }
            x
        }
        let mut uf: Vec<usize> = (0..self.nodes.len()).collect();
        let union = |uf: &mut Vec<usize>, a: usize, b: usize| {
            let (ra, rb) = (find(uf, a), find(uf, b));
            if ra != rb {
                uf[ra.max(rb)] = ra.min(rb);
            }
        };
        for (i, n) in self.nodes.iter().enumerate() {
            for &p in &n.parents {
                union(&mut uf, i, p);
            }
        }
        for s in &self.stores {
            for w in s.users.windows(2) {
                union(&mut uf, w[0], w[1]);
            }
        }
        // Kafka Streams (4.x) numbers sub-topologies in the order their first
        // node was added: upstream before downstream.
        let order = 0..self.nodes.len();
        let mut ids: HashMap<usize, u32> = HashMap::new();
        for i in order {
            let root = find(&mut uf, i);
            let next = ids.len() as u32;
            ids.entry(root).or_insert(next);
        }
        (0..self.nodes.len())
            .map(|i| ids.get(&find(&mut uf, i)).copied().unwrap_or(0))
            .collect()
    }

    /// The sub-topologies, in number order.
    pub fn subtopologies(&self) -> Vec<SubtopologyInfo> {
        let groups = self.groups();
        let count = groups.iter().map(|g| g + 1).max().unwrap_or(0);
        (0..count)
            .map(|id| {
                let mut info = SubtopologyInfo {
                    id,
                    source_topics: Vec::new(),
                    source_patterns: Vec::new(),
                    sink_topics: Vec::new(),
                    stores: Vec::new(),
                };
                for (i, n) in self.nodes.iter().enumerate().filter(|(i, _)| groups[*i] == id) {
                    match &n.kind {
                        NodeKind::Source { topics, pattern, .. } => {
                            info.source_topics.extend(topics.iter().cloned());
                            info.source_patterns.extend(pattern.iter().map(|(p, _)| p.clone()));
                        }
                        NodeKind::Sink { topic: Some(t) } => info.sink_topics.push(t.clone()),
                        NodeKind::Sink { topic: None } | NodeKind::Processor => {}
                    }
                    for &s in &self.nodes[i].stores {
                        let name = self.stores[s].name.to_string();
                        if !info.stores.contains(&name) {
                            info.stores.push(name);
                        }
                    }
                }
                info
            })
            .collect()
    }

    /// The sub-topology whose source reads `topic` (by name or pattern).
    pub fn subtopology_for_topic(&self, topic: &str) -> Option<u32> {
        let groups = self.groups();
        (0..self.nodes.len())
            .find(|&n| self.node_reads(n, topic))
            .map(|n| groups[n])
    }

    /// Whether node `n` is a source reading `topic`.
    pub(crate) fn node_reads(&self, n: usize, topic: &str) -> bool {
        match &self.nodes[n].kind {
            NodeKind::Source { topics, pattern, .. } => {
                topics.iter().any(|t| t == topic) || pattern.as_ref().is_some_and(|(_, r)| r.is_match(topic))
            }
            _ => false,
        }
    }

    /// The topics and pattern of source node `n`.
    pub(crate) fn source_subscription(&self, n: usize) -> (Vec<String>, Option<Regex>) {
        match &self.nodes[n].kind {
            NodeKind::Source { topics, pattern, .. } => (topics.clone(), pattern.as_ref().map(|(_, r)| r.clone())),
            _ => (Vec::new(), None),
        }
    }

    /// The offset reset policy of the source reading `topic`, if it set one.
    pub fn offset_reset_for(&self, topic: &str) -> Option<OffsetReset> {
        (0..self.nodes.len())
            .find(|&n| self.node_reads(n, topic))
            .and_then(|n| match &self.nodes[n].kind {
                NodeKind::Source { offset_reset, .. } => *offset_reset,
                _ => None,
            })
    }

    /// Node indices of sub-topology `id`, in the order they were added (a
    /// topological order: parents before children).
    pub(crate) fn subtopology_nodes(&self, id: u32) -> Option<Vec<usize>> {
        let nodes: Vec<usize> = self
            .groups()
            .iter()
            .enumerate()
            .filter(|(_, g)| **g == id)
            .map(|(i, _)| i)
            .collect();
        (!nodes.is_empty()).then_some(nodes)
    }

    pub(crate) fn stores_of(&self, nodes: &[usize]) -> Vec<&StoreDef> {
        let mut seen = Vec::new();
        for &n in nodes {
            for &s in &self.nodes[n].stores {
                if !seen.contains(&s) {
                    seen.push(s);
                }
            }
        }
        seen.into_iter().map(|s| &self.stores[s]).collect()
    }

    pub(crate) fn node(&self, n: usize) -> &NodeDef {
        &self.nodes[n]
    }

    pub(crate) fn store(&self, s: usize) -> &StoreDef {
        &self.stores[s]
    }

    pub(crate) fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Kafka Streams' description of this topology; its `Display` is the text
    /// Kafka Streams prints.
    pub fn describe(&self) -> TopologyDescription {
        describe::describe(self, &self.groups())
    }
}

impl std::fmt::Debug for Topology {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.describe())
    }
}
