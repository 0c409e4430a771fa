//! Serdes of windowed keys, byte for byte Kafka Streams' own, so a Java
//! consumer reads our windowed output topics and we read theirs.
//!
//! - [`TimeWindowedSerde`]: the key's bytes, then the window start as 8
//!   big-endian bytes (Kafka's `TimeWindowedSerializer`). The end is not
//!   written; the deserializer adds the window size to the start (saturating
//!   at `i64::MAX`, as Kafka does when the size is unknown).
//! - [`SessionWindowedSerde`]: the key's bytes, then the session end, then
//!   its start, 8 big-endian bytes each (Kafka's `SessionWindowedSerializer`).

use super::{DefaultSerde, Payload, Serde};
use crate::error::SerdeError;
use crate::store::{Window, Windowed};

const TIMESTAMP: usize = 8;

/// `Windowed<K>` of time windows (tumbling, hopping, sliding): key bytes
/// then the 8-byte big-endian window start.
///
/// # Examples
///
/// ```
/// use streams_core::serde::{Serde, StringSerde, TimeWindowedSerde};
/// use streams_core::store::{Window, Windowed};
///
/// let serde = TimeWindowedSerde::new(StringSerde, 60_000);
/// let key = Windowed::new("alice".to_string(), Window::new(120_000, 180_000));
/// let bytes = serde.serialize("t", &key)?.unwrap();
/// assert_eq!(bytes, [b"alice".as_slice(), &120_000i64.to_be_bytes()].concat());
/// assert_eq!(serde.deserialize("t", Some(&bytes))?, key);
/// # Ok::<(), streams_core::SerdeError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TimeWindowedSerde<S> {
    inner: S,
    window_size: i64,
}

impl<S> TimeWindowedSerde<S> {
    /// Keys encoded with `inner`, in windows of `window_size_ms`.
    pub fn new(inner: S, window_size_ms: i64) -> Self {
        Self {
            inner,
            window_size: window_size_ms,
        }
    }

    /// The window size added to a start to give the end.
    pub fn window_size(&self) -> i64 {
        self.window_size
    }
}

/// Without a size, ends read back as `i64::MAX` (Kafka's behaviour when
/// the deserializer is not told the window size).
impl<S: Default> Default for TimeWindowedSerde<S> {
    fn default() -> Self {
        Self::new(S::default(), i64::MAX)
    }
}

/// Splits `data` into the key's bytes and `n` trailing timestamps.
fn split_times<const N: usize>(data: Option<&[u8]>) -> Result<(&[u8], [i64; N]), SerdeError> {
    let type_name = "Windowed";
    let data = data.ok_or_else(|| SerdeError::UnexpectedNull { type_name })?;
    let needed = N * TIMESTAMP;
    let key_len = data.len().checked_sub(needed).ok_or_else(|| SerdeError::Truncated {
        type_name,
        needed,
        actual: data.len(),
    })?;
    let (key, mut rest) = data.split_at(key_len);
    let mut times = [0; N];
    for t in &mut times {
        let (head, tail) = rest.split_at(TIMESTAMP);
        let mut b = [0u8; TIMESTAMP];
        b.copy_from_slice(head);
        *t = i64::from_be_bytes(b);
        rest = tail;
    }
    Ok((key, times))
}

impl<K: 'static, S: Serde<K>> Serde<Windowed<K>> for TimeWindowedSerde<S> {
    fn serialize_into(&self, topic: &str, value: &Windowed<K>, buf: &mut Vec<u8>) -> Result<Payload, SerdeError> {
        let mark = buf.len();
        if self.inner.serialize_into(topic, &value.key, buf)? == Payload::Null {
            buf.truncate(mark);
        }
        buf.extend_from_slice(&value.window.start.to_be_bytes());
        Ok(Payload::Bytes)
    }

    fn deserialize(&self, topic: &str, data: Option<&[u8]>) -> Result<Windowed<K>, SerdeError> {
        let (key, [start]) = split_times::<1>(data)?;
        let key = self.inner.deserialize(topic, Some(key))?;
        Ok(Windowed::new(
            key,
            Window::new(start, start.saturating_add(self.window_size)),
        ))
    }
}

