//! `describe()` of DSL programs: the text Kafka Streams prints for the same
//! program (node names, stores, repartition topics, sub-topology numbers).

#![allow(clippy::unwrap_used)]

use streams_dsl::prelude::*;

/// Kafka Streams' WordCountDemo, whose `describe()` output is printed in the
/// Kafka Streams documentation (Kafka 2.x and later).
#[test]
fn word_count_describes_as_kafka_streams_does() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("streams-plaintext-input")
        .flat_map_values(|v| v.to_lowercase().split(' ').map(str::to_owned).collect::<Vec<_>>())
        .group_by(|_, word| word.clone())
        .count_with(Materialized::as_("counts-store"))
        .to_stream()
        .to("streams-wordcount-output");
    let expected = "\
Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [streams-plaintext-input])
      --> KSTREAM-FLATMAPVALUES-0000000001
    Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])
      --> KSTREAM-KEY-SELECT-0000000002
      <-- KSTREAM-SOURCE-0000000000
    Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])
      --> counts-store-repartition-filter
      <-- KSTREAM-FLATMAPVALUES-0000000001
    Processor: counts-store-repartition-filter (stores: [])
      --> counts-store-repartition-sink
      <-- KSTREAM-KEY-SELECT-0000000002
    Sink: counts-store-repartition-sink (topic: counts-store-repartition)
      <-- counts-store-repartition-filter

  Sub-topology: 1
    Source: counts-store-repartition-source (topics: [counts-store-repartition])
      --> KSTREAM-AGGREGATE-0000000003
    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [counts-store])
      --> KTABLE-TOSTREAM-0000000007
      <-- counts-store-repartition-source
    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])
      --> KSTREAM-SINK-0000000008
      <-- KSTREAM-AGGREGATE-0000000003
    Sink: KSTREAM-SINK-0000000008 (topic: streams-wordcount-output)
      <-- KTABLE-TOSTREAM-0000000007

";
    assert_eq!(builder.build().unwrap().describe().to_string(), expected);
}

/// Unnamed stores and repartitions take generated names, and the
/// repartition's nodes are generated names too (three indices taken).
#[test]
fn generated_names_follow_kafka_streams_counter() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .map(|k, v| (v.clone(), k.clone()))
        .group_by_key()
        .count()
        .to_stream()
        .to("out");
    insta::assert_snapshot!("generated_names", builder.build().unwrap().describe().to_string());
}

#[test]
fn table_group_by_aggregate() {
    let builder = StreamsBuilder::new();
    builder
        .table::<String, String>("user-regions", Materialized::new())
        .group_by(|_, region| (region.clone(), 1i64))
        .count()
        .to_stream()
        .to("region-counts");
    insta::assert_snapshot!("table_group_by_count", builder.build().unwrap().describe().to_string());
}

#[test]
fn split_merge_and_named_operations() {
    let builder = StreamsBuilder::new();
    let branches = builder
        .stream_with::<String, i64>("numbers", Consumed::as_("numbers-source"))
        .split()
        .branch(|_, v| v % 2 == 0, Branched::new())
        .default_branch(Branched::as_("-odd"));
    let even = &branches["KSTREAM-BRANCH-00000000011"];
    let odd = &branches["KSTREAM-BRANCH-0000000001-odd"];
    even.map_values(|v| v * 10)
        .merge(odd)
        .filter_named(|_, v| *v > 0, Named::as_("positive"))
        .to_with("out", Produced::as_("out-sink"));
    insta::assert_snapshot!("split_merge_named", builder.build().unwrap().describe().to_string());
}

#[test]
fn two_aggregations_after_one_key_change_use_two_repartitions_unless_merged() {
    let builder = StreamsBuilder::new();
    let keyed = builder.stream::<String, i64>("in").select_key(|_, v| v.to_string());
    keyed.group_by_key().count().to_stream().to("counts");
    keyed.group_by_key().reduce(|a, b| a + b).to_stream().to("sums");
    let plain = builder.build().unwrap().describe().to_string();
    let config = StreamsConfig::new("app").with("topology.optimization", "merge.repartition.topics");
    let merged = builder.build_with(&config).unwrap().describe().to_string();
    assert_eq!(plain.matches("-repartition)").count(), 2);
    assert_eq!(merged.matches("-repartition)").count(), 1);
    insta::assert_snapshot!("merge_before", plain);
    insta::assert_snapshot!("merge_after", merged);
}
