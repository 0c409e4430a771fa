//! Windowed aggregations through the test driver: time windows (tumbling,
//! hopping, unlimited) and sessions, with in-order, out-of-order and late
//! records, grace, emit strategies, caching, retention, and Kafka's
//! windowed key bytes.

// Tests report failures by panicking.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use streams_core::serde::{I64Serde, OptionSerde, SessionWindowedSerde, StringSerde, TimeWindowedSerde};
use streams_core::store::ValueAndTimestamp;
use streams_dsl::prelude::*;
use streams_dsl::windows::{EmitStrategy, SessionWindows, SlidingWindows, TimeWindows, UnlimitedWindows};
use test_driver::{TestOutputTopic, TopologyTestDriver};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// `(key, start, end, count, timestamp)` of each windowed output record.
type Row = (String, i64, i64, Option<i64>, i64);

fn rows(out: &TestOutputTopic<Windowed<String>, Option<i64>>) -> Vec<Row> {
    out.read_records_to_list()
        .unwrap()
        .into_iter()
        .map(|r| (r.key.key, r.key.window.start, r.key.window.end, r.value, r.timestamp))
        .collect()
}

struct Windowing {
    driver: TopologyTestDriver,
    out: TestOutputTopic<Windowed<String>, Option<i64>>,
}

impl Windowing {
    fn pipe(&self, key: &str, timestamp: i64) {
        self.driver
            .create_input_topic::<String, String>("in")
            .pipe_input_with_timestamp(key.into(), "v".into(), timestamp)
            .unwrap();
    }

    fn rows(&self) -> Vec<Row> {
        rows(&self.out)
    }

    fn dropped(&self) -> u64 {
        self.driver.metrics().dropped_records
    }
}

fn time_windowed(windows: TimeWindows, emit: EmitStrategy, materialized: Materialized<String, i64>) -> Windowing {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .group_by_key()
        .windowed_by(windows)
        .emit_strategy(emit)
        .count_with(materialized)
        .to_stream()
        .to("out");
    let driver = TopologyTestDriver::new(builder.build().unwrap(), StreamsConfig::new("win")).unwrap();
    let out = driver.create_output_topic_with_serdes(
        "out",
        TimeWindowedSerde::new(StringSerde, windows.size_ms()),
        OptionSerde(I64Serde),
    );
    Windowing { driver, out }
}

fn uncached() -> Materialized<String, i64> {
    Materialized::as_("counts").with_caching_disabled()
}

#[test]
fn tumbling_counts_in_order_and_out_of_order() {
    let w = time_windowed(
        TimeWindows::of_size_and_grace(ms(10), ms(5)).unwrap(),
        EmitStrategy::on_window_update(),
        uncached(),
    );
    w.pipe("a", 3);
    w.pipe("a", 12);
    w.pipe("b", 14);
    // Out of order but within grace: [0,10) is open while stream time - 5 < 10.
    w.pipe("a", 7);
    assert_eq!(
        w.rows(),
        [
            ("a".into(), 0, 10, Some(1), 3),
            ("a".into(), 10, 20, Some(1), 12),
            ("b".into(), 10, 20, Some(1), 14),
            // The window's timestamp is the max of its records.
            ("a".into(), 0, 10, Some(2), 7),
        ]
    );
    assert_eq!(w.dropped(), 0);
}

#[test]
fn late_records_are_dropped_and_counted() {
    let w = time_windowed(
        TimeWindows::of_size_and_grace(ms(10), ms(5)).unwrap(),
        EmitStrategy::on_window_update(),
        uncached(),
    );
    w.pipe("a", 3);
    w.pipe("a", 15);
    // Stream time 15, grace 5: [0,10) closed at 15 (10 <= 15 - 5).
    w.pipe("a", 9);
    // Another key is dropped the same way: stream time is per operator.
    w.pipe("b", 1);
    assert_eq!(
        w.rows(),
        [("a".into(), 0, 10, Some(1), 3), ("a".into(), 10, 20, Some(1), 15)]
    );
    assert_eq!(w.dropped(), 2);
    // Still on time for [10,20).
    w.pipe("a", 11);
    assert_eq!(w.rows(), [("a".into(), 10, 20, Some(2), 15)]);
}