/// `Windowed<K>` of session windows: key bytes, then the 8-byte big-endian
/// session end, then its start.
///
/// # Examples
///
/// ```
/// use streams_core::serde::{Serde, SessionWindowedSerde, StringSerde};
/// use streams_core::store::{Window, Windowed};
///
/// let serde = SessionWindowedSerde::new(StringSerde);
/// let key = Windowed::new("bob".to_string(), Window::new(10, 25));
/// let bytes = serde.serialize("t", &key)?.unwrap();
/// assert_eq!(bytes, [b"bob".as_slice(), &25i64.to_be_bytes(), &10i64.to_be_bytes()].concat());
/// assert_eq!(serde.deserialize("t", Some(&bytes))?, key);
/// # Ok::<(), streams_core::SerdeError>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionWindowedSerde<S> {
    inner: S,
}

impl<S> SessionWindowedSerde<S> {
    /// Keys encoded with `inner`.
    pub fn new(inner: S) -> Self {
        Self { inner }
    }
}

impl<K: 'static, S: Serde<K>> Serde<Windowed<K>> for SessionWindowedSerde<S> {
    fn serialize_into(&self, topic: &str, value: &Windowed<K>, buf: &mut Vec<u8>) -> Result<Payload, SerdeError> {
        let mark = buf.len();
        if self.inner.serialize_into(topic, &value.key, buf)? == Payload::Null {
            buf.truncate(mark);
        }
        buf.extend_from_slice(&value.window.end.to_be_bytes());
        buf.extend_from_slice(&value.window.start.to_be_bytes());
        Ok(Payload::Bytes)
    }

    fn deserialize(&self, topic: &str, data: Option<&[u8]>) -> Result<Windowed<K>, SerdeError> {
        let (key, [end, start]) = split_times::<2>(data)?;
        let key = self.inner.deserialize(topic, Some(key))?;
        Ok(Windowed::new(key, Window::new(start, end)))
    }
}

/// Windowed keys default to the time-windowed layout (with an unknown
/// size); windowed aggregations set the exact serde on the tables they make.
impl<K: DefaultSerde> DefaultSerde for Windowed<K> {
    type Serde = TimeWindowedSerde<K::Serde>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serde::{I64Serde, StringSerde};

    #[test]
    fn time_windowed_bytes_are_key_then_start() {
        let serde = TimeWindowedSerde::new(I64Serde, 10);
        let bytes = serde
            .serialize("t", &Windowed::new(7i64, Window::new(20, 30)))
            .unwrap()
            .unwrap();
        assert_eq!(bytes, [7i64.to_be_bytes(), 20i64.to_be_bytes()].concat());
        let back = serde.deserialize("t", Some(&bytes)).unwrap();
        assert_eq!(back.window, Window::new(20, 30));
    }

    #[test]
    fn unknown_size_saturates_the_end() {
        let serde = TimeWindowedSerde::<StringSerde>::default();
        let bytes = serde
            .serialize("t", &Windowed::new("k".into(), Window::new(5, 6)))
            .unwrap()
            .unwrap();
        assert_eq!(serde.deserialize("t", Some(&bytes)).unwrap().window.end, i64::MAX);
    }

    #[test]
    fn short_or_null_payloads_are_errors() {
        let time = TimeWindowedSerde::new(StringSerde, 1);
        assert!(matches!(
            time.deserialize("t", Some(&[1, 2, 3])),
            Err(SerdeError::Truncated {
                needed: 8,
                actual: 3,
                ..
            })
        ));
        assert!(matches!(
            time.deserialize("t", None),
            Err(SerdeError::UnexpectedNull { .. })
        ));
        let session = SessionWindowedSerde::new(StringSerde);
        assert!(matches!(
            session.deserialize("t", Some(&[0; 15])),
            Err(SerdeError::Truncated { needed: 16, .. })
        ));
    }

    #[test]
    fn bad_key_bytes_are_the_inner_serde_error() {
        let serde = SessionWindowedSerde::new(StringSerde);
        let bytes = [&[0xff, 0xfe][..], &[0; 16]].concat();
        assert!(matches!(serde.deserialize("t", Some(&bytes)), Err(SerdeError::Utf8(_))));
    }
}
