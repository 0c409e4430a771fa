//! Punctuation through the driver reproduces Kafka Streams' schedules.

// A failing test panics: that is how it reports.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use streams_core::prelude::*;
use test_driver::TopologyTestDriver;

/// Forwards each record as ("record", ts) and each punctuation as ("punctuate", ts);
/// cancels its schedule after `cancel_after` punctuations.
struct Ticker {
    kind: PunctuationType,
    interval: Duration,
    cancel_after: usize,
    fired: usize,
    schedule: Option<Cancellable>,
}

impl Processor<String, String, String, i64> for Ticker {
    fn init(&mut self, ctx: &mut ProcessorContext<String, i64>) -> ProcessResult {
        self.schedule = Some(ctx.schedule(self.interval, self.kind)?);
        Ok(())
    }

    fn process(&mut self, ctx: &mut ProcessorContext<String, i64>, r: Record<String, String>) -> ProcessResult {
        let ts = r.timestamp;
        ctx.forward(Record::new("record".to_string(), ts, ts))?;
        Ok(())
    }

    fn punctuate(&mut self, ctx: &mut ProcessorContext<String, i64>, p: Punctuation) -> ProcessResult {
        assert_eq!(p.kind, self.kind);
        assert_eq!(Some(p.schedule), self.schedule.as_ref().map(Cancellable::id));
        assert!(ctx.record_metadata().is_none(), "no record metadata during punctuation");
        ctx.forward(Record::new("punctuate".to_string(), p.timestamp, p.timestamp))?;
        self.fired += 1;
        if self.fired == self.cancel_after
            && let Some(s) = &self.schedule
        {
            s.cancel();
        }
        Ok(())
    }
}

fn driver(kind: PunctuationType, interval_ms: u64, cancel_after: usize) -> TopologyTestDriver {
    let mut topology = Topology::new();
    topology
        .add_source("src", Source::<String, String>::new("in"))
        .unwrap()
        .add_processor(
            "ticker",
            move || Ticker {
                kind,
                interval: Duration::from_millis(interval_ms),
                cancel_after,
                fired: 0,
                schedule: None,
            },
            &["src"],
        )
        .unwrap()
        .add_sink("sink", Sink::<String, i64>::new("out"), &["ticker"])
        .unwrap();
    TopologyTestDriver::with_wall_clock_time(topology, StreamsConfig::new("punctuation"), 1_000).unwrap()
}

fn pairs(list: &[(&str, i64)]) -> Vec<(String, i64)> {
    list.iter().map(|(k, v)| ((*k).to_string(), *v)).collect()
}

#[test]
fn stream_time_schedule_is_aligned_and_skips_missed_intervals() {
    let driver = driver(PunctuationType::StreamTime, 10, usize::MAX);
    let input = driver.create_input_topic::<String, String>("in");
    let output = driver.create_output_topic::<String, i64>("out");

    // Schedule aligned to 0, every 10: due at 0, then 10, 20, ...
    for ts in [5, 7, 10, 25, 26, 41, 39, 60] {
        input.pipe_input_with_timestamp("k".into(), "v".into(), ts).unwrap();
    }
    assert_eq!(
        output.read_key_values_to_list().unwrap(),
        pairs(&[
            // 5 >= 0: fires at stream time 5, after the record; next due 10.
            ("record", 5),
            ("punctuate", 5),
            ("record", 7),
            ("record", 10),
            ("punctuate", 10),
            // 25: fires once (20 is not replayed); next due 30.
            ("record", 25),
            ("punctuate", 25),
            ("record", 26),
            // 41: fires once; 40 was due, next is 50.
            ("record", 41),
            ("punctuate", 41),
            // Out of order: stream time stays 41.
            ("record", 39),
            ("record", 60),
            ("punctuate", 60),
        ])
    );
    // Wall-clock time moving does not fire stream-time punctuation.
    driver.advance_wall_clock_time(Duration::from_secs(60)).unwrap();
    assert!(output.is_empty());
}

#[test]
fn stream_time_punctuation_waits_for_data() {
    let driver = driver(PunctuationType::StreamTime, 10, usize::MAX);
    let output = driver.create_output_topic::<String, i64>("out");
    driver.advance_wall_clock_time(Duration::from_secs(1)).unwrap();
    assert!(output.is_empty(), "stream time is unknown until the first record");
}

#[test]
fn wall_clock_schedule_starts_at_now_plus_interval() {
    // Wall clock starts at 1000; the schedule is first due at 1100.
    let driver = driver(PunctuationType::WallClockTime, 100, usize::MAX);
    let output = driver.create_output_topic::<String, i64>("out");
    let advance = |ms| driver.advance_wall_clock_time(Duration::from_millis(ms)).unwrap();

    advance(50); // 1050
    assert!(output.is_empty());
    advance(50); // 1100: due
    advance(250); // 1350: fires once; 1200 and 1300 are not replayed; next due 1400
    advance(49); // 1399
    advance(1); // 1400: due
    assert_eq!(
        output.read_key_values_to_list().unwrap(),
        pairs(&[("punctuate", 1100), ("punctuate", 1350), ("punctuate", 1400)])
    );

    // Records do not fire wall-clock punctuation.
    let input = driver.create_input_topic::<String, String>("in");
    input
        .pipe_input_with_timestamp("k".into(), "v".into(), 1_000_000)
        .unwrap();
    assert_eq!(
        output.read_key_values_to_list().unwrap(),
        pairs(&[("record", 1_000_000)])
    );
}

#[test]
fn cancelled_schedule_never_fires_again() {
    let driver = driver(PunctuationType::WallClockTime, 100, 2);
    let output = driver.create_output_topic::<String, i64>("out");
    for _ in 0..10 {
        driver.advance_wall_clock_time(Duration::from_millis(100)).unwrap();
    }
    assert_eq!(
        output.read_key_values_to_list().unwrap(),
        pairs(&[("punctuate", 1100), ("punctuate", 1200)])
    );
}

#[test]
fn zero_interval_is_an_error_at_init() {
    struct Bad;
    impl Processor<String, String> for Bad {
        fn init(&mut self, ctx: &mut ProcessorContext<String, String>) -> ProcessResult {
            ctx.schedule(Duration::ZERO, PunctuationType::StreamTime)?;
            Ok(())
        }
        fn process(&mut self, _: &mut ProcessorContext<String, String>, _: Record<String, String>) -> ProcessResult {
            Ok(())
        }
    }
    let mut topology = Topology::new();
    topology
        .add_source("src", Source::<String, String>::new("in"))
        .unwrap()
        .add_processor("bad", || Bad, &["src"])
        .unwrap();
    let err = TopologyTestDriver::new(topology, StreamsConfig::new("app"))
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "processor bad scheduled a punctuation with interval 0 ms (must be >= 1 ms)"
    );
}
