//! Topology wiring errors and `describe()` snapshots.
//!
//! Each expected description was written from Kafka Streams' rules (see
//! `streams_core::topology` docs): nodes ordered by the size of the sub-graph
//! below them, then by name; sources' topic sets in Java `HashSet` order.

// A failing test panics: that is how it reports.
#![allow(clippy::unwrap_used)]

use streams_core::prelude::*;
use streams_core::{SinkSpec, SourceSpec, TopologyError};

struct Pass;

impl Processor<String, String> for Pass {
    fn process(&mut self, ctx: &mut ProcessorContext<String, String>, r: Record<String, String>) -> ProcessResult {
        ctx.forward(r)?;
        Ok(())
    }
}

struct Len;

impl Processor<String, String, String, u64> for Len {
    fn process(&mut self, ctx: &mut ProcessorContext<String, u64>, r: Record<String, String>) -> ProcessResult {
        let n = r.value.len() as u64;
        ctx.forward(r.with_value(n))?;
        Ok(())
    }
}

fn src(topic: &str) -> SourceSpec<String, String, impl Serde<String>, impl Serde<String>> {
    Source::new(topic)
}

fn sink(topic: &str) -> SinkSpec<String, String, impl Serde<String>, impl Serde<String>> {
    Sink::new(topic)
}

fn store(name: &str) -> InMemoryKeyValueStoreBuilder<String, String> {
    InMemoryKeyValueStoreBuilder::with_default_serdes(name)
}

