//! Loading a [`StreamsConfig`] from a Java-style `.properties` file (the
//! format Kafka Streams applications are configured with) or from
//! environment variables.
//!
//! Both go through [`StreamsConfig::with`], so a loaded value that does not
//! parse is reported, naming its key, by `validate` at start-up.

use std::path::Path;

use super::{StreamsConfig, keys};
use crate::error::StreamsError;

impl StreamsConfig {
    /// Reads a `.properties` file (`key=value`, `key: value`, `#` and `!`
    /// comments, `\` line continuations and escapes, as Java reads them).
    /// It must set `application.id`.
    pub fn from_properties_file(path: impl AsRef<Path>) -> Result<Self, StreamsError> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| StreamsError::Config {
            key: "properties file".into(),
            reason: format!("cannot open {}: {e}", path.display()),
        })?;
        Self::from_properties_reader(file).map_err(|e| match e {
            StreamsError::Config { key, reason } => StreamsError::Config {
                key,
                reason: format!("{reason} (in {})", path.display()),
            },
            other => other,
        })
    }

    /// Reads properties text from `reader`; see [`from_properties_file`](Self::from_properties_file).
    pub fn from_properties_reader(reader: impl std::io::Read) -> Result<Self, StreamsError> {
        let map = java_properties::read(reader).map_err(|e| StreamsError::Config {
            key: "properties file".into(),
            reason: format!("line {}: {e}", e.line_number().unwrap_or(0)),
        })?;
        let mut entries: Vec<(String, String)> = map.into_iter().collect();
        entries.sort();
        Self::from_entries(entries, "the properties")
    }

    /// Reads every environment variable that starts with `prefix` (e.g.
    /// `KAFKA_STREAMS_`). The rest of the name, lower-cased, is the key, with
    /// `_` read as `.`, `__` as `_` and `___` as `-` (the convention of
    /// Kafka's container images): `KAFKA_STREAMS_APPLICATION_ID` is
    /// `application.id`, `KAFKA_STREAMS_CONSUMER_MAX_POLL_RECORDS` is
    /// `consumer.max.poll.records`.
    pub fn from_env(prefix: &str) -> Result<Self, StreamsError> {
        Self::from_env_vars(prefix, std::env::vars())
    }

    /// As [`from_env`](Self::from_env), from the given variables.
    pub fn from_env_vars(prefix: &str, vars: impl IntoIterator<Item = (String, String)>) -> Result<Self, StreamsError> {
        let mut entries: Vec<(String, String)> = vars
            .into_iter()
            .filter_map(|(name, value)| name.strip_prefix(prefix).map(|rest| (env_key(rest), value)))
            .collect();
        entries.sort();
        Self::from_entries(entries, &format!("the {prefix}* environment variables"))
    }

    /// A configuration with every entry set, which must include `application.id`.
    fn from_entries(entries: Vec<(String, String)>, origin: &str) -> Result<Self, StreamsError> {
        let id = entries
            .iter()
            .find(|(k, _)| k == keys::APPLICATION_ID)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| StreamsError::Config {
                key: keys::APPLICATION_ID.into(),
                reason: format!("not set in {origin}"),
            })?;
        Ok(entries
            .into_iter()
            .fold(StreamsConfig::new(id), |config, (k, v)| config.with(k, v)))
    }
}

/// `APPLICATION_ID` -> `application.id`; `__` -> `_`; `___` -> `-`.
fn env_key(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut chars = lower.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '_' {
            out.push(c);
            continue;
        }
        let mut run = 1;
        while chars.peek() == Some(&'_') {
            chars.next();
            run += 1;
        }
        // Runs of three become '-', of two '_', of one '.'; longer runs repeat.
        for _ in 0..run / 3 {
            out.push('-');
        }
        match run % 3 {
            1 => out.push('.'),
            2 => out.push('_'),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_text_loads_with_java_syntax() {
        let text = "# word count\n\
                    application.id=wordcount\n\
                    bootstrap.servers : 127.0.0.1:9092\n\
                    num.stream.threads 2\n\
                    ! another comment\n\
                    commit.interval.ms=\\\n   1000\n\
                    consumer.client.rack=a\\u0062c\n";
        let c = StreamsConfig::from_properties_reader(text.as_bytes()).unwrap();
        c.validate().unwrap();
        assert_eq!(c.application_id(), "wordcount");
        assert_eq!(c.bootstrap_servers(), Some("127.0.0.1:9092"));
        assert_eq!(c.num_stream_threads(), 2);
        assert_eq!(c.commit_interval(), std::time::Duration::from_millis(1000));
        assert_eq!(c.get("consumer.client.rack"), Some("abc"));
    }

    #[test]
    fn a_properties_file_without_application_id_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.properties");
        std::fs::write(&path, "bootstrap.servers=x:1\n").unwrap();
        let err = StreamsConfig::from_properties_file(&path).unwrap_err().to_string();
        assert!(
            err.contains("application.id") && err.contains("app.properties"),
            "{err}"
        );
        let err = StreamsConfig::from_properties_file(dir.path().join("missing"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing"), "{err}");
    }

    #[test]
    fn environment_variables_map_to_keys() {
        assert_eq!(env_key("APPLICATION_ID"), "application.id");
        assert_eq!(env_key("CONSUMER_MAX_POLL_RECORDS"), "consumer.max.poll.records");
        assert_eq!(env_key("ERRORS__X"), "errors_x");
        assert_eq!(env_key("A___B"), "a-b");
        let vars = [
            ("KS_APPLICATION_ID", "from-env"),
            ("KS_NUM_STREAM_THREADS", "4"),
            ("KS_SASL_PASSWORD", "hunter2"),
            ("OTHER_APPLICATION_ID", "no"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        let c = StreamsConfig::from_env_vars("KS_", vars).unwrap();
        assert_eq!(c.application_id(), "from-env");
        assert_eq!(c.num_stream_threads(), 4);
        assert_eq!(c.get("sasl.password"), Some("hunter2"));
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
