//! Stage chains and internal topics, end to end through the driver.

#![allow(clippy::unwrap_used)]

use streams_core::prelude::*;
use streams_core::processor::{Downstream, EdgeResult};
use streams_core::topology::{ErasedStage, StageProcessor};
use test_driver::TopologyTestDriver;

fn keep_long(r: Record<String, String>, out: &dyn Downstream<String, String>) -> EdgeResult {
    if r.value.len() > 2 { out.accept(r) } else { Ok(()) }
}

fn length(r: Record<String, String>, out: &dyn Downstream<String, u64>) -> EdgeResult {
    let n = r.value.len() as u64;
    out.accept(r.with_value(n))
}

fn split(r: Record<String, String>, out: &dyn Downstream<String, String>) -> EdgeResult {
    for w in r.value.split(' ') {
        out.accept(Record::new(r.key.clone(), w.to_owned(), r.timestamp))?;
    }
    Ok(())
}

#[test]
fn a_fused_chain_gives_what_one_processor_per_stage_gives() {
    let fused = {
        let mut t = Topology::new();
        t.add_source("in", Source::<String, String>::new("in"))
            .unwrap()
            .add_stages(
                "chain",
                vec![
                    ErasedStage::new(split),
                    ErasedStage::new(keep_long),
                    ErasedStage::new(length),
                ],
                &["in"],
            )
            .unwrap()
            .add_sink("out", Sink::<String, u64>::new("out"), &["chain"])
            .unwrap();
        t
    };
    let separate = {
        let mut t = Topology::new();
        let s1 = std::sync::Arc::new(split);
        let s2 = std::sync::Arc::new(keep_long);
        let s3 = std::sync::Arc::new(length);
        t.add_source("in", Source::<String, String>::new("in"))
            .unwrap()
            .add_processor("a", move || StageProcessor::new(s1.clone()), &["in"])
            .unwrap()
            .add_processor("b", move || StageProcessor::new(s2.clone()), &["a"])
            .unwrap()
            .add_processor("c", move || StageProcessor::new(s3.clone()), &["b"])
            .unwrap()
            .add_sink("out", Sink::<String, u64>::new("out"), &["c"])
            .unwrap();
        t
    };
    let mut outputs = Vec::new();
    for t in [fused, separate] {
        let driver = TopologyTestDriver::new(t, StreamsConfig::new("stages")).unwrap();
        let input = driver.create_input_topic::<String, String>("in");
        let output = driver.create_output_topic::<String, u64>("out");
        input.pipe_input("k".into(), "a quick brown ox".into()).unwrap();
        outputs.push(output.read_key_values_to_list().unwrap());
    }
    assert_eq!(outputs[0], vec![("k".to_string(), 5), ("k".to_string(), 5)]);
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn stages_that_do_not_line_up_are_rejected_naming_the_node() {
    let mut t = Topology::new();
    t.add_source("in", Source::<String, String>::new("in")).unwrap();
    let err = t
        .add_stages(
            "chain",
            vec![ErasedStage::new(length), ErasedStage::new(keep_long)],
            &["in"],
        )
        .unwrap_err();
    assert!(err.to_string().contains("chain"), "{err}");
    assert!(matches!(
        t.add_stages("empty", Vec::new(), &["in"]).unwrap_err(),
        TopologyError::EmptyStageChain { .. }
    ));
}

#[test]
fn internal_topics_carry_the_application_id_but_describe_shows_their_name() {
    let mut t = Topology::new();
    t.add_source("in", Source::<String, String>::new("in"))
        .unwrap()
        .add_sink("to-rep", Sink::<String, String>::new("x-repartition"), &["in"])
        .unwrap()
        .add_source("from-rep", Source::<String, String>::new("x-repartition"))
        .unwrap()
        .add_sink("out", Sink::<String, String>::new("out"), &["from-rep"])
        .unwrap()
        .add_internal_topic("x-repartition");
    let before = t.describe().to_string();
    t.bind_application_id("app");
    assert_eq!(t.describe().to_string(), before);
    assert!(before.contains("(topic: x-repartition)"));
    assert!(t.subtopology_for_topic("app-x-repartition").is_some());
    assert!(t.subtopology_for_topic("x-repartition").is_none());

    let driver = TopologyTestDriver::new(t, StreamsConfig::new("app")).unwrap();
    let input = driver.create_input_topic::<String, String>("in");
    let output = driver.create_output_topic::<String, String>("out");
    input.pipe_input("k".into(), "v".into()).unwrap();
    assert_eq!(output.read_key_value().unwrap(), ("k".to_string(), "v".to_string()));
    assert!(driver.produced_topic_names().contains("app-x-repartition"));
}