#[test]
fn hopping_windows_update_each_window_in_start_order() {
    let windows = TimeWindows::of_size_with_no_grace(ms(10))
        .unwrap()
        .advance_by(ms(5))
        .unwrap();
    let w = time_windowed(windows, EmitStrategy::on_window_update(), uncached());
    w.pipe("a", 7);
    w.pipe("a", 12);
    assert_eq!(
        w.rows(),
        [
            ("a".into(), 0, 10, Some(1), 7),
            ("a".into(), 5, 15, Some(1), 7),
            ("a".into(), 5, 15, Some(2), 12),
            ("a".into(), 10, 20, Some(1), 12),
        ]
    );
    // At stream time 12 with no grace, [0,10) is closed, [5,15) is not: a
    // record at 8 is dropped for one window and kept in the other.
    w.pipe("a", 8);
    assert_eq!(w.rows(), [("a".into(), 5, 15, Some(3), 12)]);
    assert_eq!(w.dropped(), 1);
}

#[test]
fn emit_on_window_close_emits_each_window_once_and_final() {
    let w = time_windowed(
        TimeWindows::of_size_and_grace(ms(10), ms(5)).unwrap(),
        EmitStrategy::on_window_close(),
        Materialized::as_("counts"),
    );
    for (k, t) in [("b", 1), ("a", 2), ("a", 8), ("a", 13)] {
        w.pipe(k, t);
    }
    assert!(w.rows().is_empty(), "nothing closes before stream time 15");
    // Late but within grace: counted in the window before it closes.
    w.pipe("a", 9);
    w.pipe("a", 15);
    // [0,10) closes at 15, ordered by start, then key bytes.
    assert_eq!(
        w.rows(),
        [("a".into(), 0, 10, Some(3), 9), ("b".into(), 0, 10, Some(1), 1)]
    );
    w.pipe("a", 4);
    assert_eq!(w.dropped(), 1);
    // [10,20) closes at 25; emitted after the record's own writes, as Kafka
    // Streams does (a record far enough ahead, say at 40, would first
    // expire the window from its 15 ms store, and Kafka Streams emits
    // nothing then: the conformance test checks that against it).
    w.pipe("c", 26);
    assert_eq!(w.rows(), [("a".into(), 10, 20, Some(2), 15)]);
}

#[test]
fn caching_forwards_one_result_per_window_per_commit() {
    let w = time_windowed(
        TimeWindows::of_size_with_no_grace(ms(10)).unwrap(),
        EmitStrategy::on_window_update(),
        Materialized::as_("counts"),
    );
    w.pipe("a", 1);
    w.pipe("a", 2);
    // The driver commits after each record, so each update is flushed.
    assert_eq!(
        w.rows(),
        [("a".into(), 0, 10, Some(1), 1), ("a".into(), 0, 10, Some(2), 2)]
    );
}

#[test]
fn unlimited_windows_count_everything_from_their_start() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .group_by_key()
        .windowed_by(UnlimitedWindows::of().starting_at(ms(5)).unwrap())
        .count_with(uncached().with_store_type(StoreType::InMemory))
        .to_stream()
        .to("out");
    let driver = TopologyTestDriver::new(builder.build().unwrap(), StreamsConfig::new("win")).unwrap();
    let input = driver.create_input_topic::<String, String>("in");
    for t in [1, 5, 1_000_000] {
        input.pipe_input_with_timestamp("a".into(), "v".into(), t).unwrap();
    }
    let out = driver.create_output_topic_with_serdes(
        "out",
        TimeWindowedSerde::new(StringSerde, i64::MAX - 5),
        OptionSerde(I64Serde),
    );
    assert_eq!(
        rows(&out),
        [
            ("a".into(), 5, i64::MAX, Some(1), 5),
            ("a".into(), 5, i64::MAX, Some(2), 1_000_000)
        ]
    );
}

