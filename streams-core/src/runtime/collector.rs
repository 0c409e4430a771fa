//! The record collector of a stream thread: the task engine's
//! [`RecordCollector`] over an rdkafka producer.
//!
//! Records without a chosen partition are partitioned by librdkafka's
//! `murmur2_random` partitioner, which hashes keys as the Java client's
//! default partitioner does (so a key lands on the same partition from a Java
//! or a Rust producer) and spreads null keys. Delivery reports record the
//! last acknowledged offset per partition (tasks checkpoint their changelogs
//! with it) and the first failure, which `flush` returns naming the topic and
//! partition.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustc_hash::FxHashMap;

use rdkafka::ClientContext;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::Message;
use rdkafka::producer::{BaseProducer, DeliveryResult, Producer, ProducerContext};

use crate::config::StreamsConfig;
use crate::config::clients::ClientKind;
use crate::engine::{OutgoingRecord, RecordCollector};
use crate::error::{BoxError, StreamsError};

use super::native_produce::TopicHandle;

/// What delivery reports have told so far.
#[derive(Debug, Default)]
struct Deliveries {
    /// The last acknowledged offset per partition (-1: none yet) of each
    /// topic sent to, in the order first sent to: a record carries its
    /// topic's index here as its delivery opaque, so that a report needs no
    /// topic name decoded or hashed (the names are the collector's).
    topics: Vec<Vec<i64>>,
    first_error: Option<(String, i32, KafkaError)>,
    acknowledged: u64,
}

impl Deliveries {
    fn acknowledge(&mut self, topic: usize, partition: i32, offset: i64) {
        self.acknowledged += 1;
        let (Some(offsets), Ok(p)) = (self.topics.get_mut(topic), usize::try_from(partition)) else {
            return;
        };
        if offsets.len() <= p {
            offsets.resize(p + 1, -1);
        }
        offsets[p] = offsets[p].max(offset);
    }

    fn last_offset(&self, topic: usize, partition: i32) -> Option<i64> {
        let &offset = self.topics.get(topic)?.get(usize::try_from(partition).ok()?)?;
        Some(offset).filter(|o| *o >= 0)
    }
}

/// The producer's context: collects delivery reports.
pub(crate) struct CollectorContext {
    deliveries: Arc<Mutex<Deliveries>>,
}

impl ClientContext for CollectorContext {}

impl ProducerContext for CollectorContext {
    /// The index of the record's topic in [`Deliveries::topics`].
    type DeliveryOpaque = usize;

    fn delivery(&self, result: &DeliveryResult<'_>, topic: usize) {
        let Ok(mut d) = self.deliveries.lock() else { return };
        match result {
            Ok(m) => d.acknowledge(topic, m.partition(), m.offset()),
            Err((e, m)) => {
                if d.first_error.is_none() {
                    d.first_error = Some((m.topic().to_owned(), m.partition(), e.clone()));
                }
            }
        }
    }
}

/// Sends records through an rdkafka producer.
pub struct KafkaCollector {
    producer: BaseProducer<CollectorContext>,
    deliveries: Arc<Mutex<Deliveries>>,
    /// Partition counts looked up for custom partitioners, per topic.
    partition_counts: std::cell::RefCell<HashMap<String, u32>>,
    /// Topic name -> index in [`Deliveries::topics`].
    topic_index: FxHashMap<String, usize>,
    /// The names of [`Deliveries::topics`], by index.
    topic_names: Vec<String>,
    /// The open topic of each name, by index (released before the producer:
    /// see `Drop`).
    topic_handles: Vec<TopicHandle>,
    /// The index of the previous record's topic: records come in runs of one topic.
    last_topic: usize,
    flush_timeout: Duration,
    sent: u64,
}

impl KafkaCollector {
    /// A producer configured from `config` (`bootstrap.servers`, security keys,
    /// `producer.` keys), named `client_id`.
    pub fn new(config: &StreamsConfig, client_id: &str) -> Result<Self, StreamsError> {
        let mut client = rdkafka::ClientConfig::new();
        // Kafka Streams' producer defaults (at-least-once): wait for every
        // in-sync replica, batch for a moment; user settings override them.
        client
            .set("partitioner", "murmur2_random")
            .set("acks", "all")
            .set("linger.ms", "100")
            .set("compression.type", "none");
        for (k, v) in config.client_settings(ClientKind::Producer) {
            client.set(k, v);
        }
        client.set("client.id", client_id);
        let deliveries = Arc::new(Mutex::new(Deliveries::default()));
        let producer = client
            .create_with_context(CollectorContext {
                deliveries: Arc::clone(&deliveries),
            })
            .map_err(|e| StreamsError::Kafka {
                operation: format!("creating producer {client_id}"),
                source: Box::new(e),
            })?;
        let flush_timeout =
            Duration::from_millis(config.get_number(crate::config::keys::DEFAULT_API_TIMEOUT_MS, 60_000)?);
        Ok(Self {
            producer,
            deliveries,
            partition_counts: std::cell::RefCell::default(),
            topic_index: FxHashMap::default(),
            topic_names: Vec::new(),
            topic_handles: Vec::new(),
            last_topic: 0,
            flush_timeout,
            sent: 0,
        })
    }

