//! Word count with the Processor API, as Kafka Streams' `WordCountProcessorDemo`:
//! lines are split into words, counts are kept in a key-value store, and a
//! stream-time punctuator emits every word's count once per interval.

use std::time::Duration;

use streams_core::prelude::*;

/// Topic the lines are read from.
pub const INPUT_TOPIC: &str = "streams-plaintext-input";
/// Topic the counts are written to.
pub const OUTPUT_TOPIC: &str = "streams-wordcount-processor-output";
/// Name of the counts store.
pub const STORE: &str = "Counts";

/// Counts words into the store; emits all counts every `interval` of stream time.
struct WordCount {
    interval: Duration,
    store: Option<KeyValueStoreHandle<String, i64>>,
}

impl WordCount {
    fn store(&self) -> Result<&KeyValueStoreHandle<String, i64>, StreamsError> {
        self.store.as_ref().ok_or_else(|| StreamsError::StoreNotConnected {
            node: "Process".into(),
            store: STORE.into(),
        })
    }
}

impl Processor<String, String, String, i64> for WordCount {
    fn init(&mut self, ctx: &mut ProcessorContext<String, i64>) -> ProcessResult {
        self.store = Some(ctx.key_value_store(STORE)?);
        ctx.schedule(self.interval, PunctuationType::StreamTime)?;
        Ok(())
    }

    fn process(&mut self, _ctx: &mut ProcessorContext<String, i64>, record: Record<String, String>) -> ProcessResult {
        let store = self.store()?;
        for word in record.value.to_lowercase().split_whitespace() {
            let word = word.to_owned();
            let count = store.get(&word)?.unwrap_or(0) + 1;
            store.put(&word, &count)?;
        }
        Ok(())
    }

    fn punctuate(&mut self, ctx: &mut ProcessorContext<String, i64>, p: Punctuation) -> ProcessResult {
        // Collect first: a guard held across `forward` would block downstream users of the store.
        let counts = self.store()?.all()?;
        for (word, count) in counts {
            ctx.forward(Record::new(word, count, p.timestamp))?;
        }
        Ok(())
    }
}

/// The word-count topology: `Source` -> `Process` (store `Counts`) -> `Sink`.
/// Counts are emitted every `interval` of stream time.
pub fn build_topology(interval: Duration) -> Result<Topology, TopologyError> {
    let mut topology = Topology::new();
    topology
        .add_source("Source", Source::<String, String>::new(INPUT_TOPIC))?
        .add_processor("Process", move || WordCount { interval, store: None }, &["Source"])?
        .add_state_store(
            InMemoryKeyValueStoreBuilder::<String, i64>::with_default_serdes(STORE),
            &["Process"],
        )?
        .add_sink("Sink", Sink::<String, i64>::new(OUTPUT_TOPIC), &["Process"])?;
    Ok(topology)
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_driver::TopologyTestDriver;

    fn driver() -> TopologyTestDriver {
        let topology = build_topology(Duration::from_secs(1)).unwrap();
        TopologyTestDriver::new(topology, StreamsConfig::new("word-count")).unwrap()
    }

    #[test]
    fn counts_words_and_emits_on_stream_time_punctuation() {
        let driver = driver();
        let input = driver.create_input_topic::<String, String>(INPUT_TOPIC);
        let output = driver.create_output_topic::<String, i64>(OUTPUT_TOPIC);

        // The first record fires the punctuator (its schedule is aligned to 0).
        input
            .pipe_input_with_timestamp(String::new(), "all streams lead to kafka".into(), 0)
            .unwrap();
        assert_eq!(
            output.read_key_values_to_map().unwrap(),
            [("all", 1), ("streams", 1), ("lead", 1), ("to", 1), ("kafka", 1)]
                .map(|(w, c)| (w.to_string(), c))
                .into()
        );

        // Within the same second: counted, not emitted.
        input
            .pipe_input_with_timestamp(String::new(), "hello kafka streams".into(), 500)
            .unwrap();
        assert!(output.is_empty());

        // Stream time reaches 1000: every count is emitted, in key order, stamped 1000.
        input
            .pipe_input_with_timestamp(String::new(), "join kafka summit".into(), 1000)
            .unwrap();
        let records = output.read_records_to_list().unwrap();
        let counts: Vec<(String, i64)> = records.iter().map(|r| (r.key.clone(), r.value)).collect();
        assert_eq!(
            counts,
            [
                ("all", 1),
                ("hello", 1),
                ("join", 1),
                ("kafka", 3),
                ("lead", 1),
                ("streams", 2),
                ("summit", 1),
                ("to", 1)
            ]
            .map(|(w, c)| (w.to_string(), c))
        );
        assert!(records.iter().all(|r| r.timestamp == 1000));

        let store = driver.key_value_store::<String, i64>(STORE).unwrap();
        assert_eq!(store.get(&"kafka".to_string()).unwrap(), Some(3));
        assert_eq!(store.approximate_num_entries().unwrap(), 8);
    }

    #[test]
    fn describes_like_kafka_streams() {
        let topology = build_topology(Duration::from_secs(1)).unwrap();
        assert_eq!(
            topology.describe().to_string(),
            "Topologies:\n   Sub-topology: 0\n    Source: Source (topics: [streams-plaintext-input])\n      --> Process\n    \
             Processor: Process (stores: [Counts])\n      --> Sink\n      <-- Source\n    \
             Sink: Sink (topic: streams-wordcount-processor-output)\n      <-- Process\n\n"
        );
    }
}
