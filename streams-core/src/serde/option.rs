//! `Option<T>`: `None` is Kafka's null, `Some` uses the inner serde.

use super::{Payload, Serde};
use crate::error::SerdeError;

/// Wraps a serde for `T` into one for `Option<T>`: `None` <-> null.
///
/// A null payload always decodes to `None`, never reaching the inner serde,
/// so `Option<String>` reads tombstones that `String` would reject.
#[derive(Debug, Clone, Copy, Default)]
pub struct OptionSerde<S>(pub S);

impl<T, S: Serde<T>> Serde<Option<T>> for OptionSerde<S> {
    fn serialize_into(&self, topic: &str, value: &Option<T>, buf: &mut Vec<u8>) -> Result<Payload, SerdeError> {
        match value {
            None => Ok(Payload::Null),
            Some(v) => self.0.serialize_into(topic, v, buf),
        }
    }

    fn deserialize(&self, topic: &str, data: Option<&[u8]>) -> Result<Option<T>, SerdeError> {
        match data {
            None => Ok(None),
            Some(_) => self.0.deserialize(topic, data).map(Some),
        }
    }

    fn deserialize_owned(&self, topic: &str, data: Option<Vec<u8>>) -> Result<Option<T>, SerdeError> {
        match data {
            None => Ok(None),
            Some(_) => self.0.deserialize_owned(topic, data).map(Some),
        }
    }

    fn is_null(&self, value: &Option<T>) -> bool {
        value.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serde::{I32Serde, StringSerde};

    #[test]
    fn none_is_null_and_some_is_inner() {
        let s = OptionSerde(StringSerde);
        assert_eq!(s.serialize("t", &None).unwrap(), None);
        assert_eq!(s.serialize("t", &Some("a".to_string())).unwrap(), Some(b"a".to_vec()));
        assert_eq!(s.deserialize("t", None).unwrap(), None);
        assert_eq!(s.deserialize("t", Some(b"")).unwrap(), Some(String::new()));
        assert!(OptionSerde(I32Serde).deserialize("t", Some(&[1])).is_err());
        assert_eq!(
            s.deserialize_owned("t", Some(b"b".to_vec())).unwrap(),
            Some("b".to_string())
        );
        assert_eq!(s.deserialize_owned("t", None).unwrap(), None);
        assert!(s.is_null(&None));
        assert!(!s.is_null(&Some(String::new())));
    }
}