#[test]
fn window_store_expires_windows_after_retention() {
    let w = time_windowed(
        TimeWindows::of_size_with_no_grace(ms(10)).unwrap(),
        EmitStrategy::on_window_update(),
        uncached().with_retention(ms(30)),
    );
    w.pipe("a", 1);
    w.pipe("a", 25);
    let store = w
        .driver
        .window_store::<String, ValueAndTimestamp<i64>>("counts")
        .unwrap();
    assert_eq!(store.fetch_one(&"a".into(), 0).unwrap().map(|v| v.value), Some(1));
    // A window starting at 40 puts stream time 40 in the store: start 0 is
    // no longer within the 30 ms retention.
    w.pipe("a", 45);
    assert_eq!(store.fetch_one(&"a".into(), 0).unwrap(), None);
    assert_eq!(store.fetch_one(&"a".into(), 20).unwrap().map(|v| v.value), Some(1));
}

#[test]
fn retention_shorter_than_size_plus_grace_fails_the_build() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .group_by_key()
        .windowed_by(TimeWindows::of_size_and_grace(ms(10), ms(5)).unwrap())
        .count_with(Materialized::as_("short").with_retention(ms(12)));
    let err = builder.build().unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, TopologyError::InvalidStore { ref store, .. } if store == "short"),
        "{text}"
    );
    assert!(text.contains("12 ms") && text.contains("15 ms"), "{text}");
}

#[test]
fn windowed_keys_are_written_in_kafka_bytes() {
    let w = time_windowed(
        TimeWindows::of_size_with_no_grace(ms(60_000)).unwrap(),
        EmitStrategy::on_window_update(),
        uncached(),
    );
    w.pipe("alice", 61_000);
    let raw = w
        .driver
        .create_output_topic_with_serdes("out", streams_core::serde::BytesSerde, I64Serde);
    let (key, value) = raw.read_key_value().unwrap();
    assert_eq!(key, [b"alice".as_slice(), &60_000i64.to_be_bytes()].concat());
    assert_eq!(value, 1);
}

#[test]
fn windowed_reduce_and_aggregate() {
    let builder = StreamsBuilder::new();
    let grouped = builder.stream::<String, i64>("in").group_by_key();
    let windows = TimeWindows::of_size_with_no_grace(ms(10)).unwrap();
    grouped
        .windowed_by(windows)
        .reduce_with(|a, b| (*a).max(*b), Materialized::as_("max").with_caching_disabled())
        .to_stream()
        .map(|k, v| (k.to_string(), v.unwrap_or(-1)))
        .to("max");
    grouped
        .windowed_by(windows)
        .aggregate_with(
            String::new,
            |_, v, acc| format!("{acc}{v}"),
            Materialized::as_("concat").with_caching_disabled(),
        )
        .to_stream()
        .map(|k, v| (k.to_string(), v.clone().unwrap_or_default()))
        .to("concat");
    let driver = TopologyTestDriver::new(builder.build().unwrap(), StreamsConfig::new("win")).unwrap();
    let input = driver.create_input_topic::<String, i64>("in");
    for (v, t) in [(3, 1), (9, 2), (4, 11)] {
        input.pipe_input_with_timestamp("k".into(), v, t).unwrap();
    }
    let max = driver.create_output_topic::<String, i64>("max");
    assert_eq!(
        max.read_key_values_to_list().unwrap(),
        [
            ("[k@0/10]".to_string(), 3),
            ("[k@0/10]".to_string(), 9),
            ("[k@10/20]".to_string(), 4)
        ]
    );
    let concat = driver.create_output_topic::<String, String>("concat");
    assert_eq!(concat.read_values_to_list().unwrap(), ["3", "39", "4"]);
}

// ------------------------------------------------------------------ sessions

/// Sessions kept 100 ms. With the default retention (gap + grace) the
/// store forgets a session once a later session ends `gap + grace` after
/// it, so an out-of-order record can no longer bridge the two (as in Kafka
/// Streams: see `default_retention_forgets_sessions_as_kafka_streams_does`);
/// the longer retention keeps the merges below about merging only.
fn sessions(gap: u64, grace: u64) -> Windowing {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .group_by_key()
        .windowed_by(SessionWindows::of_inactivity_gap_and_grace(ms(gap), ms(grace)).unwrap())
        .count_with(uncached().with_retention(ms(100)))
        .to_stream()
        .to("out");
    let driver = TopologyTestDriver::new(builder.build().unwrap(), StreamsConfig::new("ses")).unwrap();
    let out =
        driver.create_output_topic_with_serdes("out", SessionWindowedSerde::new(StringSerde), OptionSerde(I64Serde));
    Windowing { driver, out }
}

