//! Serdes for primitive types, byte-for-byte what Kafka's own serdes write.

use super::{Payload, Serde};
use crate::error::SerdeError;

fn non_null<'a>(data: Option<&'a [u8]>, type_name: &'static str) -> Result<&'a [u8], SerdeError> {
    data.ok_or_else(|| SerdeError::UnexpectedNull { type_name })
}

fn fixed<const N: usize>(data: Option<&[u8]>, type_name: &'static str) -> Result<[u8; N], SerdeError> {
    let bytes = non_null(data, type_name)?;
    bytes.try_into().map_err(|_| SerdeError::InvalidLength {
        type_name,
        expected: N,
        actual: bytes.len(),
    })
}

macro_rules! big_endian_serde {
    ($(#[$doc:meta] $name:ident => $t:ty),* $(,)?) => {
        $(
            #[$doc]
            #[derive(Debug, Clone, Copy, Default)]
            pub struct $name;

            impl Serde<$t> for $name {
                fn serialize_into(&self, _topic: &str, value: &$t, buf: &mut Vec<u8>) -> Result<Payload, SerdeError> {
                    buf.extend_from_slice(&value.to_be_bytes());
                    Ok(Payload::Bytes)
                }

                fn deserialize(&self, _topic: &str, data: Option<&[u8]>) -> Result<$t, SerdeError> {
                    Ok(<$t>::from_be_bytes(fixed(data, stringify!($t))?))
                }
            }
        )*
    };
}

big_endian_serde! {
    /// `i16` as 2 big-endian bytes (Kafka's `ShortSerde`).
    I16Serde => i16,
    /// `i32` as 4 big-endian bytes (Kafka's `IntegerSerde`).
    I32Serde => i32,
    /// `i64` as 8 big-endian bytes (Kafka's `LongSerde`).
    I64Serde => i64,
    /// `u32` as 4 big-endian bytes (the bit pattern Kafka's `IntegerSerde` writes).
    U32Serde => u32,
    /// `u64` as 8 big-endian bytes (the bit pattern Kafka's `LongSerde` writes).
    U64Serde => u64,
    /// `f32` as its 4 big-endian IEEE-754 bytes (Kafka's `FloatSerde`).
    F32Serde => f32,
    /// `f64` as its 8 big-endian IEEE-754 bytes (Kafka's `DoubleSerde`).
    F64Serde => f64,
}

/// `String` as UTF-8 bytes (Kafka's `StringSerde` with its UTF-8 default).
#[derive(Debug, Clone, Copy, Default)]
pub struct StringSerde;

impl Serde<String> for StringSerde {
    fn serialize_into(&self, _topic: &str, value: &String, buf: &mut Vec<u8>) -> Result<Payload, SerdeError> {
        buf.extend_from_slice(value.as_bytes());
        Ok(Payload::Bytes)
    }

    fn deserialize(&self, _topic: &str, data: Option<&[u8]>) -> Result<String, SerdeError> {
        let bytes = data.ok_or_else(|| SerdeError::UnexpectedNull { type_name: "String" })?;
        Ok(utf8(bytes)?.to_owned())
    }

    /// Keeps the buffer: no copy.
    #[allow(unsafe_code)]
    fn deserialize_owned(&self, _topic: &str, data: Option<Vec<u8>>) -> Result<String, SerdeError> {
        let bytes = data.ok_or_else(|| SerdeError::UnexpectedNull { type_name: "String" })?;
        utf8(&bytes)?;
        // SAFETY: `utf8` just validated these very bytes as UTF-8.
        Ok(unsafe { String::from_utf8_unchecked(bytes) })
    }
}

/// Validates UTF-8 with SIMD (simdutf8: several times the standard
/// library's speed on the mostly-ASCII text of records); the standard
/// library's validation runs again only to describe a failure.
fn utf8(bytes: &[u8]) -> Result<&str, SerdeError> {
    simdutf8::basic::from_utf8(bytes).map_err(|_| match std::str::from_utf8(bytes) {
        Err(e) => SerdeError::Utf8(e),
        // The two validators disagreeing would be a bug in one of them.
        Ok(_) => SerdeError::Custom("UTF-8 validators disagree".into()),
    })
}

/// Raw bytes, unchanged (Kafka's `ByteArraySerde`).
#[derive(Debug, Clone, Copy, Default)]
pub struct BytesSerde;

impl Serde<Vec<u8>> for BytesSerde {
    fn serialize_into(&self, _topic: &str, value: &Vec<u8>, buf: &mut Vec<u8>) -> Result<Payload, SerdeError> {
        buf.extend_from_slice(value);
        Ok(Payload::Bytes)
    }

    fn deserialize(&self, _topic: &str, data: Option<&[u8]>) -> Result<Vec<u8>, SerdeError> {
        Ok(non_null(data, "Vec<u8>")?.to_vec())
    }

    /// Keeps the buffer: no copy.
    fn deserialize_owned(&self, _topic: &str, data: Option<Vec<u8>>) -> Result<Vec<u8>, SerdeError> {
        data.ok_or_else(|| SerdeError::UnexpectedNull { type_name: "Vec<u8>" })
    }
}

/// `bool` as one byte, 0x01 or 0x00 (Kafka's `BooleanSerde`).
#[derive(Debug, Clone, Copy, Default)]
pub struct BoolSerde;

impl Serde<bool> for BoolSerde {
    fn serialize_into(&self, _topic: &str, value: &bool, buf: &mut Vec<u8>) -> Result<Payload, SerdeError> {
        buf.push(u8::from(*value));
        Ok(Payload::Bytes)
    }

    fn deserialize(&self, _topic: &str, data: Option<&[u8]>) -> Result<bool, SerdeError> {
        match fixed::<1>(data, "bool")? {
            [0] => Ok(false),
            [1] => Ok(true),
            [b] => Err(SerdeError::InvalidBoolean(b)),
        }
    }
}

/// The unit type as Kafka's null (Kafka's `VoidSerde`), for unkeyed topics.
///
/// Like Kafka's `VoidDeserializer`, a non-null payload is an error.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnitSerde;

impl Serde<()> for UnitSerde {
    fn serialize_into(&self, _topic: &str, _value: &(), _buf: &mut Vec<u8>) -> Result<Payload, SerdeError> {
        Ok(Payload::Null)
    }

    fn deserialize(&self, _topic: &str, data: Option<&[u8]>) -> Result<(), SerdeError> {
        match data {
            None => Ok(()),
            Some(bytes) => Err(SerdeError::UnexpectedPayload { len: bytes.len() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc<T, S: Serde<T>>(s: &S, v: &T) -> Option<Vec<u8>> {
        s.serialize("t", v).unwrap()
    }

    #[test]
    fn owned_decoding_agrees_with_borrowed_decoding() {
        let long_ascii = b"the quick brown fox jumps over the lazy dog ".repeat(5);
        let mut long_bad = long_ascii.clone();
        long_bad[150] = 0xc3; // a truncated two-byte sequence deep in the text
        let samples = [
            b"caf\xc3\xa9".to_vec(),
            Vec::new(),
            vec![0xff, 0xfe],
            long_ascii,
            long_bad,
            "\u{1f600} and \u{4e2d}\u{6587} past the first SIMD block"
                .repeat(3)
                .into_bytes(),
            b"\xed\xa0\x80".to_vec(), // an encoded surrogate: not UTF-8
        ];
        for bytes in samples {
            // Both paths agree with the standard library, error position included.
            match std::str::from_utf8(&bytes) {
                Ok(s) => assert_eq!(StringSerde.deserialize_owned("t", Some(bytes.clone())).unwrap(), s),
                Err(e) => assert!(matches!(
                    StringSerde.deserialize_owned("t", Some(bytes.clone())),
                    Err(SerdeError::Utf8(got)) if got == e
                )),
            }
            let borrowed = StringSerde.deserialize("t", Some(&bytes));
            let owned = StringSerde.deserialize_owned("t", Some(bytes.clone()));
            assert_eq!(borrowed.as_ref().ok(), owned.as_ref().ok());
            assert_eq!(borrowed.is_err(), owned.is_err());
            assert_eq!(BytesSerde.deserialize_owned("t", Some(bytes.clone())).unwrap(), bytes);
        }
        assert!(matches!(
            StringSerde.deserialize_owned("t", None),
            Err(SerdeError::UnexpectedNull { .. })
        ));
        assert!(BytesSerde.deserialize_owned("t", None).is_err());
        // Types without an owned path fall back to the borrowed decoding.
        assert_eq!(I32Serde.deserialize_owned("t", Some(vec![0, 0, 0, 7])).unwrap(), 7);
    }

    // Expected bytes are what Kafka's Java serializers produce for the same values
    // (e.g. new IntegerSerializer().serialize("t", 1) == {0, 0, 0, 1}).
    #[test]
    fn kafka_byte_layouts() {
        assert_eq!(enc(&I32Serde, &1), Some(vec![0, 0, 0, 1]));
        assert_eq!(enc(&I32Serde, &-2), Some(vec![0xff, 0xff, 0xff, 0xfe]));
        assert_eq!(
            enc(&I64Serde, &0x0102_0304_0506_0708),
            Some(vec![1, 2, 3, 4, 5, 6, 7, 8])
        );
        assert_eq!(enc(&I16Serde, &258), Some(vec![1, 2]));
        assert_eq!(enc(&U32Serde, &u32::MAX), Some(vec![0xff; 4]));
        assert_eq!(enc(&U64Serde, &1), Some(vec![0, 0, 0, 0, 0, 0, 0, 1]));
        // Double.doubleToLongBits(1.0) == 0x3FF0000000000000
        assert_eq!(enc(&F64Serde, &1.0), Some(vec![0x3f, 0xf0, 0, 0, 0, 0, 0, 0]));
        // Float.floatToIntBits(-2.5f) == 0xC0200000
        assert_eq!(enc(&F32Serde, &-2.5), Some(vec![0xc0, 0x20, 0, 0]));
        assert_eq!(
            enc(&StringSerde, &"héllo".to_string()),
            Some("héllo".as_bytes().to_vec())
        );
        assert_eq!(enc(&StringSerde, &String::new()), Some(vec![]));
        assert_eq!(enc(&BoolSerde, &true), Some(vec![1]));
        assert_eq!(enc(&BoolSerde, &false), Some(vec![0]));
        assert_eq!(enc(&BytesSerde, &vec![9, 8]), Some(vec![9, 8]));
        assert_eq!(enc(&UnitSerde, &()), None);
    }

    #[test]
    fn round_trips() {
        for v in [i64::MIN, -1, 0, 1, i64::MAX] {
            assert_eq!(I64Serde.deserialize("t", enc(&I64Serde, &v).as_deref()).unwrap(), v);
        }
        for v in [f64::MIN_POSITIVE, -0.0, 1e300, f64::INFINITY] {
            let back = F64Serde.deserialize("t", enc(&F64Serde, &v).as_deref()).unwrap();
            assert_eq!(back.to_bits(), v.to_bits());
        }
        let nan = F64Serde.deserialize("t", enc(&F64Serde, &f64::NAN).as_deref()).unwrap();
        assert!(nan.is_nan());
        let s = "日本語 text".to_string();
        assert_eq!(
            StringSerde.deserialize("t", enc(&StringSerde, &s).as_deref()).unwrap(),
            s
        );
        UnitSerde.deserialize("t", None).unwrap();
    }

    #[test]
    fn bad_payloads_are_errors_not_panics() {
        assert!(matches!(
            I32Serde.deserialize("t", Some(&[1, 2, 3])),
            Err(SerdeError::InvalidLength {
                expected: 4,
                actual: 3,
                ..
            })
        ));
        assert!(matches!(
            I64Serde.deserialize("t", Some(&[])),
            Err(SerdeError::InvalidLength {
                expected: 8,
                actual: 0,
                ..
            })
        ));
        assert!(matches!(
            StringSerde.deserialize("t", Some(&[0xff, 0xfe])),
            Err(SerdeError::Utf8(_))
        ));
        assert!(matches!(
            StringSerde.deserialize("t", None),
            Err(SerdeError::UnexpectedNull { type_name: "String" })
        ));
        assert!(matches!(
            BoolSerde.deserialize("t", Some(&[2])),
            Err(SerdeError::InvalidBoolean(2))
        ));
        assert!(matches!(
            UnitSerde.deserialize("t", Some(&[1])),
            Err(SerdeError::UnexpectedPayload { len: 1 })
        ));
    }
}
