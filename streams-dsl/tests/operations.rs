//! Every DSL operation through the test driver, including null keys and
//! values, tombstones, repartition round trips, caching, both store types and
//! the change-pair rules of grouped-table aggregations.

#![allow(clippy::unwrap_used)]

use streams_dsl::prelude::*;
use test_driver::TopologyTestDriver;

fn driver(builder: &StreamsBuilder) -> TopologyTestDriver {
    TopologyTestDriver::new(builder.build().unwrap(), StreamsConfig::new("ops")).unwrap()
}

fn s(v: &str) -> String {
    v.to_owned()
}

#[test]
fn stateless_operations_transform_and_keep_timestamps() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .filter(|_, v| !v.is_empty())
        .filter_not(|k, _| k == "skip")
        .flat_map_values(|v| v.split(',').map(str::to_owned).collect::<Vec<_>>())
        .map_values_with_key(|k, v| format!("{k}:{v}"))
        .map(|k, v| (v.clone(), k.len() as i64))
        .flat_map(|k, v| vec![(k.clone(), *v), (k.to_uppercase(), v + 1)])
        .select_key(|k, _| format!("<{k}>"))
        .peek(|_, _| {})
        .to("out");
    let d = driver(&builder);
    let input = d.create_input_topic::<String, String>("in");
    input.pipe_input_with_timestamp(s("ab"), s("x,y"), 1_000).unwrap();
    input.pipe_input_with_timestamp(s("skip"), s("z"), 2_000).unwrap();
    input.pipe_input_with_timestamp(s("c"), s(""), 3_000).unwrap();
    let out = d
        .create_output_topic::<String, i64>("out")
        .read_records_to_list()
        .unwrap();
    let pairs: Vec<(String, i64, i64)> = out.into_iter().map(|r| (r.key, r.value, r.timestamp)).collect();
    assert_eq!(
        pairs,
        [
            (s("<ab:x>"), 2, 1_000),
            (s("<AB:X>"), 3, 1_000),
            (s("<ab:y>"), 2, 1_000),
            (s("<AB:Y>"), 3, 1_000)
        ]
    );
}

#[test]
fn null_keys_and_values_flow_through_stateless_operations_and_are_skipped_by_aggregations() {
    let builder = StreamsBuilder::new();
    let stream = builder.stream::<Option<String>, Option<String>>("in");
    stream.map_values(|v| v.as_ref().map(|s| s.len() as i64)).to("lengths");
    stream.group_by_key().count().to_stream().to("counts");
    let d = driver(&builder);
    let input = d.create_input_topic::<Option<String>, Option<String>>("in");
    input.pipe_input(None, Some(s("a"))).unwrap();
    input.pipe_input(Some(s("k")), None).unwrap();
    input.pipe_input(Some(s("k")), Some(s("abc"))).unwrap();
    let lengths = d.create_output_topic::<Option<String>, Option<i64>>("lengths");
    assert_eq!(
        lengths.read_key_values_to_list().unwrap(),
        [(None, Some(1)), (Some(s("k")), None), (Some(s("k")), Some(3))]
    );
    let counts = d.create_output_topic::<Option<String>, Option<i64>>("counts");
    assert_eq!(counts.read_key_values_to_list().unwrap(), [(Some(s("k")), Some(1))]);
}

#[test]
fn aggregations_emit_max_timestamp_and_support_every_store_kind() {
    for materialized in [
        Materialized::<String, i64>::as_("rocks"),
        Materialized::as_("rocks-uncached").with_caching_disabled(),
        Materialized::as_("memory").in_memory(),
        Materialized::as_("unlogged").in_memory().with_logging_disabled(),
    ] {
        let builder = StreamsBuilder::new();
        builder
            .stream::<String, i64>("in")
            .group_by_key()
            .aggregate_with(|| 0i64, |_, v, acc| acc + v, materialized)
            .to_stream()
            .to("out");
        let d = driver(&builder);
        let input = d.create_input_topic::<String, i64>("in");
        input.pipe_input_with_timestamp(s("a"), 1, 50).unwrap();
        input.pipe_input_with_timestamp(s("a"), 2, 10).unwrap();
        input.pipe_input_with_timestamp(s("b"), 5, 20).unwrap();
        let out: Vec<(String, Option<i64>, i64)> = d
            .create_output_topic::<String, Option<i64>>("out")
            .read_records_to_list()
            .unwrap()
            .into_iter()
            .map(|r| (r.key, r.value, r.timestamp))
            .collect();
        assert_eq!(
            out,
            [(s("a"), Some(1), 50), (s("a"), Some(3), 50), (s("b"), Some(5), 20)]
        );
    }
}

