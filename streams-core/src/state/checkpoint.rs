//! The checkpoint file: changelog offsets the local stores hold, in Kafka
//! Streams' text format (`0`, the entry count, then `topic partition offset`
//! per line).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::StateError;
use crate::engine::TopicPartition;

const VERSION: &str = "0";

/// A checkpoint file at a fixed path.
#[derive(Debug, Clone)]
pub struct OffsetCheckpoint {
    path: PathBuf,
}

impl OffsetCheckpoint {
    /// The checkpoint at `path` (conventionally `<task dir>/.checkpoint`).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, source: std::io::Error) -> StateError {
        StateError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Replaces the file with `offsets`: written to a temporary file, synced,
    /// renamed over the old one, and the directory synced, so a crash leaves
    /// either the old or the new checkpoint, never a torn one.
    pub fn write(&self, offsets: &BTreeMap<TopicPartition, i64>) -> Result<(), StateError> {
        let mut text = format!("{VERSION}\n{}\n", offsets.len());
        for (tp, offset) in offsets {
            text.push_str(&format!("{} {} {offset}\n", tp.topic, tp.partition));
        }
        let tmp = self.path.with_extension("tmp");
        let mut file = File::create(&tmp).map_err(|e| self.io(e))?;
        file.write_all(text.as_bytes()).map_err(|e| self.io(e))?;
        file.sync_all().map_err(|e| self.io(e))?;
        drop(file);
        fs::rename(&tmp, &self.path).map_err(|e| self.io(e))?;
        if let Some(dir) = self.path.parent() {
            File::open(dir).and_then(|d| d.sync_all()).map_err(|e| self.io(e))?;
        }
        Ok(())
    }

    /// The offsets in the file; empty if there is no file.
    pub fn read(&self) -> Result<BTreeMap<TopicPartition, i64>, StateError> {
        let text = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(e) => return Err(self.io(e)),
        };
        let corrupt = |line: usize, reason: String| StateError::CorruptCheckpoint {
            path: self.path.clone(),
            line,
            reason,
        };
        let text = String::from_utf8(text).map_err(|e| corrupt(1, format!("not UTF-8: {e}")))?;
        let mut lines = text.lines();
        match lines.next() {
            Some(VERSION) => {}
            other => return Err(corrupt(1, format!("unknown version {other:?}"))),
        }
        let count: usize = lines
            .next()
            .and_then(|l| l.parse().ok())
            .ok_or_else(|| corrupt(2, "missing or invalid entry count".into()))?;
        let mut offsets = BTreeMap::new();
        for i in 0..count {
            let line_no = i + 3;
            let line = lines
                .next()
                .ok_or_else(|| corrupt(line_no, format!("expected {count} entries, found {i}")))?;
            let mut parts = line.split(' ');
            let (Some(topic), Some(partition), Some(offset), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(corrupt(
                    line_no,
                    format!("expected `topic partition offset`, got {line:?}"),
                ));
            };
            let partition: i32 = partition
                .parse()
                .map_err(|e| corrupt(line_no, format!("bad partition {partition:?}: {e}")))?;
            let offset: i64 = offset
                .parse()
                .map_err(|e| corrupt(line_no, format!("bad offset {offset:?}: {e}")))?;
            if topic.is_empty() || offset < 0 {
                return Err(corrupt(line_no, format!("invalid entry {line:?}")));
            }
            offsets.insert(TopicPartition::new(topic, partition), offset);
        }
        if lines.any(|l| !l.is_empty()) {
            return Err(corrupt(count + 3, "entries beyond the declared count".into()));
        }
        Ok(offsets)
    }

    /// Removes the file, if any.
    pub fn delete(&self) -> Result<(), StateError> {
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.io(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ckpt-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn round_trip_and_kafka_format() {
        let dir = temp_dir("rt");
        let ckpt = OffsetCheckpoint::new(dir.join(".checkpoint"));
        assert!(ckpt.read().unwrap().is_empty());
        let mut offsets = BTreeMap::new();
        offsets.insert(TopicPartition::new("app-counts-changelog", 3), 42);
        offsets.insert(TopicPartition::new("app-other-changelog", 3), 7);
        ckpt.write(&offsets).unwrap();
        assert_eq!(
            fs::read_to_string(ckpt.path()).unwrap(),
            "0\n2\napp-counts-changelog 3 42\napp-other-changelog 3 7\n"
        );
        assert_eq!(ckpt.read().unwrap(), offsets);
        ckpt.delete().unwrap();
        assert!(ckpt.read().unwrap().is_empty());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn truncated_or_garbled_files_are_typed_errors() {
        let dir = temp_dir("bad");
        let path = dir.join(".checkpoint");
        let ckpt = OffsetCheckpoint::new(&path);
        for (text, line) in [
            (&b"0\n2\nt 0 5\n"[..], 4),
            (b"0\n1\nt 0 x\n", 3),
            (b"9\n0\n", 1),
            (b"0\n", 2),
            (b"\xff\xfe", 1),
            (b"0\n1\nt 0 5\nt 1 6\n", 4),
            (b"0\n1\nt 0 -4\n", 3),
        ] {
            fs::write(&path, text).unwrap();
            match ckpt.read() {
                Err(StateError::CorruptCheckpoint { line: l, .. }) => assert_eq!(l, line, "{text:?}"),
                other => panic!("{text:?}: expected a corrupt checkpoint, got {other:?}"),
            }
        }
        fs::remove_dir_all(dir).unwrap();
    }
}