#[test]
fn sessions_merge_with_tombstones_for_the_merged_away() {
    let s = sessions(10, 0);
    s.pipe("a", 0);
    s.pipe("a", 5);
    s.pipe("b", 6);
    s.pipe("a", 30);
    // 20 is within the gap of [0,5] (ends at 5, 20 - 10 = 10 > 5: no) and of
    // [30,30] (30 - 20 = 10: yes): merges with [30,30] only.
    s.pipe("a", 20);
    assert_eq!(
        s.rows(),
        [
            ("a".into(), 0, 0, Some(1), 0),
            // [0,0] is merged away (tombstone at its end), then [0,5].
            ("a".into(), 0, 0, None, 0),
            ("a".into(), 0, 5, Some(2), 5),
            ("b".into(), 6, 6, Some(1), 6),
            ("a".into(), 30, 30, Some(1), 30),
            ("a".into(), 30, 30, None, 30),
            ("a".into(), 20, 30, Some(2), 30),
        ]
    );
    // A record bridging [0,5] and [20,30] merges all three.
    s.pipe("a", 14);
    assert_eq!(
        s.rows(),
        [
            ("a".into(), 0, 5, None, 5),
            ("a".into(), 20, 30, None, 30),
            ("a".into(), 0, 30, Some(5), 30),
        ]
    );
}

/// The output Kafka Streams 4.0.0's `TopologyTestDriver` gives for the same
/// program and input (gap 10 ms, no grace, default retention, no cache).
#[test]
fn default_retention_forgets_sessions_as_kafka_streams_does() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .group_by_key()
        .windowed_by(SessionWindows::of_inactivity_gap_with_no_grace(ms(10)).unwrap())
        .count_with(uncached())
        .to_stream()
        .to("out");
    let driver = TopologyTestDriver::new(builder.build().unwrap(), StreamsConfig::new("ses")).unwrap();
    let out =
        driver.create_output_topic_with_serdes("out", SessionWindowedSerde::new(StringSerde), OptionSerde(I64Serde));
    let input = driver.create_input_topic::<String, String>("in");
    for t in [0, 5, 30, 20, 14] {
        input.pipe_input_with_timestamp("a".into(), "v".into(), t).unwrap();
    }
    // By 14, [0,5] has expired (it ended 10 ms or more before [20,30]): 14
    // joins [20,30] only.
    assert_eq!(
        rows(&out),
        [
            ("a".into(), 0, 0, Some(1), 0),
            ("a".into(), 0, 0, None, 0),
            ("a".into(), 0, 5, Some(2), 5),
            ("a".into(), 30, 30, Some(1), 30),
            ("a".into(), 30, 30, None, 30),
            ("a".into(), 20, 30, Some(2), 30),
            ("a".into(), 20, 30, None, 30),
            ("a".into(), 14, 30, Some(3), 30),
        ]
    );
}

#[test]
fn a_record_inside_a_session_replaces_it_and_one_on_a_point_session_updates_it() {
    let s = sessions(10, 0);
    s.pipe("a", 5);
    // Exactly on the single-point session [5,5]: just an update.
    s.pipe("a", 5);
    s.pipe("a", 9);
    // Inside [5,9]: the merged window equals the existing one, which is
    // still deleted first.
    s.pipe("a", 7);
    assert_eq!(
        s.rows(),
        [
            ("a".into(), 5, 5, Some(1), 5),
            ("a".into(), 5, 5, Some(2), 5),
            ("a".into(), 5, 5, None, 5),
            ("a".into(), 5, 9, Some(3), 9),
            ("a".into(), 5, 9, None, 9),
            ("a".into(), 5, 9, Some(4), 9),
        ]
    );
}

