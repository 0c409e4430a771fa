//! What the Kafka runtime's clients are configured with, and which keys a
//! configuration may hold.
//!
//! Kafka Streams passes `consumer.` / `producer.` / `admin.` prefixed keys to
//! the client of that kind (and `main.consumer.` / `restore.consumer.` to one
//! consumer only), and the unprefixed security keys to every client. We do the
//! same, handing the keys to librdkafka unchanged, so SASL and SSL settings
//! work as they are (librdkafka rejects a key it does not know, naming it, when
//! the client is created). Secret values are never logged: see [`is_secret`].

use super::{StreamsConfig, keys};
use crate::error::StreamsError;

/// A client of the runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// A stream thread's group consumer (`consumer.`, then `main.consumer.`).
    MainConsumer,
    /// A stream thread's changelog consumer (`consumer.`, then `restore.consumer.`).
    RestoreConsumer,
    /// A stream thread's producer (`producer.`).
    Producer,
    /// The admin client that creates internal topics (`admin.`).
    Admin,
}

impl ClientKind {
    /// Prefixes that apply to this client, most general first (a later one
    /// overrides an earlier one).
    fn prefixes(self) -> &'static [&'static str] {
        match self {
            ClientKind::MainConsumer => &["consumer.", "main.consumer."],
            ClientKind::RestoreConsumer => &["consumer.", "restore.consumer."],
            ClientKind::Producer => &["producer."],
            ClientKind::Admin => &["admin."],
        }
    }
}

/// Whether `key` holds a secret: any key naming a password, secret or
/// private key, and every `sasl.*` setting (JAAS configs and OAuth settings
/// embed credentials). Such values are shown as `[hidden]`.
pub fn is_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    let bare = ClientKind::MainConsumer
        .prefixes()
        .iter()
        .chain(ClientKind::RestoreConsumer.prefixes())
        .chain(ClientKind::Producer.prefixes())
        .chain(ClientKind::Admin.prefixes())
        .find_map(|p| key.strip_prefix(p))
        .unwrap_or(&key);
    bare.starts_with("sasl.")
        || ["password", "secret", "private.key", "key.pem", "credentials", "token"]
            .iter()
            .any(|s| bare.contains(s))
}

/// Whether an unprefixed key is a client setting that every client gets.
fn is_shared_client_key(key: &str) -> bool {
    key == "security.protocol"
        || key.starts_with("sasl.")
        || key.starts_with("ssl.")
        || key == "client.rack"
        || key == "socket.keepalive.enable"
}

/// Kafka Streams keys this library understands (typed or read by a layer).
const STREAMS_KEYS: &[&str] = &[
    keys::APPLICATION_ID,
    keys::BOOTSTRAP_SERVERS,
    keys::NUM_STREAM_THREADS,
    keys::COMMIT_INTERVAL_MS,
    keys::STATE_DIR,
    keys::STATESTORE_CACHE_MAX_BYTES,
    keys::DEAD_LETTER_QUEUE_TOPIC,
    keys::PROCESSING_GUARANTEE,
    keys::TOPOLOGY_OPTIMIZATION,
    keys::REPLICATION_FACTOR,
    keys::NUM_STANDBY_REPLICAS,
    keys::DEFAULT_DESERIALIZATION_EXCEPTION_HANDLER,
    keys::DESERIALIZATION_EXCEPTION_HANDLER,
    keys::PROCESSING_EXCEPTION_HANDLER,
    keys::DEFAULT_PRODUCTION_EXCEPTION_HANDLER,
    keys::PRODUCTION_EXCEPTION_HANDLER,
    keys::APPLICATION_SERVER,
    keys::CLIENT_ID,
    keys::POLL_MS,
    keys::WINDOWSTORE_CHANGELOG_ADDITIONAL_RETENTION_MS,
    keys::DEFAULT_API_TIMEOUT_MS,
    keys::ROCKSDB_MEMORY_BYTES,
    keys::EMIT_INTERVAL_MS_WINDOWED_AGGREGATION,
    keys::METRICS_RECORDING_LEVEL,
];

