//! JSON (serde_json) for any serde type.

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Payload, Serde};
use crate::error::SerdeError;

/// Encodes `T` as JSON text with serde_json (what Kafka's `JsonSerializer`
/// users typically exchange). A null payload is an error; use
/// `OptionSerde(Json::<T>::new())` for nullable values.
pub struct Json<T>(PhantomData<fn() -> T>);

impl<T> Json<T> {
    /// The JSON serde for `T`.
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> Default for Json<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Clone for Json<T> {
    fn clone(&self) -> Self {
        Self::new()
    }
}

impl<T> std::fmt::Debug for Json<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Json<{}>", std::any::type_name::<T>())
    }
}

impl<T: Serialize + DeserializeOwned + 'static> Serde<T> for Json<T> {
    fn serialize_into(&self, _topic: &str, value: &T, buf: &mut Vec<u8>) -> Result<Payload, SerdeError> {
        serde_json::to_writer(&mut *buf, value)?;
        Ok(Payload::Bytes)
    }

    fn deserialize(&self, _topic: &str, data: Option<&[u8]>) -> Result<T, SerdeError> {
        let bytes = data.ok_or_else(|| SerdeError::UnexpectedNull {
            type_name: super::type_name_of::<T>(),
        })?;
        Ok(serde_json::from_slice(bytes)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Order {
        id: u32,
        item: String,
    }

    #[test]
    fn json_round_trip_and_layout() {
        let s = Json::<Order>::new();
        let o = Order {
            id: 7,
            item: "tea".into(),
        };
        let bytes = s.serialize("t", &o).unwrap().unwrap();
        assert_eq!(bytes, br#"{"id":7,"item":"tea"}"#);
        assert_eq!(s.deserialize("t", Some(&bytes)).unwrap(), o);
        assert!(matches!(s.deserialize("t", Some(b"{")), Err(SerdeError::Json(_))));
        assert!(matches!(
            s.deserialize("t", None),
            Err(SerdeError::UnexpectedNull { .. })
        ));
    }
}
