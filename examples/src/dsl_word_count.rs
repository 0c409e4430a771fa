//! Word count with the DSL, as Kafka Streams' `WordCountDemo`: lines are
//! split into words, re-keyed by word (a repartition), and counted in a
//! table whose updates are written out.

use streams_core::{StreamsConfig, Topology};
use streams_dsl::DslError;
use streams_dsl::prelude::*;

/// Topic the lines are read from.
pub const INPUT_TOPIC: &str = "streams-plaintext-input";
/// Topic the counts are written to.
pub const OUTPUT_TOPIC: &str = "streams-wordcount-output";
/// Name of the counts store (and so of the repartition topic).
pub const STORE: &str = "counts-store";

/// The word-count topology, optimized as `config` says.
pub fn build_topology(config: &StreamsConfig) -> Result<Topology, DslError> {
    build_topology_on(config, INPUT_TOPIC, OUTPUT_TOPIC)
}

/// The word-count topology reading `input` and writing `output`.
pub fn build_topology_on(config: &StreamsConfig, input: &str, output: &str) -> Result<Topology, DslError> {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>(input)
        .flat_map_values(|line| {
            line.to_lowercase()
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .group_by(|_, word| word.clone())
        .count_with(Materialized::as_(STORE))
        .to_stream()
        .to(output);
    builder.build_with(config)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use test_driver::TopologyTestDriver;

    #[test]
    fn counts_words_across_the_repartition_topic() {
        for optimization in ["none", "all"] {
            let config = StreamsConfig::new("wordcount").with("topology.optimization", optimization);
            let driver = TopologyTestDriver::new(build_topology(&config).unwrap(), config).unwrap();
            let input = driver.create_input_topic::<String, String>(INPUT_TOPIC);
            let output = driver.create_output_topic::<String, i64>(OUTPUT_TOPIC);
            input.pipe_input(String::new(), "Hello Kafka Streams".into()).unwrap();
            input
                .pipe_input(String::new(), "All streams lead to Kafka".into())
                .unwrap();
            input.pipe_input(String::new(), "Join Kafka Summit".into()).unwrap();
            let counts = output.read_key_values_to_map().unwrap();
            assert_eq!(counts["kafka"], 3, "{optimization}");
            assert_eq!(counts["streams"], 2);
            assert_eq!(counts["summit"], 1);
            assert_eq!(counts.len(), 8);
            assert!(
                driver
                    .produced_topic_names()
                    .contains("wordcount-counts-store-repartition")
            );
            let store = driver.timestamped_key_value_store::<String, i64>(STORE).unwrap();
            assert_eq!(store.get(&"kafka".to_string()).unwrap().map(|v| v.value), Some(3));
        }
    }
}