/// Kafka Streams (Java) keys with no meaning here: serdes and timestamp
/// extractors are chosen by type and in code. Accepted, so that a ported
/// properties file loads, and logged as ignored.
const JAVA_ONLY_KEYS: &[&str] = &[
    "default.key.serde",
    "default.value.serde",
    "default.timestamp.extractor",
    "default.dsl.store",
    "dsl.store.suppliers.class",
    "rocksdb.config.setter",
    "metric.reporters",
];

impl StreamsConfig {
    /// Checks what the Kafka runtime needs on top of [`validate`](Self::validate):
    /// every key is known (a Kafka Streams key, a prefixed or shared client
    /// key, or a `topic.` key), and the runtime's keys have values it supports.
    pub fn validate_for_runtime(&self) -> Result<(), StreamsError> {
        self.validate()?;
        let err = |key: &str, reason: String| StreamsError::Config {
            key: key.to_owned(),
            reason,
        };
        for (key, value) in self.entries() {
            let prefixed = [
                "consumer.",
                "main.consumer.",
                "restore.consumer.",
                "producer.",
                "admin.",
                "topic.",
            ]
            .iter()
            .any(|p| key.starts_with(p));
            if JAVA_ONLY_KEYS.contains(&key) {
                tracing::warn!(key, "ignored: serdes, extractors and stores are chosen in code");
            } else if !(STREAMS_KEYS.contains(&key) || prefixed || is_shared_client_key(key)) {
                return Err(err(
                    key,
                    "unknown key (client settings need a consumer., producer. or admin. prefix)".into(),
                ));
            }
            if value.is_empty() && !is_secret(key) {
                return Err(err(key, "empty value".into()));
            }
        }
        match self.get(keys::PROCESSING_GUARANTEE).unwrap_or("at_least_once") {
            "at_least_once" => {}
            "exactly_once_v2" | "exactly_once" | "exactly_once_beta" => {
                return Err(err(
                    keys::PROCESSING_GUARANTEE,
                    "exactly-once processing is not supported by this runtime yet; use at_least_once".into(),
                ));
            }
            other => return Err(err(keys::PROCESSING_GUARANTEE, format!("unknown guarantee {other:?}"))),
        }
        let standbys: u32 = self.get_number(keys::NUM_STANDBY_REPLICAS, 0)?;
        if standbys > 0 {
            return Err(err(
                keys::NUM_STANDBY_REPLICAS,
                "standby replicas are not supported by this runtime yet; use 0".into(),
            ));
        }
        let replication: i16 = self.get_number(keys::REPLICATION_FACTOR, -1)?;
        if replication == 0 || replication < -1 {
            return Err(err(
                keys::REPLICATION_FACTOR,
                "must be -1 (broker default) or at least 1".into(),
            ));
        }
        let poll: u64 = self.get_number(keys::POLL_MS, 100)?;
        if poll == 0 {
            return Err(err(keys::POLL_MS, "must be at least 1".into()));
        }
        self.get_number::<u64>(keys::DEFAULT_API_TIMEOUT_MS, 60_000)?;
        self.get_number::<i64>(keys::WINDOWSTORE_CHANGELOG_ADDITIONAL_RETENTION_MS, 86_400_000)?;
        if let Some(server) = self.get(keys::APPLICATION_SERVER) {
            let valid = server
                .rsplit_once(':')
                .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
            if !valid {
                return Err(err(keys::APPLICATION_SERVER, format!("{server:?} is not host:port")));
            }
        }
        Ok(())
    }

