//! [`Change`]: how a table update travels between table operations.

use streams_core::error::SerdeError;
use streams_core::serde::{Payload, Serde};

/// A table update: the new value and, where a downstream operation asked for
/// it, the old one. `None` is Kafka's null: a `new` of `None` is a delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change<V> {
    /// The value after the update; `None` for a delete.
    pub new: Option<V>,
    /// The value before the update, when old values are being sent.
    pub old: Option<V>,
}

impl<V> Change<V> {
    /// A change from `old` to `new`.
    pub fn new(new: Option<V>, old: Option<V>) -> Self {
        Self { new, old }
    }
}

/// Encodes a [`Change`] for a repartition topic: one flag byte (bit 0: new
/// present, bit 1: old present), the new value's length as 4 big-endian bytes
/// and bytes, then the old value's bytes. Internal to one application (both
/// ends are ours), so it need not match Kafka Streams' own layout.
#[derive(Debug, Clone, Default)]
pub struct ChangeSerde<S>(pub S);

impl<V, S: Serde<V>> Serde<Change<V>> for ChangeSerde<S> {
    fn serialize_into(&self, topic: &str, value: &Change<V>, buf: &mut Vec<u8>) -> Result<Payload, SerdeError> {
        let start = buf.len();
        buf.extend_from_slice(&[0, 0, 0, 0, 0]);
        let mut flags = 0u8;
        if let Some(new) = &value.new
            && self.0.serialize_into(topic, new, buf)? == Payload::Bytes
        {
            flags |= 1;
        }
        let new_len = u32::try_from(buf.len() - start - 5)
            .map_err(|_| SerdeError::Custom(format!("change on {topic}: new value longer than 4 GiB").into()))?;
        buf[start + 1..start + 5].copy_from_slice(&new_len.to_be_bytes());
        if let Some(old) = &value.old
            && self.0.serialize_into(topic, old, buf)? == Payload::Bytes
        {
            flags |= 2;
        }
        buf[start] = flags;
        Ok(Payload::Bytes)
    }

    fn deserialize(&self, topic: &str, data: Option<&[u8]>) -> Result<Change<V>, SerdeError> {
        let invalid = |reason: &str| SerdeError::Custom(format!("change on {topic}: {reason}").into());
        let data = data.ok_or_else(|| invalid("null change"))?;
        let (&flags, rest) = data.split_first().ok_or_else(|| invalid("empty change"))?;
        let (len, rest) = rest.split_at_checked(4).ok_or_else(|| invalid("truncated change"))?;
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let (new, old) = rest
            .split_at_checked(len)
            .ok_or_else(|| invalid("truncated new value"))?;
        let new = if flags & 1 != 0 {
            Some(self.0.deserialize(topic, Some(new))?)
        } else {
            None
        };
        let old = if flags & 2 != 0 {
            Some(self.0.deserialize(topic, Some(old))?)
        } else {
            None
        };
        Ok(Change { new, old })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use streams_core::serde::StringSerde;

    #[test]
    fn round_trips_every_shape() {
        let serde = ChangeSerde(StringSerde);
        for change in [
            Change::new(Some("new".to_string()), Some("old".to_string())),
            Change::new(Some(String::new()), None),
            Change::new(None, Some("old".to_string())),
            Change::new(None, None),
        ] {
            let bytes = serde.serialize("t", &change).unwrap();
            assert_eq!(serde.deserialize("t", bytes.as_deref()).unwrap(), change);
        }
    }

    #[test]
    fn malformed_bytes_are_errors() {
        let serde = ChangeSerde(StringSerde);
        assert!(serde.deserialize("t", None).is_err());
        assert!(serde.deserialize("t", Some(&[])).is_err());
        assert!(serde.deserialize("t", Some(&[1, 0, 0, 0, 9, b'a'])).is_err());
    }
}
