//! bincode for any serde type: compact, Rust-to-Rust.

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Payload, Serde};
use crate::error::SerdeError;

/// The most bytes a bincode payload may claim. Without a limit, a corrupt
/// length prefix makes bincode try to allocate that many bytes, and a failed
/// allocation aborts the process; with it, the claim is a decode error. Kafka's
/// own `message.max.bytes` defaults to 1 MiB.
pub const BINCODE_LIMIT: usize = 128 * 1024 * 1024;

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<BINCODE_LIMIT>()
}

/// Encodes `T` with bincode's standard configuration, with a
/// [`BINCODE_LIMIT`] on what a payload may claim. Compact and fast, but only
/// Rust programs read it; prefer [`Json`](super::Json) for topics Java
/// applications share. Trailing bytes after the value are an error.
pub struct Bincode<T>(PhantomData<fn() -> T>);

impl<T> Bincode<T> {
    /// The bincode serde for `T`.
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> Default for Bincode<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Clone for Bincode<T> {
    fn clone(&self) -> Self {
        Self::new()
    }
}

impl<T> std::fmt::Debug for Bincode<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bincode<{}>", std::any::type_name::<T>())
    }
}

impl<T: Serialize + DeserializeOwned + 'static> Serde<T> for Bincode<T> {
    fn serialize_into(&self, _topic: &str, value: &T, buf: &mut Vec<u8>) -> Result<Payload, SerdeError> {
        bincode::serde::encode_into_std_write(value, buf, config())?;
        Ok(Payload::Bytes)
    }

    fn deserialize(&self, _topic: &str, data: Option<&[u8]>) -> Result<T, SerdeError> {
        let bytes = data.ok_or_else(|| SerdeError::UnexpectedNull {
            type_name: super::type_name_of::<T>(),
        })?;
        let (value, read) = bincode::serde::decode_from_slice(bytes, config())?;
        if read != bytes.len() {
            return Err(SerdeError::Custom(
                format!("{} trailing bytes after the bincode value", bytes.len() - read).into(),
            ));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Reading {
        sensor: String,
        celsius: f64,
        tags: Vec<u16>,
    }

    #[test]
    fn bincode_round_trip_and_garbage() {
        let s = Bincode::<Reading>::new();
        let r = Reading {
            sensor: "s1".into(),
            celsius: 21.5,
            tags: vec![1, 300],
        };
        let bytes = s.serialize("t", &r).unwrap().unwrap();
        assert_eq!(s.deserialize("t", Some(&bytes)).unwrap(), r);
        assert!(s.deserialize("t", Some(&[0xff, 0xff, 0xff])).is_err());
        let mut long = bytes.clone();
        long.push(0);
        assert!(s.deserialize("t", Some(&long)).is_err());
    }

    /// Found by the property test: a length prefix claiming exabytes used to
    /// make bincode allocate them, and the failed allocation aborted.
    #[test]
    fn huge_length_claims_are_errors_not_aborts() {
        let s = Bincode::<Reading>::new();
        // `sensor: String` first: varint 0xFD + u64 little-endian length.
        let claim = [0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F];
        assert!(matches!(
            s.deserialize("t", Some(&claim)),
            Err(SerdeError::BincodeDecode(_))
        ));
        // A Vec<u16> claiming 2^40 elements after a valid string and float.
        let mut bytes = vec![0x01, b'x'];
        bytes.extend_from_slice(&1.0f64.to_le_bytes());
        bytes.extend_from_slice(&[0xFD, 0, 0, 0, 0, 0, 0x01, 0, 0]);
        assert!(s.deserialize("t", Some(&bytes)).is_err());
    }
}
