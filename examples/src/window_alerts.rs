//! Alerts per key and minute: failed logins are counted per user in
//! 1-minute windows hopping every 10 seconds (with 10 seconds of grace for
//! late events); when a window closes with more than [`THRESHOLD`] failures,
//! one alert is written. Emitting on window close means each window is
//! judged once, on its final count, never on a partial one.

use std::time::Duration;

use streams_core::{StreamsConfig, Topology};
use streams_dsl::prelude::*;
use streams_dsl::windows::{EmitStrategy, TimeWindows, WindowError};

/// Topic of failed logins: key user, value the source address.
pub const INPUT_TOPIC: &str = "failed-logins";
/// Topic of alerts: key user, value a description of the window.
pub const OUTPUT_TOPIC: &str = "login-alerts";
/// More failures than this in one window raise an alert.
pub const THRESHOLD: i64 = 3;

/// 1-minute windows every 10 seconds, accepting events up to 10 seconds late.
pub fn windows() -> Result<TimeWindows, WindowError> {
    TimeWindows::of_size_and_grace(Duration::from_secs(60), Duration::from_secs(10))?
        .advance_by(Duration::from_secs(10))
}

/// The alerting topology.
pub fn build_topology(config: &StreamsConfig) -> Result<Topology, Box<dyn std::error::Error>> {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>(INPUT_TOPIC)
        .group_by_key()
        .windowed_by(windows()?)
        .emit_strategy(EmitStrategy::on_window_close())
        .count_with(Materialized::as_("failures-per-minute"))
        .to_stream()
        .filter(|_, count| count.is_some_and(|n| n > THRESHOLD))
        .map(|window, count| {
            let alert = format!(
                "{} failed logins between {} and {} (ms)",
                count.unwrap_or_default(),
                window.window.start,
                window.window.end
            );
            (window.key.clone(), alert)
        })
        .to(OUTPUT_TOPIC);
    Ok(builder.build_with(config)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use test_driver::TopologyTestDriver;

    const S: i64 = 1_000;

    #[test]
    fn an_alert_is_raised_once_per_closed_window_over_the_threshold() {
        let config = StreamsConfig::new("login-alerts");
        let driver = TopologyTestDriver::new(build_topology(&config).unwrap(), config).unwrap();
        let input = driver.create_input_topic::<String, String>(INPUT_TOPIC);
        let alerts = driver.create_output_topic::<String, String>(OUTPUT_TOPIC);
        let fail = |user: &str, at: i64| {
            input
                .pipe_input_with_timestamp(user.to_owned(), "10.0.0.1".to_owned(), at)
                .unwrap()
        };
        // mallory fails 4 times within [60 s, 70 s); alice 3 times (not over).
        for t in [61, 62, 65, 69] {
            fail("mallory", t * S);
        }
        for t in [61, 63, 66] {
            fail("alice", t * S);
        }
        assert!(
            alerts.read_key_values_to_list().unwrap().is_empty(),
            "nothing closed yet"
        );
        // Stream time moving to 130 s closes every window ending by 120 s, one
        // hop at a time; [10 s, 70 s) ... [60 s, 120 s) hold all four of
        // mallory's failures. (A single jump to 130 s would first expire the
        // older windows from the 70 s store, as in Kafka Streams.)
        for t in (80..=130).step_by(10) {
            fail(&format!("user-{t}"), t * S);
        }
        let raised = alerts.read_key_values_to_list().unwrap();
        assert_eq!(raised.len(), 6, "{raised:?}");
        assert!(raised.iter().all(|(user, _)| user == "mallory"));
        assert_eq!(raised[0].1, "4 failed logins between 10000 and 70000 (ms)");
        assert_eq!(raised[5].1, "4 failed logins between 60000 and 120000 (ms)");
        // A late failure within grace still counts, but never re-alerts a
        // window already judged.
        fail("mallory", 125 * S);
        fail("bob", 400 * S);
        assert!(alerts.read_key_values_to_list().unwrap().is_empty());
    }
}
