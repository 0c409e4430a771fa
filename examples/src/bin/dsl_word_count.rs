//! Word count (DSL) on sample text, through the `TopologyTestDriver` until
//! the Kafka runtime lands; prints the topology and each count update.

use examples::dsl_word_count::{INPUT_TOPIC, OUTPUT_TOPIC, build_topology};
use streams_core::StreamsConfig;
use test_driver::TopologyTestDriver;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = StreamsConfig::new("wordcount").with("topology.optimization", "all");
    let topology = build_topology(&config)?;
    println!("{}", topology.describe());
    let driver = TopologyTestDriver::new(topology, config)?;
    let input = driver.create_input_topic::<String, String>(INPUT_TOPIC);
    let output = driver.create_output_topic::<String, i64>(OUTPUT_TOPIC);
    for line in ["all streams lead to kafka", "hello kafka streams", "join kafka summit"] {
        input.pipe_input(String::new(), line.to_owned())?;
        for (word, count) in output.read_key_values_to_list()? {
            println!("{word:<12} {count}");
        }
    }
    driver.close()?;
    Ok(())
}
