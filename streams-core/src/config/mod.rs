//! Application configuration, with Kafka Streams' key names.
//!
//! Built by value: `StreamsConfig::new("app").with_commit_interval(..)`, each
//! setter documenting its default; or read from a Java-style `.properties`
//! file or from environment variables ([`sources`]). Every key goes through
//! [`StreamsConfig::with`], which routes Kafka Streams' typed keys to their
//! fields; a value that does not parse, or a key nobody knows, is reported by
//! [`StreamsConfig::validate`] (which the runtime calls at start-up), so a
//! by-value builder never has to return `Result`.
//!
//! Client settings (`consumer.` / `producer.` / `admin.` prefixes and the
//! unprefixed security keys) pass through to librdkafka unchanged
//! ([`clients`]); secrets never appear in `Debug` output or logs.

pub mod clients;
pub mod sources;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::error::StreamsError;
use crate::handler::{ErrorHandler, LogAndFail};

/// Kafka Streams configuration keys this crate understands.
pub mod keys {
    /// `application.id`
    pub const APPLICATION_ID: &str = "application.id";
    /// `bootstrap.servers`
    pub const BOOTSTRAP_SERVERS: &str = "bootstrap.servers";
    /// `num.stream.threads`
    pub const NUM_STREAM_THREADS: &str = "num.stream.threads";
    /// `commit.interval.ms`
    pub const COMMIT_INTERVAL_MS: &str = "commit.interval.ms";
    /// `state.dir`
    pub const STATE_DIR: &str = "state.dir";
    /// `statestore.cache.max.bytes`
    pub const STATESTORE_CACHE_MAX_BYTES: &str = "statestore.cache.max.bytes";
    /// `errors.dead.letter.queue.topic.name`
    pub const DEAD_LETTER_QUEUE_TOPIC: &str = "errors.dead.letter.queue.topic.name";
    /// `processing.guarantee`: `at_least_once` (default) or `exactly_once_v2`.
    pub const PROCESSING_GUARANTEE: &str = "processing.guarantee";
    /// `topology.optimization`: `none` (default), `all`, or a list of rules.
    pub const TOPOLOGY_OPTIMIZATION: &str = "topology.optimization";
    /// `replication.factor` of internal topics; -1 (default) is the broker's default.
    pub const REPLICATION_FACTOR: &str = "replication.factor";
    /// `num.standby.replicas`
    pub const NUM_STANDBY_REPLICAS: &str = "num.standby.replicas";
    /// `default.deserialization.exception.handler`
    pub const DEFAULT_DESERIALIZATION_EXCEPTION_HANDLER: &str = "default.deserialization.exception.handler";
    /// `deserialization.exception.handler` (the 4.x name of the above)
    pub const DESERIALIZATION_EXCEPTION_HANDLER: &str = "deserialization.exception.handler";
    /// `processing.exception.handler`
    pub const PROCESSING_EXCEPTION_HANDLER: &str = "processing.exception.handler";
    /// `default.production.exception.handler`
    pub const DEFAULT_PRODUCTION_EXCEPTION_HANDLER: &str = "default.production.exception.handler";
    /// `production.exception.handler` (the 4.x name of the above)
    pub const PRODUCTION_EXCEPTION_HANDLER: &str = "production.exception.handler";
    /// `application.server`: `host:port` of this instance, for interactive queries.
    pub const APPLICATION_SERVER: &str = "application.server";
    /// `client.id` prefix of the clients' ids (default: `<application.id>-<uuid-less instance id>`).
    pub const CLIENT_ID: &str = "client.id";
    /// `poll.ms`: how long a stream thread blocks in one poll (default 100).
    pub const POLL_MS: &str = "poll.ms";
    /// `windowstore.changelog.additional.retention.ms` (default one day).
    pub const WINDOWSTORE_CHANGELOG_ADDITIONAL_RETENTION_MS: &str = "windowstore.changelog.additional.retention.ms";
    /// `default.api.timeout.ms`: how long start-up waits for the cluster
    /// (metadata, topic creation) before failing (default 60 000).
    pub const DEFAULT_API_TIMEOUT_MS: &str = "default.api.timeout.ms";
    /// `rocksdb.memory.bytes`: the shared RocksDB block cache and memtable budget (state-stores).
    pub const ROCKSDB_MEMORY_BYTES: &str = "rocksdb.memory.bytes";
    /// Kafka Streams' internal `__emit.interval.ms.kstreams.windowed.aggregation__`:
    /// how often (wall-clock ms) a windowed aggregation that emits on window
    /// close looks for closed windows; 1000 by default, 0 in the test driver
    /// (as in Kafka Streams' `TopologyTestDriver`).
    pub const EMIT_INTERVAL_MS_WINDOWED_AGGREGATION: &str = "__emit.interval.ms.kstreams.windowed.aggregation__";
    /// `metrics.recording.level`: `INFO` (default), `DEBUG` or `TRACE`. As in
    /// Kafka Streams, state stores time their operations only at `DEBUG`
    /// and above; their operation counts are kept at every level.
    pub const METRICS_RECORDING_LEVEL: &str = "metrics.recording.level";
}

