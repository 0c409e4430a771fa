//! Values stored with a timestamp, as the DSL's tables keep them.

use crate::error::SerdeError;
use crate::serde::{Payload, Serde};

/// A value and the timestamp of the record that last set it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ValueAndTimestamp<V> {
    /// The value.
    pub value: V,
    /// Timestamp in milliseconds.
    pub timestamp: i64,
}

impl<V> ValueAndTimestamp<V> {
    /// `value` at `timestamp`.
    pub fn new(value: V, timestamp: i64) -> Self {
        Self { value, timestamp }
    }
}

/// Kafka Streams' timestamped value layout: an 8-byte big-endian timestamp,
/// then the value's bytes.
#[derive(Debug, Clone)]
pub struct TimestampedSerde<S>(pub S);

impl<V, S: Serde<V>> Serde<ValueAndTimestamp<V>> for TimestampedSerde<S> {
    fn serialize_into(
        &self,
        topic: &str,
        data: &ValueAndTimestamp<V>,
        buf: &mut Vec<u8>,
    ) -> Result<Payload, SerdeError> {
        // The value goes straight after the timestamp; a null value (or a
        // failure) takes the timestamp back out, leaving `buf` as it was.
        let start = buf.len();
        buf.extend_from_slice(&data.timestamp.to_be_bytes());
        let encoded = self.0.serialize_into(topic, &data.value, buf);
        if !matches!(encoded, Ok(Payload::Bytes)) {
            buf.truncate(start);
        }
        encoded
    }

    fn deserialize(&self, topic: &str, data: Option<&[u8]>) -> Result<ValueAndTimestamp<V>, SerdeError> {
        let Some(bytes) = data else {
            let _ = topic;
            return Err(SerdeError::UnexpectedNull {
                type_name: "ValueAndTimestamp",
            });
        };
        let Some((ts, rest)) = bytes.split_first_chunk::<8>() else {
            return Err(SerdeError::InvalidLength {
                type_name: "ValueAndTimestamp",
                expected: 8,
                actual: bytes.len(),
            });
        };
        Ok(ValueAndTimestamp {
            value: self.0.deserialize(topic, Some(rest))?,
            timestamp: i64::from_be_bytes(*ts),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serde::{OptionSerde, StringSerde};

    #[test]
    fn layout_is_timestamp_then_value() {
        let serde = TimestampedSerde(StringSerde);
        let bytes = serde
            .serialize("t", &ValueAndTimestamp::new("v".to_string(), 258))
            .unwrap();
        assert_eq!(bytes, Some(vec![0, 0, 0, 0, 0, 0, 1, 2, b'v']));
        let back = serde.deserialize("t", bytes.as_deref()).unwrap();
        assert_eq!(back, ValueAndTimestamp::new("v".to_string(), 258));
        assert!(serde.deserialize("t", Some(&[1, 2])).is_err());
    }

    #[test]
    fn appends_to_the_buffer_and_leaves_it_as_it_was_for_a_null_value() {
        let serde = TimestampedSerde(OptionSerde(StringSerde));
        let mut buf = b"kept".to_vec();
        let written = serde
            .serialize_into("t", &ValueAndTimestamp::new(Some("v".to_string()), 1), &mut buf)
            .unwrap();
        assert_eq!(written, Payload::Bytes);
        assert_eq!(buf, b"kept\0\0\0\0\0\0\0\x01v");
        let null = serde
            .serialize_into("t", &ValueAndTimestamp::new(None, 2), &mut buf)
            .unwrap();
        assert_eq!(null, Payload::Null);
        assert_eq!(
            buf, b"kept\0\0\0\0\0\0\0\x01v",
            "a null value leaves the buffer as it was"
        );
    }
}
