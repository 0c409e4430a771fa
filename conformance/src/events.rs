//! The two file formats shared with the Java oracle: an input is a list of
//! [`Event`]s, an outcome a list of [`OutputRecord`]s (or the error a run
//! ended with). Both are tab-separated text, bytes as lowercase hex and `-`
//! for null, so that a failing case can be read and replayed by hand.

use std::fmt::{self, Write as _};

/// One step of an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A record piped into an input topic.
    Record {
        /// Input topic.
        topic: String,
        /// Key bytes; `None` is Kafka's null key.
        key: Option<Vec<u8>>,
        /// Value bytes; `None` is a null value (a tombstone for tables).
        value: Option<Vec<u8>>,
        /// Record timestamp (ms).
        timestamp: i64,
    },
    /// Advance the driver's wall clock by this many milliseconds.
    AdvanceWallClock(u64),
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Record {
                topic,
                key,
                value,
                timestamp,
            } => write!(f, "r\t{topic}\t{}\t{}\t{timestamp}", hex(key), hex(value)),
            Event::AdvanceWallClock(ms) => write!(f, "w\t{ms}"),
        }
    }
}

/// The input file's text for `events`.
pub fn input_file(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        // Writing to a String cannot fail.
        let _ = writeln!(text, "{event}");
    }
    text
}

/// One record a topology wrote to an output topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputRecord {
    /// Output topic.
    pub topic: String,
    /// Key bytes (`None`: null).
    pub key: Option<Vec<u8>>,
    /// Value bytes (`None`: null).
    pub value: Option<Vec<u8>>,
    /// Record timestamp (ms).
    pub timestamp: i64,
}

impl fmt::Display for OutputRecord {
    /// `topic key value @timestamp`, each byte string shown as text when it
    /// is printable, else as hex (an 8-byte long shows as its number too).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} key={} value={} @{}",
            self.topic,
            readable(&self.key),
            readable(&self.value),
            self.timestamp
        )
    }
}

/// What one run of a topology on one input gave.
pub type Outcome = Result<Vec<OutputRecord>, String>;

/// Parses the oracle's output file.
pub fn parse_outcome(text: &str) -> Result<Outcome, FormatError> {
    let mut records = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        if let Some(message) = line.strip_prefix("error\t") {
            return Ok(Err(message.to_owned()));
        }
        let bad = || FormatError {
            line: n + 1,
            text: line.to_owned(),
        };
        let fields: Vec<&str> = line.split('\t').collect();
        let [topic, key, value, timestamp] = fields[..] else {
            return Err(bad());
        };
        records.push(OutputRecord {
            topic: topic.to_owned(),
            key: unhex(key).ok_or_else(bad)?,
            value: unhex(value).ok_or_else(bad)?,
            timestamp: timestamp.parse().map_err(|_| bad())?,
        });
    }
    Ok(Ok(records))
}

/// A line of an oracle output file that is not in the format.
#[derive(Debug, thiserror::Error)]
#[error("oracle output line {line} is malformed: {text:?}")]
pub struct FormatError {
    /// 1-based line number.
    pub line: usize,
    /// The line.
    pub text: String,
}

fn hex(bytes: &Option<Vec<u8>>) -> String {
    match bytes {
        None => "-".to_owned(),
        Some(b) => b.iter().fold(String::with_capacity(b.len() * 2), |mut s, byte| {
            let _ = write!(s, "{byte:02x}");
            s
        }),
    }
}

/// `None` when `text` is not hex; `Some(None)` for `-` (null).
fn unhex(text: &str) -> Option<Option<Vec<u8>>> {
    if text == "-" {
        return Some(None);
    }
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()
        .map(Some)
}

fn readable(bytes: &Option<Vec<u8>>) -> String {
    match bytes {
        None => "null".to_owned(),
        Some(b) if !b.is_empty() && b.iter().all(|c| c.is_ascii_graphic() || *c == b' ') => {
            format!("{:?}", String::from_utf8_lossy(b))
        }
        Some(b) if b.len() == 8 => {
            let mut n = [0u8; 8];
            n.copy_from_slice(b);
            format!("{}({})", hex(bytes), i64::from_be_bytes(n))
        }
        Some(_) => hex(bytes),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn output_lines_round_trip() {
        let record = OutputRecord {
            topic: "out".into(),
            key: Some(b"k1".to_vec()),
            value: None,
            timestamp: 42,
        };
        let line = format!("out\t{}\t{}\t42\n", hex(&record.key), hex(&record.value));
        assert_eq!(parse_outcome(&line).unwrap().unwrap(), vec![record.clone()]);
        assert_eq!(record.to_string(), "out key=\"k1\" value=null @42");
        assert_eq!(
            parse_outcome("error\tboom\n").unwrap(),
            Err("boom".to_owned()),
            "an error line is the outcome"
        );
        assert!(parse_outcome("out\tzz\t-\t1\n").is_err());
        assert!(parse_outcome("out\t-\t-\n").is_err());
    }

    #[test]
    fn input_lines_are_tab_separated_hex() {
        let events = [
            Event::Record {
                topic: "in".into(),
                key: None,
                value: Some(vec![0, 255]),
                timestamp: 7,
            },
            Event::AdvanceWallClock(1500),
        ];
        assert_eq!(input_file(&events), "r\tin\t-\t00ff\t7\nw\t1500\n");
    }
}
