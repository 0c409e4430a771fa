//! Which instance hosts a key: `KafkaStreams::metadata_for_key`.
//!
//! Kafka Streams learns the hosts of its peers through its own group
//! assignor. We use librdkafka's assignor and add no coordinator of our own,
//! so each stream thread's consumer carries its instance's
//! `application.server` in its `client.id` (`...-consumer@host:port`), and a
//! lookup reads the group's members and their assignments from the group
//! coordinator (DescribeGroups): the member that owns the key's partition of
//! the store's input topic hosts the key.

use std::fmt;
use std::time::Duration;

use rdkafka::ClientContext;
use rdkafka::client::Client;

use crate::error::StreamsError;

/// A host and port, as `application.server` names an instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostInfo {
    /// The host.
    pub host: String,
    /// The port.
    pub port: u16,
}

impl fmt::Display for HostInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

impl HostInfo {
    /// Parses `host:port`.
    pub fn parse(text: &str) -> Option<Self> {
        let (host, port) = text.rsplit_once(':')?;
        Some(Self {
            host: host.to_owned(),
            port: port.parse().ok()?,
        })
    }
}

/// Where a key of a store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyQueryMetadata {
    /// The instance running the task that holds the key.
    pub active_host: HostInfo,
    /// The partition (and so the task) of the key.
    pub partition: i32,
}

/// The partition Kafka's default partitioner gives a serialized key:
/// `toPositive(murmur2(key)) % partitions`.
pub fn default_partition(key: &[u8], partitions: i32) -> i32 {
    let hash = murmur2::murmur2(key, murmur2::KAFKA_SEED) as i32;
    (hash & 0x7fff_ffff) % partitions.max(1)
}

/// One member of a consumer group and the partitions it owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMember {
    /// Its `client.id`.
    pub client_id: String,
    /// Topics and partitions assigned to it.
    pub assignment: Vec<(String, Vec<i32>)>,
}

impl GroupMember {
    /// The `application.server` its client id carries, if any.
    pub fn application_server(&self) -> Option<HostInfo> {
        self.client_id.rsplit_once('@').and_then(|(_, s)| HostInfo::parse(s))
    }

    /// Whether it owns `topic`-`partition`.
    pub fn owns(&self, topic: &str, partition: i32) -> bool {
        self.assignment
            .iter()
            .any(|(t, ps)| t == topic && ps.contains(&partition))
    }
}

/// The members of `group` with their assignments (DescribeGroups).
pub(crate) fn group_members<C: ClientContext>(
    client: &Client<C>,
    group: &str,
    timeout: Duration,
) -> Result<Vec<GroupMember>, StreamsError> {
    let list = client
        .fetch_group_list(Some(group), timeout)
        .map_err(|e| StreamsError::Kafka {
            operation: format!("describing consumer group {group}"),
            source: Box::new(e),
        })?;
    let mut members = Vec::new();
    for g in list.groups().iter().filter(|g| g.name() == group) {
        for m in g.members() {
            members.push(GroupMember {
                client_id: m.client_id().to_owned(),
                assignment: m.assignment().map(parse_assignment).transpose()?.unwrap_or_default(),
            });
        }
    }
    Ok(members)
}

/// Decodes a consumer-protocol assignment: `version: i16`, then an array of
/// `(topic: string, partitions: [i32])`, then user data (ignored).
pub(crate) fn parse_assignment(bytes: &[u8]) -> Result<Vec<(String, Vec<i32>)>, StreamsError> {
    fn malformed() -> StreamsError {
        StreamsError::Kafka {
            operation: "reading a group member's assignment".into(),
            source: "malformed consumer-protocol assignment".into(),
        }
    }
    struct Reader<'a>(&'a [u8]);
    impl Reader<'_> {
        fn take(&mut self, n: usize) -> Result<&[u8], StreamsError> {
            if self.0.len() < n {
                return Err(malformed());
            }
            let (head, tail) = self.0.split_at(n);
            self.0 = tail;
            Ok(head)
        }
        fn i16(&mut self) -> Result<i16, StreamsError> {
            Ok(i16::from_be_bytes(self.take(2)?.try_into().map_err(|_| malformed())?))
        }
        fn i32(&mut self) -> Result<i32, StreamsError> {
            Ok(i32::from_be_bytes(self.take(4)?.try_into().map_err(|_| malformed())?))
        }
    }
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    let mut r = Reader(bytes);
    let _version = r.i16()?;
    let topics = r.i32()?;
    let mut out = Vec::new();
    for _ in 0..topics.max(0) {
        let len = r.i16()?;
        let topic = String::from_utf8_lossy(r.take(len.max(0) as usize)?).into_owned();
        let n = r.i32()?;
        let partitions = (0..n.max(0)).map(|_| r.i32()).collect::<Result<Vec<_>, _>>()?;
        out.push((topic, partitions));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values of Kafka's own `UtilsTest.testMurmur2`.
    #[test]
    fn murmur2_matches_kafka() {
        let cases: [(&[u8], i32); 6] = [
            (b"21", -973932308),
            (b"foobar", -790332482),
            (b"a-little-bit-long-string", -985981536),
            (b"a-little-bit-longer-string", -1486304829),
            (b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971),
            (b"abc", 479470107),
        ];
        for (key, expected) in cases {
            assert_eq!(murmur2::murmur2(key, murmur2::KAFKA_SEED) as i32, expected, "{key:?}");
        }
        assert_eq!(default_partition(b"foobar", 4), (-790332482i32 & 0x7fff_ffff) % 4);
    }

    #[test]
    fn assignments_decode_and_malformed_ones_are_errors() {
        let mut bytes = vec![0, 1, 0, 0, 0, 1, 0, 2, b'i', b'n', 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3];
        bytes.extend([0xff, 0xff, 0xff, 0xff]); // null user data
        assert_eq!(parse_assignment(&bytes).unwrap(), [("in".to_owned(), vec![1, 3])]);
        assert!(parse_assignment(&bytes[..9]).is_err());
        assert_eq!(parse_assignment(&[]).unwrap(), []);
        let m = GroupMember {
            client_id: "app-StreamThread-1-consumer@host-a:8080".into(),
            assignment: vec![("in".into(), vec![1, 3])],
        };
        assert_eq!(
            m.application_server(),
            Some(HostInfo {
                host: "host-a".into(),
                port: 8080
            })
        );
        assert!(m.owns("in", 3) && !m.owns("in", 2));
    }
}