/// `metrics.recording.level`, least detailed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum RecordingLevel {
    /// Metrics that cost next to nothing (the default).
    #[default]
    Info,
    /// Adds per-operation latencies (state store put, get, range, flush).
    Debug,
    /// Everything.
    Trace,
}

/// Configuration of a streams application.
#[derive(Clone)]
#[must_use]
pub struct StreamsConfig {
    application_id: String,
    bootstrap_servers: Option<String>,
    num_stream_threads: usize,
    commit_interval: Duration,
    state_dir: PathBuf,
    cache_max_bytes: usize,
    recording_level: RecordingLevel,
    dead_letter_queue_topic: Option<String>,
    deserialization_handler: Arc<dyn ErrorHandler>,
    processing_handler: Arc<dyn ErrorHandler>,
    production_handler: Arc<dyn ErrorHandler>,
    extra: BTreeMap<String, String>,
    /// Values that did not parse, reported by `validate`.
    invalid: Vec<(String, String)>,
}

impl StreamsConfig {
    /// A configuration with every default, for `application.id`.
    ///
    /// The id names the consumer group, prefixes internal topics and the state
    /// directory; it must be non-empty and use only `[a-zA-Z0-9._-]`.
    pub fn new(application_id: impl Into<String>) -> Self {
        Self {
            application_id: application_id.into(),
            bootstrap_servers: None,
            num_stream_threads: 1,
            commit_interval: Duration::from_secs(30),
            state_dir: std::env::temp_dir().join("kafka-streams"),
            cache_max_bytes: 10 * 1024 * 1024,
            recording_level: RecordingLevel::Info,
            dead_letter_queue_topic: None,
            deserialization_handler: Arc::new(LogAndFail),
            processing_handler: Arc::new(LogAndFail),
            production_handler: Arc::new(LogAndFail),
            extra: BTreeMap::new(),
            invalid: Vec::new(),
        }
    }

    /// `bootstrap.servers`. Default: none (the examples then start an embedded broker).
    pub fn with_bootstrap_servers(mut self, servers: impl Into<String>) -> Self {
        self.bootstrap_servers = Some(servers.into());
        self
    }

    /// `num.stream.threads`. Default: 1.
    pub fn with_num_stream_threads(mut self, n: usize) -> Self {
        self.num_stream_threads = n;
        self
    }

    /// `commit.interval.ms`. Default: 30 s (at-least-once).
    pub fn with_commit_interval(mut self, interval: Duration) -> Self {
        self.commit_interval = interval;
        self
    }