    /// Records acknowledged by the cluster so far.
    pub fn acknowledged(&self) -> u64 {
        self.deliveries.lock().map(|d| d.acknowledged).unwrap_or(0)
    }

    /// Records sent so far (acknowledged or not).
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// Serves delivery reports without blocking.
    pub fn poll(&self) {
        self.producer.poll(Duration::ZERO);
    }

    /// The delivery index of `topic`, registering (and opening) a topic
    /// seen for the first time.
    fn topic_index(&mut self, topic: &str) -> Result<usize, BoxError> {
        if self.topic_names.get(self.last_topic).is_some_and(|name| name == topic) {
            return Ok(self.last_topic);
        }
        self.last_topic = match self.topic_index.get(topic) {
            Some(&i) => i,
            None => {
                let handle = TopicHandle::open(&self.producer, topic)
                    .ok_or_else(|| -> BoxError { format!("{topic}: librdkafka refused the topic name").into() })?;
                let mut d = self
                    .deliveries
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                d.topics.push(Vec::new());
                let i = d.topics.len() - 1;
                self.topic_index.insert(topic.to_owned(), i);
                self.topic_names.push(topic.to_owned());
                self.topic_handles.push(handle);
                i
            }
        };
        Ok(self.last_topic)
    }

    fn take_error(&self) -> Option<(String, i32, KafkaError)> {
        self.deliveries.lock().ok().and_then(|mut d| d.first_error.take())
    }
}

impl RecordCollector for KafkaCollector {
    fn send(&mut self, record: OutgoingRecord<'_>) -> Result<(), BoxError> {
        let topic = self.topic_index(record.topic)?;
        loop {
            match self.topic_handles[topic].produce(&self.producer, &record, topic) {
                Ok(()) => {
                    self.sent += 1;
                    return Ok(());
                }
                // The local queue is full: serve delivery reports to make
                // room, never drop the record.
                Err(RDKafkaErrorCode::QueueFull) => {
                    self.producer.poll(Duration::from_millis(10));
                }
                Err(e) => {
                    return Err(format!(
                        "{} partition {}: {}",
                        record.topic,
                        record.partition.map_or("(by key)".to_owned(), |p| p.to_string()),
                        KafkaError::MessageProduction(e)
                    )
                    .into());
                }
            }
        }
    }

    fn partition_count(&self, topic: &str) -> Option<u32> {
        if let Some(&known) = self.partition_counts.borrow().get(topic) {
            return Some(known);
        }
        let count = self
            .producer
            .client()
            .fetch_metadata(Some(topic), Duration::from_secs(10))
            .ok()
            .and_then(|m| m.topics().first().map(|t| t.partitions().len() as u32))
            .filter(|n| *n > 0)?;
        self.partition_counts.borrow_mut().insert(topic.to_owned(), count);
        Some(count)
    }

    fn flush(&mut self) -> Result<(), BoxError> {
        self.producer
            .flush(self.flush_timeout)
            .map_err(|e| -> BoxError { format!("flushing the producer: {e}").into() })?;
        match self.take_error() {
            Some((topic, partition, e)) => Err(format!("delivery to {topic}-{partition} failed: {e}").into()),
            None => Ok(()),
        }
    }

    fn last_offset(&self, topic: &str, partition: i32) -> Option<i64> {
        let &i = self.topic_index.get(topic)?;
        self.deliveries.lock().ok()?.last_offset(i, partition)
    }
}

impl Drop for KafkaCollector {
    fn drop(&mut self) {
        // Topic handles hold references into the producer: release them
        // before the producer goes.
        self.topic_handles.clear();
    }
}