#[test]
fn late_sessions_are_dropped_after_gap_and_grace() {
    let s = sessions(10, 5);
    s.pipe("a", 100);
    // close = 100 - 10 - 5 = 85: a session ending at 84 is late, 85 is not.
    s.pipe("b", 84);
    s.pipe("b", 85);
    assert_eq!(
        s.rows(),
        [("a".into(), 100, 100, Some(1), 100), ("b".into(), 85, 85, Some(1), 85)]
    );
    assert_eq!(s.dropped(), 1);
}

#[test]
fn session_reduce_and_aggregate_merge_aggregates() {
    let builder = StreamsBuilder::new();
    let grouped = builder.stream::<String, String>("in").group_by_key();
    let windows = SessionWindows::of_inactivity_gap_with_no_grace(ms(10)).unwrap();
    grouped
        .windowed_by(windows)
        .reduce_with(
            |a, b| format!("{a}+{b}"),
            Materialized::as_("r").with_caching_disabled().with_retention(ms(100)),
        )
        .to_stream()
        .filter(|_, v| v.is_some())
        .map(|k, v| (k.to_string(), v.clone().unwrap_or_default()))
        .to("reduced");
    grouped
        .windowed_by(windows)
        .aggregate_with(
            || 0i64,
            |_, v, acc| acc + v.len() as i64,
            |_, a, b| a + b,
            Materialized::as_("agg").with_caching_disabled().with_retention(ms(100)),
        )
        .to_stream()
        .filter(|_, v| v.is_some())
        .map(|k, v| (k.to_string(), v.unwrap_or(0)))
        .to("lengths");
    let driver = TopologyTestDriver::new(builder.build().unwrap(), StreamsConfig::new("ses")).unwrap();
    let input = driver.create_input_topic::<String, String>("in");
    for (v, t) in [("x", 0), ("yy", 20), ("zzz", 10)] {
        input.pipe_input_with_timestamp("k".into(), v.into(), t).unwrap();
    }
    let reduced = driver.create_output_topic::<String, String>("reduced");
    assert_eq!(
        reduced.read_key_values_to_list().unwrap(),
        [
            ("[k@0/0]".to_string(), "x".to_string()),
            ("[k@20/20]".to_string(), "yy".to_string()),
            ("[k@0/20]".to_string(), "x+yy+zzz".to_string()),
        ]
    );
    let lengths = driver.create_output_topic::<String, i64>("lengths");
    assert_eq!(lengths.read_values_to_list().unwrap(), [1, 2, 6]);
}

#[test]
fn cached_sessions_flush_tombstones_and_results_at_their_ends() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .group_by_key()
        .windowed_by(SessionWindows::of_inactivity_gap_with_no_grace(ms(10)).unwrap())
        .count_with(Materialized::as_("cached"))
        .to_stream()
        .to("out");
    let driver = TopologyTestDriver::new(builder.build().unwrap(), StreamsConfig::new("ses")).unwrap();
    let out =
        driver.create_output_topic_with_serdes("out", SessionWindowedSerde::new(StringSerde), OptionSerde(I64Serde));
    let input = driver.create_input_topic::<String, String>("in");
    input.pipe_input_with_timestamp("a".into(), "v".into(), 3).unwrap();
    input.pipe_input_with_timestamp("a".into(), "v".into(), 8).unwrap();
    assert_eq!(
        rows(&out),
        [
            ("a".into(), 3, 3, Some(1), 3),
            ("a".into(), 3, 3, None, 3),
            ("a".into(), 3, 8, Some(2), 8)
        ]
    );
}

// ------------------------------------------------------------------ sliding

fn sliding(difference: u64, grace: u64) -> Windowing {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .group_by_key()
        .windowed_by(SlidingWindows::of_time_difference_and_grace(ms(difference), ms(grace)).unwrap())
        .count_with(uncached())
        .to_stream()
        .to("out");
    let driver = TopologyTestDriver::new(builder.build().unwrap(), StreamsConfig::new("sl")).unwrap();
    let out = driver.create_output_topic_with_serdes(
        "out",
        TimeWindowedSerde::new(StringSerde, difference as i64),
        OptionSerde(I64Serde),
    );
    Windowing { driver, out }
}