    /// `state.dir`. Default: `<tmp>/kafka-streams`.
    pub fn with_state_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state_dir = dir.into();
        self
    }

    /// `statestore.cache.max.bytes`. Default: 10 MiB.
    pub fn with_cache_max_bytes(mut self, bytes: usize) -> Self {
        self.cache_max_bytes = bytes;
        self
    }

    /// `errors.dead.letter.queue.topic.name`. Default: none.
    pub fn with_dead_letter_queue_topic(mut self, topic: impl Into<String>) -> Self {
        self.dead_letter_queue_topic = Some(topic.into());
        self
    }

    /// `deserialization.exception.handler`: records that cannot be read, or
    /// whose timestamp is invalid. Default: [`LogAndFail`].
    pub fn with_deserialization_exception_handler(mut self, h: impl ErrorHandler) -> Self {
        self.deserialization_handler = Arc::new(h);
        self
    }

    /// `processing.exception.handler`: processors that return an error.
    /// Default: [`LogAndFail`].
    pub fn with_processing_exception_handler(mut self, h: impl ErrorHandler) -> Self {
        self.processing_handler = Arc::new(h);
        self
    }

    /// `production.exception.handler`: records a sink cannot serialize or send.
    /// Default: [`LogAndFail`].
    pub fn with_production_exception_handler(mut self, h: impl ErrorHandler) -> Self {
        self.production_handler = Arc::new(h);
        self
    }

    /// Sets any key by its Kafka Streams name. Typed keys
    /// (`application.id`, `bootstrap.servers`, `num.stream.threads`,
    /// `commit.interval.ms`, `state.dir`, `statestore.cache.max.bytes`,
    /// `errors.dead.letter.queue.topic.name` and the exception handlers) set
    /// their field; a value that does not parse is kept and reported by
    /// [`validate`](Self::validate). Every other key is kept as given
    /// (client pass-through, store and DSL settings).
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        self.invalid.retain(|(k, _)| *k != key);
        if let Err(reason) = self.set_typed(&key, &value) {
            self.invalid.push((key.clone(), reason));
        }
        self.extra.insert(key, value);
        self
    }

    /// Routes a typed key to its field. `Ok` also for keys that are not typed.
    fn set_typed(&mut self, key: &str, value: &str) -> Result<(), String> {
        fn number<T: std::str::FromStr>(value: &str) -> Result<T, String> {
            value
                .trim()
                .parse()
                .map_err(|_| format!("{value:?} is not a valid number"))
        }
        match key {
            keys::APPLICATION_ID => self.application_id = value.to_owned(),
            keys::BOOTSTRAP_SERVERS => self.bootstrap_servers = Some(value.to_owned()),
            keys::NUM_STREAM_THREADS => self.num_stream_threads = number(value)?,
            keys::COMMIT_INTERVAL_MS => self.commit_interval = Duration::from_millis(number(value)?),
            keys::STATE_DIR => self.state_dir = PathBuf::from(value),
            keys::STATESTORE_CACHE_MAX_BYTES => self.cache_max_bytes = number(value)?,
            keys::METRICS_RECORDING_LEVEL => {
                self.recording_level = match value.trim() {
                    "INFO" => RecordingLevel::Info,
                    "DEBUG" => RecordingLevel::Debug,
                    "TRACE" => RecordingLevel::Trace,
                    other => return Err(format!("{other:?} is not one of INFO, DEBUG, TRACE")),
                }
            }
            keys::DEAD_LETTER_QUEUE_TOPIC => self.dead_letter_queue_topic = Some(value.to_owned()),
            keys::DEFAULT_DESERIALIZATION_EXCEPTION_HANDLER | keys::DESERIALIZATION_EXCEPTION_HANDLER => {
                self.deserialization_handler = handler_named(value)?;
            }
            keys::PROCESSING_EXCEPTION_HANDLER => self.processing_handler = handler_named(value)?,
            keys::DEFAULT_PRODUCTION_EXCEPTION_HANDLER | keys::PRODUCTION_EXCEPTION_HANDLER => {
                self.production_handler = handler_named(value)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// `application.id`.
    pub fn application_id(&self) -> &str {
        &self.application_id
    }

    /// `bootstrap.servers`, if set.
    pub fn bootstrap_servers(&self) -> Option<&str> {
        self.bootstrap_servers.as_deref()
    }

    /// `num.stream.threads`.
    pub fn num_stream_threads(&self) -> usize {
        self.num_stream_threads
    }

    /// `commit.interval.ms`.
    pub fn commit_interval(&self) -> Duration {
        self.commit_interval
    }

    /// `state.dir`.
    pub fn state_dir(&self) -> &std::path::Path {
        &self.state_dir
    }

    /// `statestore.cache.max.bytes`.
    pub fn cache_max_bytes(&self) -> usize {
        self.cache_max_bytes
    }

    /// `metrics.recording.level`.
    pub fn recording_level(&self) -> RecordingLevel {
        self.recording_level
    }

    /// `errors.dead.letter.queue.topic.name`, if set.
    pub fn dead_letter_queue_topic(&self) -> Option<&str> {
        self.dead_letter_queue_topic.as_deref()
    }

    /// The deserialization handler.
    pub fn deserialization_exception_handler(&self) -> &Arc<dyn ErrorHandler> {
        &self.deserialization_handler
    }

    /// The processing handler.
    pub fn processing_exception_handler(&self) -> &Arc<dyn ErrorHandler> {
        &self.processing_handler
    }

    /// The production handler.
    pub fn production_exception_handler(&self) -> &Arc<dyn ErrorHandler> {
        &self.production_handler
    }

    /// A key set with [`with`](Self::with).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.extra.get(key).map(String::as_str)
    }

    /// Every key set with [`with`](Self::with) (or loaded), in key order,
    /// typed ones included.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.extra.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// A number-valued key, or `default` when it is not set (a value that
    /// does not parse is an error naming the key).
    pub fn get_number<T: std::str::FromStr>(&self, key: &str, default: T) -> Result<T, StreamsError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v.trim().parse().map_err(|_| StreamsError::Config {
                key: key.to_owned(),
                reason: format!("{v:?} is not a valid number"),
            }),
        }
    }

    /// Checks the values; called by whatever runs the topology, before it starts.
    pub fn validate(&self) -> Result<(), StreamsError> {
        if let Some((key, reason)) = self.invalid.first() {
            return Err(StreamsError::Config {
                key: key.clone(),
                reason: reason.clone(),
            });
        }
        let id = &self.application_id;
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(StreamsError::Config {
                key: keys::APPLICATION_ID.into(),
                reason: format!("{id:?} must be non-empty and use only [a-zA-Z0-9._-]"),
            });
        }
        if self.num_stream_threads == 0 {
            return Err(StreamsError::Config {
                key: keys::NUM_STREAM_THREADS.into(),
                reason: "must be at least 1".into(),
            });
        }
        if matches!(&self.dead_letter_queue_topic, Some(t) if t.is_empty()) {
            return Err(StreamsError::Config {
                key: keys::DEAD_LETTER_QUEUE_TOPIC.into(),
                reason: "must not be empty".into(),
            });
        }
        Ok(())
    }
}