#[test]
fn aggregations_write_their_changelog() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .group_by_key()
        .count_with(Materialized::as_("counts"))
        .to_stream()
        .to("out");
    let d = driver(&builder);
    d.create_input_topic::<String, String>("in")
        .pipe_input(s("a"), s("x"))
        .unwrap();
    assert!(d.produced_topic_names().contains("ops-counts-changelog"));
    let store = d.timestamped_key_value_store::<String, i64>("counts").unwrap();
    assert_eq!(store.get(&s("a")).unwrap().map(|v| v.value), Some(1));
}

#[test]
fn a_key_change_before_an_aggregation_goes_through_the_repartition_topic() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .group_by_with(|_, v| v.clone(), Grouped::as_("by-value"))
        .count()
        .to_stream()
        .to("out");
    let d = driver(&builder);
    let input = d.create_input_topic::<String, String>("in");
    input.pipe_input(s("k1"), s("red")).unwrap();
    input.pipe_input(s("k2"), s("red")).unwrap();
    input.pipe_input(s("k3"), s("blue")).unwrap();
    assert!(d.produced_topic_names().contains("ops-by-value-repartition"));
    let out = d.create_output_topic::<String, i64>("out");
    assert_eq!(
        out.read_key_values_to_list().unwrap(),
        [(s("red"), 1), (s("red"), 2), (s("blue"), 1)]
    );
}

#[test]
fn repartition_round_trips_records_unchanged() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .select_key(|_, v| v.clone())
        .repartition()
        .to("out");
    let d = driver(&builder);
    d.create_input_topic::<String, String>("in")
        .pipe_input_with_timestamp(s("k"), s("v"), 42)
        .unwrap();
    let r = d.create_output_topic::<String, String>("out").read_record().unwrap();
    assert_eq!((r.key, r.value, r.timestamp), (s("v"), s("v"), 42));
    assert!(
        d.produced_topic_names()
            .contains("ops-KSTREAM-REPARTITION-0000000002-repartition")
    );
}

#[test]
fn tables_apply_tombstones_and_filter_emits_deletes() {
    let builder = StreamsBuilder::new();
    let table = builder.table::<String, i64>("t", Materialized::as_("t-store"));
    table.to_stream().to("all");
    table.filter(|_, v| *v > 10).to_stream().to("big");
    table.map_values(|v| v * 2).to_stream().to("doubled");
    let d = driver(&builder);
    let input = d.create_input_topic::<String, Option<i64>>("t");
    input.pipe_input(s("a"), Some(20)).unwrap();
    input.pipe_input(s("a"), Some(5)).unwrap();
    input.pipe_input(s("a"), None).unwrap();
    let all = d.create_output_topic::<String, Option<i64>>("all");
    assert_eq!(all.read_values_to_list().unwrap(), [Some(20), Some(5), None]);
    // The table is materialized, so (as Kafka Streams' KTableFilter) the
    // filter gets old values: 5 deletes the row that 20 made, and deleting
    // a row that was already filtered out sends nothing more.
    let big = d.create_output_topic::<String, Option<i64>>("big");
    assert_eq!(big.read_values_to_list().unwrap(), [Some(20), None]);
    let doubled = d.create_output_topic::<String, Option<i64>>("doubled");
    assert_eq!(doubled.read_values_to_list().unwrap(), [Some(40), Some(10), None]);
    let store = d.timestamped_key_value_store::<String, i64>("t-store").unwrap();
    assert_eq!(store.get(&s("a")).unwrap(), None);
}

#[test]
fn a_filter_with_old_values_emits_nothing_for_rows_rejected_before_and_after() {
    let builder = StreamsBuilder::new();
    builder
        .table::<String, i64>("t", Materialized::new())
        .filter(|_, v| *v > 10)
        .group_by(|k, v| (k.clone(), *v))
        .reduce(|a, b| a + b, |a, b| a - b)
        .to_stream()
        .to("out");
    let d = driver(&builder);
    let input = d.create_input_topic::<String, Option<i64>>("t");
    input.pipe_input(s("a"), Some(1)).unwrap();
    input.pipe_input(s("a"), Some(2)).unwrap();
    input.pipe_input(s("a"), Some(30)).unwrap();
    let out = d.create_output_topic::<String, Option<i64>>("out");
    assert_eq!(out.read_values_to_list().unwrap(), [Some(30)]);
}