impl std::fmt::Debug for KafkaCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaCollector")
            .field("sent", &self.sent)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::Deliveries;

    /// The native produce path (topic handles, headers built for
    /// librdkafka, delivery opaques): what a consumer reads back is exactly
    /// what was sent, and delivery reports reach the right topic's offsets.
    #[test]
    fn records_sent_through_topic_handles_arrive_intact() {
        use std::time::{Duration, Instant};

        use rdkafka::ClientConfig;
        use rdkafka::consumer::{BaseConsumer, Consumer};
        use rdkafka::message::{Headers as _, Message};

        use super::KafkaCollector;
        use crate::config::StreamsConfig;
        use crate::engine::{OutgoingRecord, RecordCollector};
        use crate::record::Headers;
        use crate::runtime::EmbeddedBroker;

        let broker = EmbeddedBroker::start().unwrap();
        broker.create_topic("a", 2).unwrap();
        broker.create_topic("b", 1).unwrap();
        let config = StreamsConfig::new("native-produce").with_bootstrap_servers(broker.bootstrap_servers());
        let mut collector = KafkaCollector::new(&config, "native-produce-test").unwrap();
        let mut headers = Headers::new();
        headers
            .add("h", Some(b"1".to_vec()))
            .add("null", None)
            .add("h", Some(Vec::new()));
        let none = Headers::new();
        let record = |topic, partition, key, value, timestamp, headers| OutgoingRecord {
            topic,
            partition: Some(partition),
            key,
            value,
            timestamp,
            headers,
        };
        for r in [
            record("a", 1, Some(&b"k1"[..]), Some(&b"v1"[..]), 1_000, &headers),
            record("b", 0, None, Some(b"v2"), 2_000, &none),
            record("a", 1, Some(b"k3"), None, 3_000, &none),
            record("b", 0, Some(b""), Some(b""), 4_000, &headers),
        ] {
            collector.send(r).unwrap();
        }
        collector.flush().unwrap();
        assert_eq!(collector.acknowledged(), 4);
        assert_eq!(RecordCollector::last_offset(&collector, "a", 1), Some(1));
        assert_eq!(RecordCollector::last_offset(&collector, "a", 0), None);
        assert_eq!(RecordCollector::last_offset(&collector, "b", 0), Some(1));

        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", broker.bootstrap_servers())
            .set("group.id", "native-produce-check")
            .set("auto.offset.reset", "earliest")
            .create()
            .unwrap();
        consumer.subscribe(&["a", "b"]).unwrap();
        let mut got = Vec::new();
        let start = Instant::now();
        while got.len() < 4 {
            assert!(start.elapsed() < Duration::from_secs(30), "read back only {got:?}");
            let Some(m) = consumer.poll(Duration::from_millis(100)) else {
                continue;
            };
            let m = m.unwrap();
            let hs: Vec<(String, Option<Vec<u8>>)> = m
                .headers()
                .map(|h| {
                    h.iter()
                        .map(|h| (h.key.to_owned(), h.value.map(<[u8]>::to_vec)))
                        .collect()
                })
                .unwrap_or_default();
            got.push((
                m.topic().to_owned(),
                m.partition(),
                m.key().map(<[u8]>::to_vec),
                m.payload().map(<[u8]>::to_vec),
                m.timestamp().to_millis(),
                hs,
            ));
        }
        got.sort_by_key(|r| r.4);
        let with_headers = vec![
            ("h".to_owned(), Some(b"1".to_vec())),
            ("null".to_owned(), None),
            ("h".to_owned(), Some(Vec::new())),
        ];
        assert_eq!(
            got,
            vec![
                (
                    "a".to_owned(),
                    1,
                    Some(b"k1".to_vec()),
                    Some(b"v1".to_vec()),
                    Some(1_000),
                    with_headers.clone()
                ),
                ("b".to_owned(), 0, None, Some(b"v2".to_vec()), Some(2_000), Vec::new()),
                ("a".to_owned(), 1, Some(b"k3".to_vec()), None, Some(3_000), Vec::new()),
                (
                    "b".to_owned(),
                    0,
                    Some(Vec::new()),
                    Some(Vec::new()),
                    Some(4_000),
                    with_headers
                ),
            ]
        );
    }

    #[test]
    fn a_topic_name_librdkafka_refuses_is_an_error_naming_it() {
        use super::KafkaCollector;
        use crate::config::StreamsConfig;
        use crate::engine::{OutgoingRecord, RecordCollector};
        use crate::record::Headers;
        use crate::runtime::EmbeddedBroker;

        let broker = EmbeddedBroker::start().unwrap();
        let config = StreamsConfig::new("native-produce").with_bootstrap_servers(broker.bootstrap_servers());
        let mut collector = KafkaCollector::new(&config, "native-produce-test").unwrap();
        let headers = Headers::new();
        let err = collector
            .send(OutgoingRecord {
                topic: "bad\0name",
                partition: Some(0),
                key: None,
                value: Some(b"v"),
                timestamp: 1,
                headers: &headers,
            })
            .unwrap_err();
        assert!(err.to_string().contains("bad\0name"), "{err}");
    }

    /// The indexes the test registers its topics at (7: never registered).
    fn d_index(topic: &str) -> usize {
        match topic {
            "out" => 0,
            "log" => 1,
            _ => 7,
        }
    }

    #[test]
    fn deliveries_keep_the_last_offset_per_partition_across_interleaved_reports() {
        let mut d = Deliveries {
            topics: vec![Vec::new(), Vec::new()],
            ..Deliveries::default()
        };
        for (topic, partition, offset) in [
            ("out", 0, 5),
            ("out", 0, 6),
            ("log", 0, 1),
            ("out", 1, 9),
            ("out", 0, 4),
            ("log", 0, 2),
        ] {
            d.acknowledge(d_index(topic), partition, offset);
        }
        // A report for a topic or partition never registered counts, and
        // changes no offset.
        d.acknowledge(d_index("other"), 0, 100);
        d.acknowledge(0, -1, 100);
        assert_eq!(d.acknowledged, 8);
        assert_eq!(
            d.last_offset(d_index("out"), 0),
            Some(6),
            "a late, lower offset does not go back"
        );
        assert_eq!(d.last_offset(d_index("out"), 1), Some(9));
        assert_eq!(d.last_offset(d_index("log"), 0), Some(2));
        assert_eq!(d.last_offset(d_index("log"), 1), None);
        assert_eq!(d.last_offset(d_index("other"), 0), None);
    }
}