#[test]
fn unknown_parent() {
    let mut t = Topology::new();
    t.add_source("s", src("in")).unwrap();
    let err = t.add_processor("p", || Pass, &["s", "ghost"]).unwrap_err();
    assert_eq!(
        err,
        TopologyError::UnknownParent {
            node: "p".into(),
            parent: "ghost".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "node p names parent ghost, which is not in the topology"
    );
}

#[test]
fn duplicate_names() {
    let mut t = Topology::new();
    t.add_source("s", src("in")).unwrap();
    assert_eq!(
        t.add_processor("s", || Pass, &["s"]).unwrap_err(),
        TopologyError::DuplicateNode { name: "s".into() }
    );
    t.add_processor("p", || Pass, &["s"]).unwrap();
    t.add_state_store(store("st"), &["p"]).unwrap();
    assert_eq!(
        t.add_state_store(store("st"), &["p"]).unwrap_err(),
        TopologyError::DuplicateStore { name: "st".into() }
    );
}

#[test]
fn type_mismatch_names_both_nodes() {
    let mut t = Topology::new();
    t.add_source("s", src("in"))
        .unwrap()
        .add_processor("len", || Len, &["s"])
        .unwrap();
    // `len` forwards (String, u64); `Pass` takes (String, String).
    let err = t.add_processor("pass", || Pass, &["len"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "type mismatch: len forwards (alloc::string::String, u64) but its child pass takes \
         (alloc::string::String, alloc::string::String)"
    );
    let err = t.add_sink("out", sink("out"), &["len"]).unwrap_err();
    assert!(
        matches!(err, TopologyError::TypeMismatch { ref parent, ref child, .. } if parent == "len" && child == "out")
    );
}

#[test]
fn unused_store_and_missing_sources_fail_validation() {
    let mut t = Topology::new();
    assert_eq!(t.validate().unwrap_err(), TopologyError::NoSources);
    t.add_source("s", src("in"))
        .unwrap()
        .add_processor("p", || Pass, &["s"])
        .unwrap();
    t.add_state_store(store("lonely"), &[]).unwrap();
    assert_eq!(
        t.validate().unwrap_err(),
        TopologyError::UnusedStore { store: "lonely".into() }
    );
    t.connect_processor_and_state_stores("p", &["lonely"]).unwrap();
    t.validate().unwrap();
}

#[test]
fn store_wiring_errors() {
    let mut t = Topology::new();
    t.add_source("s", src("in"))
        .unwrap()
        .add_processor("p", || Pass, &["s"])
        .unwrap();
    assert_eq!(
        t.add_state_store(store("st"), &["s"]).unwrap_err(),
        TopologyError::UnknownProcessor {
            store: "st".into(),
            node: "s".into()
        }
    );
    assert_eq!(
        t.connect_processor_and_state_stores("p", &["nope"]).unwrap_err(),
        TopologyError::UnknownStore {
            node: "p".into(),
            store: "nope".into()
        }
    );
}

#[test]
fn sources_and_sinks_misuse() {
    let mut t = Topology::new();
    t.add_source("a", src("in")).unwrap();
    assert_eq!(
        t.add_source("b", Source::<String, String>::new(["other", "in"]))
            .unwrap_err(),
        TopologyError::TopicAlreadyRegistered {
            topic: "in".into(),
            existing: "a".into(),
            source_node: "b".into()
        }
    );
    assert_eq!(
        t.add_source("c", Source::<String, String>::new(Vec::<String>::new()))
            .unwrap_err(),
        TopologyError::NoTopics {
            source_node: "c".into()
        }
    );
    let err = t
        .add_source("d", Source::<String, String>::new(Subscription::pattern("in-(")))
        .unwrap_err();
    assert!(matches!(err, TopologyError::InvalidPattern { ref source_node, .. } if source_node == "d"));
    t.add_sink("k", sink("out"), &["a"]).unwrap();
    assert_eq!(
        t.add_processor("p", || Pass, &["k"]).unwrap_err(),
        TopologyError::SinkAsParent {
            node: "p".into(),
            sink: "k".into()
        }
    );
    assert_eq!(
        t.add_processor("q", || Pass, &[]).unwrap_err(),
        TopologyError::NoParents { node: "q".into() }
    );
}

#[test]
fn describe_two_subtopologies_through_a_repartition_topic() {
    let mut t = Topology::new();
    t.add_source("words", src("words"))
        .unwrap()
        .add_processor("by-value", || Pass, &["words"])
        .unwrap()
        .add_sink("to-repartition", sink("app-sums-repartition"), &["by-value"])
        .unwrap()
        .add_source("from-repartition", src("app-sums-repartition"))
        .unwrap()
        .add_processor("sum", || Pass, &["from-repartition"])
        .unwrap()
        .add_state_store(store("sums"), &["sum"])
        .unwrap()
        .add_sink("result", sink("sums"), &["sum"])
        .unwrap();
    // Kafka Streams (4.x) numbers sub-topologies in the order their first
    // node was added: "words" before "from-repartition".
    let expected = "\
Topologies:
   Sub-topology: 0
    Source: words (topics: [words])
      --> by-value
    Processor: by-value (stores: [])
      --> to-repartition
      <-- words
    Sink: to-repartition (topic: app-sums-repartition)
      <-- by-value

  Sub-topology: 1
    Source: from-repartition (topics: [app-sums-repartition])
      --> sum
    Processor: sum (stores: [sums])
      --> result
      <-- from-repartition
    Sink: result (topic: sums)
      <-- sum

";
    assert_eq!(t.describe().to_string(), expected);
    let subs = t.subtopologies();
    assert_eq!(subs[0].sink_topics, ["app-sums-repartition"]);
    assert_eq!(subs[1].source_topics, ["app-sums-repartition"]);
    assert_eq!(subs[1].stores, ["sums"]);
}

#[test]
fn describe_orders_nodes_by_subtree_size_then_name() {
    let mut t = Topology::new();
    t.add_source("S", src("in"))
        .unwrap()
        .add_sink("B", sink("b"), &["S"])
        .unwrap()
        .add_processor("A", || Pass, &["S"])
        .unwrap()
        .add_processor("A1", || Pass, &["A"])
        .unwrap()
        .add_sink("A2", sink("a"), &["A1"])
        .unwrap();
    let expected = "\
Topologies:
   Sub-topology: 0
    Source: S (topics: [in])
      --> A, B
    Processor: A (stores: [])
      --> A1
      <-- S
    Processor: A1 (stores: [])
      --> A2
      <-- A
    Sink: A2 (topic: a)
      <-- A1
    Sink: B (topic: b)
      <-- S

";
    assert_eq!(t.describe().to_string(), expected);
}

#[test]
fn describe_merge_of_two_sources_and_multi_topic_source() {
    let mut t = Topology::new();
    t.add_source("right", Source::<String, String>::new(["topic-b", "topic-a", "input"]))
        .unwrap()
        .add_source("left", src("left-in"))
        .unwrap()
        .add_processor("merge", || Pass, &["right", "left"])
        .unwrap()
        .add_sink("out", sink("merged"), &["merge"])
        .unwrap();
    // Both sources have size 3: ordered by name. Merge's predecessors are
    // in the order Kafka Streams' TreeSet holds them: "right" is connected
    // first and has grown by the time "left" is compared with it. The three
    // topics print in Java HashSet order (buckets 1, 11 and 12 of 16).
    let expected = "\
Topologies:
   Sub-topology: 0
    Source: left (topics: [left-in])
      --> merge
    Source: right (topics: [input, topic-a, topic-b])
      --> merge
    Processor: merge (stores: [])
      --> out
      <-- right, left
    Sink: out (topic: merged)
      <-- merge

";
    assert_eq!(t.describe().to_string(), expected);
}

#[test]
fn describe_pattern_source_extractor_sink_and_shared_store() {
    let mut t = Topology::new();
    t.add_source("p-src", Source::<String, String>::new(Subscription::pattern("in-.*")))
        .unwrap()
        .add_processor("p1", || Pass, &["p-src"])
        .unwrap()
        .add_sink(
            "dynamic",
            Sink::<String, String>::new(SinkTopic::extractor(|r: &Record<String, String>| r.key.clone())),
            &["p1"],
        )
        .unwrap()
        .add_source("other", src("other"))
        .unwrap()
        .add_processor("p2", || Pass, &["other"])
        .unwrap()
        // One store used by p1 and p2 joins their components into one sub-topology.
        .add_state_store(store("shared"), &["p1", "p2"])
        .unwrap();
    // Sizes: p-src 3; other and p1 2 (then by name); dynamic and p2 1.
    let expected = "\
Topologies:
   Sub-topology: 0
    Source: p-src (topics: in-.*)
      --> p1
    Source: other (topics: [other])
      --> p2
    Processor: p1 (stores: [shared])
      --> dynamic
      <-- p-src
    Sink: dynamic (extractor class: TopicNameExtractor)
      <-- p1
    Processor: p2 (stores: [shared])
      --> none
      <-- other

";
    assert_eq!(t.describe().to_string(), expected);
    assert_eq!(t.subtopologies().len(), 1);
    assert_eq!(t.subtopology_for_topic("in-x"), Some(0));
    assert_eq!(t.subtopology_for_topic("nope"), None);
}
