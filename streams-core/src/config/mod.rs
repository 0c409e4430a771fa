//! Application configuration, with Kafka Streams' key names.
//!
//! Built by value: `StreamsConfig::new("app").with_commit_interval(..)`. Each
//! setter documents its default. Later issues add the Kafka runtime's keys and
//! properties-file loading; the engine and the test driver read what is here.

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
    /// Kafka Streams' internal `__emit.interval.ms.kstreams.windowed.aggregation__`:
    /// how often (wall-clock ms) a windowed aggregation that emits on window
    /// close looks for closed windows; 1000 by default, 0 in the test driver
    /// (as in Kafka Streams' `TopologyTestDriver`).
    pub const EMIT_INTERVAL_MS_WINDOWED_AGGREGATION: &str = "__emit.interval.ms.kstreams.windowed.aggregation__";
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
    dead_letter_queue_topic: Option<String>,
    deserialization_handler: Arc<dyn ErrorHandler>,
    processing_handler: Arc<dyn ErrorHandler>,
    production_handler: Arc<dyn ErrorHandler>,
    extra: BTreeMap<String, String>,
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
            dead_letter_queue_topic: None,
            deserialization_handler: Arc::new(LogAndFail),
            processing_handler: Arc::new(LogAndFail),
            production_handler: Arc::new(LogAndFail),
            extra: BTreeMap::new(),
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

    /// Any other key (kept for later layers, such as client pass-through).
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
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

    /// Checks the values; called by whatever runs the topology, before it starts.
    pub fn validate(&self) -> Result<(), StreamsError> {
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

impl fmt::Debug for StreamsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamsConfig")
            .field(keys::APPLICATION_ID, &self.application_id)
            .field(keys::BOOTSTRAP_SERVERS, &self.bootstrap_servers)
            .field(keys::NUM_STREAM_THREADS, &self.num_stream_threads)
            .field(keys::COMMIT_INTERVAL_MS, &self.commit_interval.as_millis())
            .field(keys::STATE_DIR, &self.state_dir)
            .field(keys::STATESTORE_CACHE_MAX_BYTES, &self.cache_max_bytes)
            .field(keys::DEAD_LETTER_QUEUE_TOPIC, &self.dead_letter_queue_topic)
            .finish_non_exhaustive()
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
}
