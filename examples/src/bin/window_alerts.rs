//! Failed-login alerts on sample events, through the `TopologyTestDriver`
//! until the Kafka runtime lands.

use examples::window_alerts::{INPUT_TOPIC, OUTPUT_TOPIC, build_topology};
use streams_core::StreamsConfig;
use test_driver::TopologyTestDriver;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = StreamsConfig::new("login-alerts");
    let topology = build_topology(&config)?;
    println!("{}", topology.describe());
    let driver = TopologyTestDriver::new(topology, config)?;
    let input = driver.create_input_topic::<String, String>(INPUT_TOPIC);
    let alerts = driver.create_output_topic::<String, String>(OUTPUT_TOPIC);
    let events = [
        ("mallory", 61),
        ("alice", 61),
        ("mallory", 62),
        ("mallory", 65),
        ("alice", 66),
        ("mallory", 69),
        ("bob", 130),
    ];
    for (user, second) in events {
        input.pipe_input_with_timestamp(user.to_owned(), "10.0.0.1".to_owned(), second * 1_000)?;
        for (who, alert) in alerts.read_key_values_to_list()? {
            println!("at {second:>3} s: ALERT {who}: {alert}");
        }
    }
    driver.close()?;
    Ok(())
}