/// The handler a configuration value names: Kafka Streams' class names
/// (`org.apache.kafka.streams.errors.LogAndContinueExceptionHandler`, or the
/// simple name) or `log-and-continue` / `log-and-fail`.
fn handler_named(value: &str) -> Result<Arc<dyn ErrorHandler>, String> {
    let simple = value.trim().rsplit('.').next().unwrap_or_default();
    match simple {
        "LogAndContinueExceptionHandler" | "LogAndContinueProcessingExceptionHandler" | "log-and-continue" => {
            Ok(Arc::new(crate::handler::LogAndContinue))
        }
        "LogAndFailExceptionHandler"
        | "LogAndFailProcessingExceptionHandler"
        | "DefaultProductionExceptionHandler"
        | "log-and-fail" => Ok(Arc::new(LogAndFail)),
        _ => Err(format!(
            "{value:?} names no known handler (LogAndContinueExceptionHandler, LogAndFailExceptionHandler, \
             log-and-continue, log-and-fail; set other handlers in code)"
        )),
    }
}

impl fmt::Debug for StreamsConfig {
    /// Every key with its value, secrets (see [`clients::is_secret`]) shown
    /// as `[hidden]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("StreamsConfig");
        d.field(keys::APPLICATION_ID, &self.application_id)
            .field(keys::BOOTSTRAP_SERVERS, &self.bootstrap_servers)
            .field(keys::NUM_STREAM_THREADS, &self.num_stream_threads)
            .field(keys::COMMIT_INTERVAL_MS, &self.commit_interval.as_millis())
            .field(keys::STATE_DIR, &self.state_dir)
            .field(keys::STATESTORE_CACHE_MAX_BYTES, &self.cache_max_bytes)
            .field(keys::DEAD_LETTER_QUEUE_TOPIC, &self.dead_letter_queue_topic);
        for (k, v) in &self.extra {
            if clients::is_secret(k) {
                d.field(k, &"[hidden]");
            } else {
                d.field(k, v);
            }
        }
        d.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_application_id() {
        StreamsConfig::new("word-count_1.0").validate().unwrap();
        let err = StreamsConfig::new("bad id").validate().unwrap_err();
        assert!(err.to_string().contains("application.id"), "{err}");
        assert!(StreamsConfig::new("").validate().is_err());
        assert!(StreamsConfig::new("a").with_num_stream_threads(0).validate().is_err());
    }

