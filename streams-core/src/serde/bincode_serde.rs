//! bincode for any serde type: compact, Rust-to-Rust.

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Payload, Serde};
use crate::error::SerdeError;

/// Encodes `T` with bincode's standard configuration. Compact and fast, but
/// only Rust programs read it; prefer [`Json`](super::Json) for topics Java
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
        bincode::serde::encode_into_std_write(value, buf, bincode::config::standard())?;
        Ok(Payload::Bytes)
    }

    fn deserialize(&self, _topic: &str, data: Option<&[u8]>) -> Result<T, SerdeError> {
        let bytes = data.ok_or(SerdeError::UnexpectedNull {
            type_name: super::type_name_of::<T>(),
        })?;
        let (value, read) = bincode::serde::decode_from_slice(bytes, bincode::config::standard())?;
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
}
