//! Top pages per region on sample page views, through the
//! `TopologyTestDriver` until the Kafka runtime lands.

use examples::top_pages::{INPUT_TOPIC, OUTPUT_TOPIC, build_topology};
use streams_core::StreamsConfig;
use test_driver::TopologyTestDriver;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = StreamsConfig::new("top-pages");
    let topology = build_topology(&config)?;
    println!("{}", topology.describe());
    let driver = TopologyTestDriver::new(topology, config)?;
    let input = driver.create_input_topic::<String, String>(INPUT_TOPIC);
    let output = driver.create_output_topic::<String, Option<String>>(OUTPUT_TOPIC);
    let views = [
        ("ann", "eu|/home"),
        ("bob", "eu|/home"),
        ("cid", "eu|/docs"),
        ("bob", "eu|/docs"),
        ("ann", "us|/pricing"),
    ];
    for (user, view) in views {
        input.pipe_input(user.to_owned(), view.to_owned())?;
        for (region, top) in output.read_key_values_to_list()? {
            println!("{user:<4} -> {view:<12} | {region}: {}", top.unwrap_or_default());
        }
    }
    driver.close()?;
    Ok(())
}
