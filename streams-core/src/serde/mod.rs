//! Serdes: how a type becomes Kafka bytes and back.
//!
//! A [`Serde<T>`] writes `T` as a Kafka payload, which may be null, and reads
//! it back. The built-in serdes write exactly the bytes Kafka's own serdes
//! write (UTF-8 strings, big-endian numbers, raw bytes, a boolean byte), so
//! Java applications can read our topics and we can read theirs. `Option<T>`
//! maps `None` to Kafka's null; `()` is Kafka's `Void` for unkeyed topics.
//!
//! Every built-in type has a default serde through [`DefaultSerde`]; an
//! explicit serde (such as [`Json`] or [`Bincode`] for serde types) can
//! always be passed instead.
//!
//! Serialization appends into a caller-provided buffer so that sinks can reuse
//! one buffer for every record.

mod bincode_serde;
mod json;
mod option;
mod primitive;
mod windowed;

use std::sync::Arc;

use crate::error::SerdeError;

pub use bincode_serde::{BINCODE_LIMIT, Bincode};
pub use json::Json;
pub use option::OptionSerde;
pub use primitive::{
    BoolSerde, BytesSerde, F32Serde, F64Serde, I16Serde, I32Serde, I64Serde, StringSerde, U32Serde, U64Serde, UnitSerde,
};
pub use windowed::{SessionWindowedSerde, TimeWindowedSerde};

/// What [`Serde::serialize_into`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// The value is Kafka's null; nothing was written.
    Null,
    /// The value's bytes were appended to the buffer (possibly zero bytes).
    Bytes,
}

/// Maps values of `T` to Kafka payloads and back.
///
/// Serdes are shared by every task of every thread, hence `Send + Sync`; they
/// must be stateless or internally synchronised. `topic` is the topic being
/// read or written, for serdes that care (schema registries do).
pub trait Serde<T>: Send + Sync + 'static {
    /// Appends the encoding of `value` to `buf` and says whether it is null.
    ///
    /// Called once per record by sinks and stores. On `Payload::Null` the
    /// buffer must be left as it was.
    fn serialize_into(&self, topic: &str, value: &T, buf: &mut Vec<u8>) -> Result<Payload, SerdeError>;

    /// Decodes a payload; `None` is Kafka's null.
    ///
    /// Must not panic on any input: malformed bytes are a [`SerdeError`].
    fn deserialize(&self, topic: &str, data: Option<&[u8]>) -> Result<T, SerdeError>;

    /// Decodes a payload the caller hands over. Sources call this with the
    /// bytes they own, so serdes whose type can keep the buffer (`String`,
    /// `Vec<u8>`, and `Option`s of them) decode without a copy; the default
    /// borrows and calls [`deserialize`](Self::deserialize). Must decode
    /// exactly as `deserialize` does.
    fn deserialize_owned(&self, topic: &str, data: Option<Vec<u8>>) -> Result<T, SerdeError> {
        self.deserialize(topic, data.as_deref())
    }

    /// Whether `value` is Kafka's null, without encoding it. The DSL asks
    /// this where Kafka Streams skips null keys or values (aggregations).
    /// The default says no; serdes that write null for some values (such as
    /// [`OptionSerde`]) must override it to agree with `serialize_into`.
    fn is_null(&self, value: &T) -> bool {
        let _ = value;
        false
    }

    /// Encodes `value` into a fresh buffer; `None` for Kafka's null.
    fn serialize(&self, topic: &str, value: &T) -> Result<Option<Vec<u8>>, SerdeError> {
        let mut buf = Vec::new();
        Ok(match self.serialize_into(topic, value, &mut buf)? {
            Payload::Null => None,
            Payload::Bytes => Some(buf),
        })
    }
}

/// A shareable, type-erased serde.
pub type SharedSerde<T> = Arc<dyn Serde<T>>;

/// A shared serde is a serde, so one can be passed wherever a serde is taken.
impl<T: 'static> Serde<T> for Arc<dyn Serde<T>> {
    fn serialize_into(&self, topic: &str, value: &T, buf: &mut Vec<u8>) -> Result<Payload, SerdeError> {
        (**self).serialize_into(topic, value, buf)
    }

    fn deserialize(&self, topic: &str, data: Option<&[u8]>) -> Result<T, SerdeError> {
        (**self).deserialize(topic, data)
    }

    fn deserialize_owned(&self, topic: &str, data: Option<Vec<u8>>) -> Result<T, SerdeError> {
        (**self).deserialize_owned(topic, data)
    }

    fn is_null(&self, value: &T) -> bool {
        (**self).is_null(value)
    }
}

/// The serde a type uses unless another is given.
pub trait DefaultSerde: Sized + 'static {
    /// The serde type.
    type Serde: Serde<Self> + Default;

    /// The default serde, ready to share.
    fn default_serde() -> SharedSerde<Self> {
        Arc::new(Self::Serde::default())
    }
}

macro_rules! default_serde {
    ($($t:ty => $s:ty),* $(,)?) => {
        $(impl DefaultSerde for $t { type Serde = $s; })*
    };
}

default_serde! {
    String => StringSerde,
    i16 => I16Serde,
    i32 => I32Serde,
    i64 => I64Serde,
    u32 => U32Serde,
    u64 => U64Serde,
    f32 => F32Serde,
    f64 => F64Serde,
    bool => BoolSerde,
    Vec<u8> => BytesSerde,
    () => UnitSerde,
}

impl<T: DefaultSerde> DefaultSerde for Option<T> {
    type Serde = OptionSerde<T::Serde>;
}

/// The name of `T`, for error messages.
pub(crate) fn type_name_of<T>() -> &'static str {
    std::any::type_name::<T>()
}
