//! Small Kafka helpers the Kafka examples and their tests share: produce
//! sample lines into a topic, and follow a table's updates in an output topic.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};

/// Errors of these helpers, as text (they are for examples and tests).
pub type IoError = Box<dyn std::error::Error + Send + Sync>;

/// Sample text: a few lines that repeat words, so counts grow.
pub const SAMPLE: &[&str] = &[
    "all streams lead to kafka",
    "hello kafka streams",
    "join kafka summit",
    "streams of records flow through kafka topics",
    "a table is a stream of changes",
    "kafka streams for rust keeps state in rocksdb",
];

/// Line `i` of an endless text made of [`SAMPLE`] lines.
pub fn sample_line(i: usize) -> &'static str {
    SAMPLE[i % SAMPLE.len()]
}

/// The word counts of `lines`, as the word-count topology computes them.
pub fn expected_counts<'a>(lines: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, i64> {
    let mut counts = BTreeMap::new();
    for line in lines {
        for word in line.to_lowercase().split_whitespace() {
            *counts.entry(word.to_owned()).or_insert(0) += 1;
        }
    }
    counts
}

/// Produces `lines` (null keys, so they spread over the partitions) to
/// `topic` and waits until the cluster has them.
pub fn produce_lines<'a>(
    bootstrap_servers: &str,
    topic: &str,
    lines: impl IntoIterator<Item = &'a str>,
) -> Result<usize, IoError> {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap_servers)
        .set("partitioner", "murmur2_random")
        .set("linger.ms", "5")
        .create()?;
    let mut n = 0;
    for (i, line) in lines.into_iter().enumerate() {
        // 64 distinct keys spread the lines over every partition.
        let key = (i % 64).to_string();
        let mut record = BaseRecord::to(topic).key(&key).payload(line);
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((
                    rdkafka::error::KafkaError::MessageProduction(rdkafka::types::RDKafkaErrorCode::QueueFull),
                    r,
                )) => {
                    record = r;
                    producer.poll(Duration::from_millis(10));
                }
                Err((e, _)) => return Err(e.into()),
            }
        }
        n += 1;
    }
    producer.flush(Duration::from_secs(30))?;
    Ok(n)
}

/// Follows a table's updates (`String` keys, big-endian `i64` values) in
/// every partition of a topic, keeping the latest value per key.
pub struct CountsReader {
    consumer: BaseConsumer,
    /// Latest count per word.
    pub counts: BTreeMap<String, i64>,
    /// Updates read so far.
    pub updates: u64,
}

impl CountsReader {
    /// Reads `topic` (with `partitions` partitions) from the beginning.
    pub fn new(bootstrap_servers: &str, topic: &str, partitions: i32) -> Result<Self, IoError> {
        // librdkafka wants a group id even for assigned (groupless) reading.
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap_servers)
            .set("group.id", format!("counts-reader-{topic}"))
            .set("enable.auto.commit", "false")
            .create()?;
        let mut tpl = TopicPartitionList::new();
        for p in 0..partitions {
            tpl.add_partition_offset(topic, p, Offset::Beginning)?;
        }
        consumer.assign(&tpl)?;
        Ok(Self {
            consumer,
            counts: BTreeMap::new(),
            updates: 0,
        })
    }

    /// Reads what arrives within `wait`; calls `on_update(word, count)` per update.
    pub fn poll(&mut self, wait: Duration, mut on_update: impl FnMut(&str, i64)) -> Result<usize, IoError> {
        let mut n = 0;
        let mut next = self.consumer.poll(wait);
        while let Some(item) = next {
            let m = item?;
            let word = String::from_utf8_lossy(m.key().unwrap_or_default()).into_owned();
            let count = m
                .payload()
                .and_then(|v| <[u8; 8]>::try_from(v).ok())
                .map(i64::from_be_bytes);
            if let Some(count) = count {
                on_update(&word, count);
                self.counts.insert(word, count);
            }
            self.updates += 1;
            n += 1;
            next = self.consumer.poll(Duration::ZERO);
        }
        Ok(n)
    }

    /// Reads until the counts equal `expected` or `timeout` passes; returns
    /// whether they matched.
    pub fn wait_for(&mut self, expected: &BTreeMap<String, i64>, timeout: Duration) -> Result<bool, IoError> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            self.poll(Duration::from_millis(200), |_, _| {})?;
            if &self.counts == expected {
                return Ok(true);
            }
        }
        Ok(&self.counts == expected)
    }
}

/// Words with the largest counts, largest first.
pub fn top(counts: &BTreeMap<String, i64>, n: usize) -> Vec<(&str, i64)> {
    let mut all: Vec<(&str, i64)> = counts.iter().map(|(w, c)| (w.as_str(), *c)).collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    all.truncate(n);
    all
}

/// Sums per-key values, e.g. of several instances' task lists.
pub fn total<K>(map: &HashMap<K, Vec<streams_core::engine::TaskId>>) -> usize {
    map.values().map(Vec::len).sum()
}