/// `account -> "group:amount"`; the total amount per group.
fn account_totals() -> StreamsBuilder {
    let builder = StreamsBuilder::new();
    builder
        .table::<String, String>("accounts", Materialized::new())
        .group_by(|_, v| {
            let (group, amount) = v.split_once(':').unwrap();
            (group.to_owned(), amount.parse::<i64>().unwrap())
        })
        .aggregate(|| 0i64, |_, v, acc| acc + v, |_, v, acc| acc - v)
        .to_stream()
        .to("totals");
    builder
}

/// The totals written, with their timestamps.
fn totals(d: &TopologyTestDriver) -> Vec<(String, Option<i64>, i64)> {
    d.create_output_topic::<String, Option<i64>>("totals")
        .read_records_to_list()
        .unwrap()
        .into_iter()
        .map(|r| (r.key, r.value, r.timestamp))
        .collect()
}

#[test]
fn grouped_table_emits_one_result_when_the_group_is_unchanged() {
    let d = driver(&account_totals());
    let input = d.create_input_topic::<String, Option<String>>("accounts");
    input
        .pipe_input_with_timestamp(s("acc"), Some(s("north:10")), 100)
        .unwrap();
    input
        .pipe_input_with_timestamp(s("acc"), Some(s("north:25")), 200)
        .unwrap();
    let out = totals(&d);
    assert_eq!(out, [(s("north"), Some(10), 100), (s("north"), Some(25), 200)]);
}

#[test]
fn grouped_table_subtracts_from_the_old_group_first_then_adds_to_the_new() {
    let d = driver(&account_totals());
    let input = d.create_input_topic::<String, Option<String>>("accounts");
    input
        .pipe_input_with_timestamp(s("acc"), Some(s("north:10")), 100)
        .unwrap();
    input
        .pipe_input_with_timestamp(s("acc"), Some(s("south:10")), 200)
        .unwrap();
    input.pipe_input_with_timestamp(s("acc"), None, 300).unwrap();
    let out = totals(&d);
    // The emptied aggregate is emitted (0), not deleted.
    assert_eq!(
        out,
        [
            (s("north"), Some(10), 100),
            (s("north"), Some(0), 200),
            (s("south"), Some(10), 200),
            (s("south"), Some(0), 300)
        ]
    );
}

#[test]
fn grouped_table_count_and_reduce() {
    let builder = StreamsBuilder::new();
    let grouped = builder
        .table::<String, String>("user-region", Materialized::new())
        .group_by(|user, region| (region.clone(), user.clone()));
    grouped.count().to_stream().to("counts");
    grouped
        .reduce(|a, b| format!("{a}+{b}"), |a, b| a.replace(&format!("+{b}"), ""))
        .to_stream()
        .to("members");
    let d = driver(&builder);
    let input = d.create_input_topic::<String, Option<String>>("user-region");
    input.pipe_input(s("ann"), Some(s("eu"))).unwrap();
    input.pipe_input(s("bob"), Some(s("eu"))).unwrap();
    input.pipe_input(s("bob"), Some(s("us"))).unwrap();
    let counts = d.create_output_topic::<String, Option<i64>>("counts");
    assert_eq!(
        counts.read_key_values_to_list().unwrap(),
        [
            (s("eu"), Some(1)),
            (s("eu"), Some(2)),
            (s("eu"), Some(1)),
            (s("us"), Some(1))
        ]
    );
    let members = d.create_output_topic::<String, Option<String>>("members");
    assert_eq!(
        members.read_key_values_to_list().unwrap(),
        [
            (s("eu"), Some(s("ann"))),
            (s("eu"), Some(s("ann+bob"))),
            (s("eu"), Some(s("ann"))),
            (s("us"), Some(s("bob")))
        ]
    );
}

#[test]
fn to_table_and_to_dynamic() {
    let builder = StreamsBuilder::new();
    let stream = builder.stream::<String, String>("in");
    stream
        .to_table(Materialized::as_("latest"))
        .to_stream()
        .to("latest-out");
    stream.to_dynamic(|r| format!("out-{}", r.key), Produced::new());
    let d = driver(&builder);
    let input = d.create_input_topic::<String, String>("in");
    input.pipe_input(s("a"), s("1")).unwrap();
    input.pipe_input(s("b"), s("2")).unwrap();
    assert_eq!(
        d.create_output_topic::<String, String>("out-a").read_value().unwrap(),
        "1"
    );
    assert_eq!(
        d.create_output_topic::<String, String>("out-b").read_value().unwrap(),
        "2"
    );
    let latest = d.create_output_topic::<String, Option<String>>("latest-out");
    assert_eq!(latest.read_values_to_list().unwrap(), [Some(s("1")), Some(s("2"))]);
}