    #[test]
    fn typed_keys_set_by_name_reach_their_fields() {
        let c = StreamsConfig::new("a")
            .with("num.stream.threads", "3")
            .with("commit.interval.ms", "250")
            .with("statestore.cache.max.bytes", "0")
            .with("bootstrap.servers", "127.0.0.1:9092")
            .with("application.id", "b");
        c.validate().unwrap();
        assert_eq!(c.num_stream_threads(), 3);
        assert_eq!(c.commit_interval(), Duration::from_millis(250));
        assert_eq!(c.cache_max_bytes(), 0);
        assert_eq!(c.bootstrap_servers(), Some("127.0.0.1:9092"));
        assert_eq!(c.application_id(), "b");
    }

    #[test]
    fn unparsable_values_fail_validation_naming_the_key() {
        let err = StreamsConfig::new("a")
            .with("commit.interval.ms", "soon")
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("commit.interval.ms"), "{err}");
        assert!(err.to_string().contains("soon"), "{err}");
        // A later valid value replaces the invalid one.
        StreamsConfig::new("a")
            .with("commit.interval.ms", "soon")
            .with("commit.interval.ms", "5")
            .validate()
            .unwrap();
        let err = StreamsConfig::new("a")
            .with("default.deserialization.exception.handler", "com.acme.Mine")
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("com.acme.Mine"), "{err}");
        StreamsConfig::new("a")
            .with(
                "default.deserialization.exception.handler",
                "org.apache.kafka.streams.errors.LogAndContinueExceptionHandler",
            )
            .validate()
            .unwrap();
    }

    #[test]
    fn recording_level_parses_kafka_streams_names() {
        assert_eq!(StreamsConfig::new("a").recording_level(), RecordingLevel::Info);
        for (name, level) in [
            ("INFO", RecordingLevel::Info),
            ("DEBUG", RecordingLevel::Debug),
            ("TRACE", RecordingLevel::Trace),
        ] {
            let c = StreamsConfig::new("a").with("metrics.recording.level", name);
            c.validate_for_runtime().unwrap();
            assert_eq!(c.recording_level(), level);
        }
        let err = StreamsConfig::new("a")
            .with("metrics.recording.level", "verbose")
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("metrics.recording.level"), "{err}");
        assert!(err.to_string().contains("verbose"), "{err}");
    }

    #[test]
    fn debug_hides_secrets() {
        let c = StreamsConfig::new("a")
            .with("sasl.password", "hunter2")
            .with("producer.ssl.key.password", "swordfish")
            .with("sasl.mechanism", "PLAIN");
        let text = format!("{c:?}");
        assert!(!text.contains("hunter2") && !text.contains("swordfish"), "{text}");
        assert!(text.contains("[hidden]"), "{text}");
    }
}