#[test]
fn sliding_windows_create_left_and_right_windows_around_records() {
    let s = sliding(10, 100);
    s.pipe("a", 10);
    s.pipe("a", 15);
    assert_eq!(
        s.rows(),
        [
            ("a".into(), 0, 10, Some(1), 10),
            // The previous record's right window [11,21] now holds 15, then
            // 15's left window [5,15] holds both.
            ("a".into(), 11, 21, Some(1), 15),
            ("a".into(), 5, 15, Some(2), 15),
        ]
    );
    // Out of order: 12 updates the windows holding it, latest first, then
    // creates its left window [2,12] (with 10) and its right window [13,23]
    // (with 15, copied as it is).
    s.pipe("a", 12);
    assert_eq!(
        s.rows(),
        [
            ("a".into(), 11, 21, Some(2), 15),
            ("a".into(), 5, 15, Some(3), 15),
            ("a".into(), 2, 12, Some(2), 12),
            ("a".into(), 13, 23, Some(1), 15),
        ]
    );
}

/// Every window a sliding count holds, worked out from the records alone:
/// each record's left window `[t - d, t]` (`[0, d]` for early records) and,
/// when later records fall in it, its right window `[t + 1, t + 1 + d]`,
/// each counting the records inside (both bounds inclusive).
fn sliding_model(times: &[i64], d: i64) -> Vec<(i64, i64, i64)> {
    let count = |s: i64| times.iter().filter(|&&t| s <= t && t <= s + d).count() as i64;
    let mut starts: Vec<i64> = Vec::new();
    for &t in times {
        starts.push((t - d).max(0));
        if times.iter().any(|&u| u > t && u <= t + 1 + d) {
            starts.push(t + 1);
        }
    }
    starts.sort_unstable();
    starts.dedup();
    starts.into_iter().map(|s| (s, s + d, count(s))).collect()
}

#[test]
fn sliding_windows_hold_exactly_the_records_within_the_difference() {
    let d = 10;
    let times = [10, 15, 20, 22, 30, 12, 5, 3, 40, 41, 29, 55, 60, 50];
    let s = sliding(d as u64, 1_000);
    for &t in &times {
        s.pipe("a", t);
    }
    let store = s
        .driver
        .window_store::<String, ValueAndTimestamp<i64>>("counts")
        .unwrap();
    let stored: Vec<(i64, i64, i64)> = store
        .fetch(&"a".into(), 0, i64::MAX)
        .unwrap()
        .into_iter()
        .map(|(start, v)| (start, start + d, v.value))
        .collect();
    assert_eq!(stored, sliding_model(&times, d));
    assert_eq!(s.dropped(), 0);
}

#[test]
fn late_sliding_records_are_dropped() {
    let s = sliding(10, 0);
    // Ends are inclusive: [40,50] is still open at stream time 50.
    s.pipe("a", 50);
    // 39 + 1 + 10 = 50 <= stream time: every window holding 39 has closed.
    s.pipe("a", 39);
    // 45 still counts in [40,50]; its left window [35,45] is closed; its
    // right window [46,56] is created with 50 in it.
    s.pipe("a", 45);
    assert_eq!(
        s.rows(),
        [
            ("a".into(), 40, 50, Some(1), 50),
            ("a".into(), 40, 50, Some(2), 50),
            ("a".into(), 46, 56, Some(1), 50)
        ]
    );
    assert_eq!(s.dropped(), 2);
}

#[test]
fn sliding_emit_on_close_emits_final_windows() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .group_by_key()
        .windowed_by(SlidingWindows::of_time_difference_with_no_grace(ms(10)).unwrap())
        .emit_strategy(EmitStrategy::on_window_close())
        .count()
        .to_stream()
        .to("out");
    let driver = TopologyTestDriver::new(builder.build().unwrap(), StreamsConfig::new("sl")).unwrap();
    let out =
        driver.create_output_topic_with_serdes("out", TimeWindowedSerde::new(StringSerde, 10), OptionSerde(I64Serde));
    let input = driver.create_input_topic::<String, String>("in");
    for t in [10, 15, 30] {
        input.pipe_input_with_timestamp("a".into(), "v".into(), t).unwrap();
    }
    // [0,10] closes at 15 (its end is before the stream time), [5,15] and
    // [11,21] at 30.
    assert_eq!(
        rows(&out),
        [
            ("a".into(), 0, 10, Some(1), 10),
            ("a".into(), 5, 15, Some(2), 15),
            ("a".into(), 11, 21, Some(1), 15)
        ]
    );
}