#[test]
fn split_sends_each_record_to_the_first_matching_branch_only() {
    let builder = StreamsBuilder::new();
    let branches = builder
        .stream::<String, i64>("in")
        .split()
        .branch(|_, v| *v > 100, Branched::as_("huge"))
        .branch(|_, v| *v > 10, Branched::as_("big"))
        .no_default_branch();
    assert_eq!(branches.len(), 2);
    branches["KSTREAM-BRANCH-0000000001huge"].to("huge");
    branches["KSTREAM-BRANCH-0000000001big"].to("big");
    let d = driver(&builder);
    let input = d.create_input_topic::<String, i64>("in");
    for v in [500, 50, 5] {
        input.pipe_input(s("k"), v).unwrap();
    }
    assert_eq!(
        d.create_output_topic::<String, i64>("huge")
            .read_values_to_list()
            .unwrap(),
        [500]
    );
    assert_eq!(
        d.create_output_topic::<String, i64>("big")
            .read_values_to_list()
            .unwrap(),
        [50]
    );
}

#[test]
fn consumed_serdes_and_extractor_apply_and_produced_serdes_write() {
    use streams_core::serde::{I64Serde, StringSerde};
    let builder = StreamsBuilder::new();
    builder
        .stream_with(
            "in",
            Consumed::with(StringSerde, I64Serde).with_timestamp_extractor(streams_core::TimestampExtractor::from_fn(
                |r: &Record<String, i64>, _| r.value,
            )),
        )
        .to_with("out", Produced::with(StringSerde, I64Serde));
    let d = driver(&builder);
    d.create_input_topic::<String, i64>("in")
        .pipe_input_with_timestamp(s("k"), 777, 1)
        .unwrap();
    let r = d.create_output_topic::<String, i64>("out").read_record().unwrap();
    assert_eq!((r.value, r.timestamp), (777, 777));
}

#[test]
fn an_unknown_optimization_is_an_error_naming_it() {
    let builder = StreamsBuilder::new();
    builder.stream::<String, String>("in").to("out");
    let config = StreamsConfig::new("app").with("topology.optimization", "merge.repartition.topics,bogus");
    let err = builder.build_with(&config).unwrap_err();
    assert!(err.to_string().contains("bogus"), "{err}");
}

#[test]
fn table_filter_not_and_map_values_with_key() {
    let builder = StreamsBuilder::new();
    builder
        .table::<String, i64>("t", Materialized::new().in_memory())
        .filter_not(|_, v| *v < 0)
        .map_values_with_key(|k, v| format!("{k}={v}"), None)
        .to_stream()
        .to("out");
    let d = driver(&builder);
    let input = d.create_input_topic::<String, Option<i64>>("t");
    input.pipe_input(s("a"), Some(1)).unwrap();
    input.pipe_input(s("a"), Some(-1)).unwrap();
    input.pipe_input(s("b"), Some(2)).unwrap();
    let out = d.create_output_topic::<String, Option<String>>("out");
    assert_eq!(
        out.read_key_values_to_list().unwrap(),
        [(s("a"), Some(s("a=1"))), (s("a"), None), (s("b"), Some(s("b=2")))]
    );
}

#[test]
fn fused_and_unfused_builds_of_one_program_give_the_same_output() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .filter(|_, v| v.len() > 1)
        .map_values(|v| v.to_uppercase())
        .flat_map_values(|v| v.chars().map(String::from).collect::<Vec<_>>())
        .select_key(|_, c| c.clone())
        .group_by_key()
        .count()
        .to_stream()
        .to("out");
    let mut outputs = Vec::new();
    for optimization in ["none", "all"] {
        let config = StreamsConfig::new("ops").with("topology.optimization", optimization);
        let d = TopologyTestDriver::new(builder.build_with(&config).unwrap(), config).unwrap();
        let input = d.create_input_topic::<String, String>("in");
        for v in ["ab", "b", "ba", "abc"] {
            input.pipe_input(s("k"), s(v)).unwrap();
        }
        outputs.push(
            d.create_output_topic::<String, i64>("out")
                .read_key_values_to_list()
                .unwrap(),
        );
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0].len(), 7);
}