    /// The librdkafka settings of one client: `bootstrap.servers`, the shared
    /// security keys, then the keys with the client's prefixes (prefix
    /// removed), later ones overriding earlier ones.
    pub fn client_settings(&self, kind: ClientKind) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut set = |k: &str, v: &str| match out.iter_mut().find(|(key, _)| key == k) {
            Some(entry) => entry.1 = v.to_owned(),
            None => out.push((k.to_owned(), v.to_owned())),
        };
        if let Some(servers) = self.bootstrap_servers() {
            set(keys::BOOTSTRAP_SERVERS, servers);
        }
        for (k, v) in self.entries().filter(|(k, _)| is_shared_client_key(k)) {
            set(k, v);
        }
        for prefix in kind.prefixes() {
            for (k, v) in self.entries() {
                if let Some(bare) = k.strip_prefix(prefix) {
                    set(bare, v);
                }
            }
        }
        out
    }

    /// The configs an internal topic is created with from `topic.` keys
    /// (e.g. `topic.min.insync.replicas`), prefix removed.
    pub fn topic_settings(&self) -> Vec<(String, String)> {
        self.entries()
            .filter_map(|(k, v)| k.strip_prefix("topic.").map(|bare| (bare.to_owned(), v.to_owned())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_recognised_with_or_without_a_prefix() {
        for key in [
            "sasl.password",
            "sasl.jaas.config",
            "ssl.key.password",
            "ssl.keystore.password",
            "producer.sasl.username",
            "consumer.ssl.key.pem",
            "sasl.oauthbearer.client.secret",
        ] {
            assert!(is_secret(key), "{key}");
        }
        for key in [
            "bootstrap.servers",
            "security.protocol",
            "ssl.ca.location",
            "consumer.fetch.min.bytes",
        ] {
            assert!(!is_secret(key), "{key}");
        }
    }

    #[test]
    fn client_settings_pass_prefixed_and_security_keys_through() {
        let c = StreamsConfig::new("app")
            .with_bootstrap_servers("127.0.0.1:9092")
            .with("security.protocol", "SASL_SSL")
            .with("sasl.mechanism", "PLAIN")
            .with("consumer.fetch.min.bytes", "1000")
            .with("main.consumer.fetch.min.bytes", "2000")
            .with("producer.linger.ms", "5")
            .with("admin.request.timeout.ms", "900");
        let get = |kind, key: &str| {
            c.client_settings(kind)
                .into_iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
        };
        assert_eq!(
            get(ClientKind::MainConsumer, "fetch.min.bytes").as_deref(),
            Some("2000")
        );
        assert_eq!(
            get(ClientKind::RestoreConsumer, "fetch.min.bytes").as_deref(),
            Some("1000")
        );
        assert_eq!(get(ClientKind::Producer, "fetch.min.bytes"), None);
        assert_eq!(get(ClientKind::Producer, "linger.ms").as_deref(), Some("5"));
        assert_eq!(get(ClientKind::Admin, "request.timeout.ms").as_deref(), Some("900"));
        for kind in [ClientKind::MainConsumer, ClientKind::Producer, ClientKind::Admin] {
            assert_eq!(get(kind, "security.protocol").as_deref(), Some("SASL_SSL"));
            assert_eq!(get(kind, "sasl.mechanism").as_deref(), Some("PLAIN"));
            assert_eq!(get(kind, "bootstrap.servers").as_deref(), Some("127.0.0.1:9092"));
        }
    }

    #[test]
    fn runtime_validation_rejects_unknown_keys_and_unsupported_values() {
        StreamsConfig::new("app")
            .with("consumer.max.poll.records", "10")
            .with(
                "default.key.serde",
                "org.apache.kafka.common.serialization.Serdes$StringSerde",
            )
            .with("processing.guarantee", "at_least_once")
            .with("application.server", "localhost:8080")
            .validate_for_runtime()
            .unwrap();
        for (key, value, says) in [
            ("max.poll.records", "10", "unknown key"),
            ("processing.guarantee", "exactly_once_v2", "not supported"),
            ("processing.guarantee", "twice", "twice"),
            ("num.standby.replicas", "1", "standby"),
            ("replication.factor", "0", "replication.factor"),
            ("application.server", "nowhere", "host:port"),
            ("poll.ms", "x", "poll.ms"),
        ] {
            let err = StreamsConfig::new("app")
                .with(key, value)
                .validate_for_runtime()
                .unwrap_err();
            let text = err.to_string();
            assert!(text.contains(key) && text.contains(says), "{key}={value}: {text}");
        }
    }
}
