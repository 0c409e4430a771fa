//! Word count (Processor API) on sample text.
//!
//! Until the Kafka runtime lands, this runs the topology through the
//! `TopologyTestDriver`, which drives the same task engine the runtime will,
//! and prints the counts the topology emits.

use std::time::Duration;

use examples::word_count::{INPUT_TOPIC, OUTPUT_TOPIC, build_topology};
use streams_core::StreamsConfig;
use test_driver::TopologyTestDriver;

const TEXT: &[&str] = &[
    "all streams lead to kafka",
    "hello kafka streams",
    "join kafka summit",
    "kafka streams makes stream processing simple",
    "streams of records flow through topologies",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let topology = build_topology(Duration::from_secs(1))?;
    println!("{}", topology.describe());
    let driver = TopologyTestDriver::with_wall_clock_time(topology, StreamsConfig::new("word-count"), 0)?;
    let input = driver.create_input_topic::<String, String>(INPUT_TOPIC);
    let output = driver.create_output_topic::<String, i64>(OUTPUT_TOPIC);
    for (i, line) in TEXT.iter().enumerate() {
        let timestamp = i64::try_from(i)? * 600;
        input.pipe_input_with_timestamp(String::new(), (*line).to_owned(), timestamp)?;
        for record in output.read_records_to_list()? {
            println!("t={:>5}  {:<12} {}", record.timestamp, record.key, record.value);
        }
    }
    driver.close()?;
    Ok(())
}