#[test]
fn session_emit_on_close_emits_each_final_session_once() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .group_by_key()
        .windowed_by(SessionWindows::of_inactivity_gap_and_grace(ms(10), ms(5)).unwrap())
        .emit_strategy(EmitStrategy::on_window_close())
        .count()
        .to_stream()
        .to("out");
    let driver = TopologyTestDriver::new(builder.build().unwrap(), StreamsConfig::new("ses")).unwrap();
    let out =
        driver.create_output_topic_with_serdes("out", SessionWindowedSerde::new(StringSerde), OptionSerde(I64Serde));
    let input = driver.create_input_topic::<String, String>("in");
    let pipe = |k: &str, t| input.pipe_input_with_timestamp(k.into(), "v".into(), t).unwrap();
    pipe("b", 2);
    pipe("a", 0);
    pipe("a", 8);
    assert!(rows(&out).is_empty());
    // close = 23 - 10 - 5 = 8: [b@2/2] is final, [a@0/8] is not.
    pipe("c", 23);
    assert_eq!(rows(&out), [("b".into(), 2, 2, Some(1), 2)]);
    // close = 9: [a@0/8] is, emitted once (no merge tombstones on close).
    pipe("c", 24);
    assert_eq!(rows(&out), [("a".into(), 0, 8, Some(2), 8)]);
    pipe("c", 100);
    assert_eq!(rows(&out), [("c".into(), 23, 24, Some(2), 24)]);
}

/// Final results carry the headers of the record that closed them, as Kafka
/// Streams' emit-on-close forwards `record.withKey(..)`; a session far
/// behind the closing record is still found (the store keeps it until its
/// whole segment expires).
#[test]
fn final_results_carry_the_closing_records_headers() {
    let builder = StreamsBuilder::new();
    let grouped = builder.stream::<String, String>("in").group_by_key();
    grouped
        .clone()
        .windowed_by(SessionWindows::of_inactivity_gap_and_grace(ms(10), ms(5)).unwrap())
        .emit_strategy(EmitStrategy::on_window_close())
        .count()
        .to_stream()
        .to("sessions");
    grouped
        .windowed_by(TimeWindows::of_size_and_grace(ms(10), ms(5)).unwrap())
        .emit_strategy(EmitStrategy::on_window_close())
        // Long enough a retention that the record at 1000 finds [0, 10).
        .count_with(Materialized::as_("w").with_retention(ms(5_000)))
        .to_stream()
        .to("windows");
    let driver = TopologyTestDriver::new(builder.build().unwrap(), StreamsConfig::new("hdr")).unwrap();
    let sessions = driver.create_output_topic_with_serdes(
        "sessions",
        SessionWindowedSerde::new(StringSerde),
        OptionSerde(I64Serde),
    );
    let windows = driver.create_output_topic_with_serdes(
        "windows",
        TimeWindowedSerde::new(StringSerde, 10),
        OptionSerde(I64Serde),
    );
    let input = driver.create_input_topic::<String, String>("in");
    input.pipe_input_with_timestamp("a".into(), "v".into(), 3).unwrap();
    let closing = Record::new("b".to_owned(), "v".to_owned(), 1_000).with_headers(Headers::new().with("trace", "t-1"));
    input.pipe_record(closing).unwrap();
    let session = sessions.read_record().unwrap();
    assert_eq!((session.key.key.as_str(), session.key.window), ("a", Window::new(3, 3)));
    assert_eq!(session.value, Some(1));
    let window = windows.read_record().unwrap();
    assert_eq!((window.key.key.as_str(), window.key.window.start), ("a", 0));
    for headers in [&session.headers, &window.headers] {
        let trace = headers.last_header("trace").and_then(|h| h.value.clone());
        assert_eq!(trace.as_deref(), Some(&b"t-1"[..]));
    }
}
