//! Records as processors see them, and the metadata of the record being processed.

use std::sync::Arc;

/// One record header: a key and a nullable value, as in Kafka.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Header key.
    pub key: String,
    /// Header value; `None` is Kafka's null.
    pub value: Option<Vec<u8>>,
}

/// The ordered headers of a record. Keys may repeat, as in Kafka.
///
/// Most records have no headers, so an empty `Headers` is one null pointer: it
/// does not allocate, and it keeps [`Record`] small as it moves between nodes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[expect(
    clippy::box_collection,
    reason = "one word instead of three keeps every Record smaller as it moves between nodes \
              (measured in the stateless_chain benchmark); only records with headers pay the box"
)]
pub struct Headers(Option<Box<Vec<Header>>>);

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Self(None)
    }

    /// Appends a header.
    pub fn add(&mut self, key: impl Into<String>, value: Option<Vec<u8>>) -> &mut Self {
        self.0
            .get_or_insert_with(Box::default)
            .push(Header { key: key.into(), value });
        self
    }

    /// Appends a header, by value (builder style).
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        self.add(key, Some(value.into()));
        self
    }

    /// Removes every header with this key.
    pub fn remove(&mut self, key: &str) -> &mut Self {
        if let Some(headers) = &mut self.0 {
            headers.retain(|h| h.key != key);
            if headers.is_empty() {
                self.0 = None;
            }
        }
        self
    }

    /// The last header with this key, as Kafka's `lastHeader`.
    pub fn last_header(&self, key: &str) -> Option<&Header> {
        self.as_slice().iter().rev().find(|h| h.key == key)
    }

    /// All headers in order.
    pub fn iter(&self) -> impl Iterator<Item = &Header> {
        self.as_slice().iter()
    }

    /// All headers in order, as a slice.
    pub fn as_slice(&self) -> &[Header] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    /// Number of headers.
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// Whether there is no header.
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }
}

/// A record flowing between processors: typed key and value, timestamp in
/// milliseconds since the epoch, and headers.
///
/// Records move by value from node to node; forwarding to several children
/// clones them for all but the last child.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<K, V> {
    /// The key.
    pub key: K,
    /// The value.
    pub value: V,
    /// Event time, in milliseconds since the epoch.
    pub timestamp: i64,
    /// Headers.
    pub headers: Headers,
}

impl<K, V> Record<K, V> {
    /// A record with no headers.
    pub fn new(key: K, value: V, timestamp: i64) -> Self {
        Self {
            key,
            value,
            timestamp,
            headers: Headers::new(),
        }
    }

    /// The same record with another key (and key type).
    pub fn with_key<K2>(self, key: K2) -> Record<K2, V> {
        Record {
            key,
            value: self.value,
            timestamp: self.timestamp,
            headers: self.headers,
        }
    }

    /// The same record with another value (and value type).
    pub fn with_value<V2>(self, value: V2) -> Record<K, V2> {
        Record {
            key: self.key,
            value,
            timestamp: self.timestamp,
            headers: self.headers,
        }
    }

    /// The same record with another timestamp.
    #[must_use]
    pub fn with_timestamp(mut self, timestamp: i64) -> Self {
        self.timestamp = timestamp;
        self
    }

    /// The same record with these headers.
    #[must_use]
    pub fn with_headers(mut self, headers: Headers) -> Self {
        self.headers = headers;
        self
    }
}

/// Where the record being processed came from. Absent during punctuation and
/// for records a processor creates itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMetadata {
    /// Source topic.
    pub topic: Arc<str>,
    /// Source partition.
    pub partition: i32,
    /// Offset in that partition.
    pub offset: i64,
}

/// What keys and values must be: cloneable (forwarding to several children
/// clones) and owned.
pub trait Data: Clone + 'static {}

impl<T: Clone + 'static> Data for T {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_keep_order_and_repeats() {
        let mut h = Headers::new();
        assert!(h.is_empty());
        h.add("a", Some(b"1".to_vec()))
            .add("b", None)
            .add("a", Some(b"2".to_vec()));
        assert_eq!(h.len(), 3);
        assert_eq!(h.last_header("a").unwrap().value.as_deref(), Some(&b"2"[..]));
        assert_eq!(h.iter().map(|x| x.key.as_str()).collect::<Vec<_>>(), ["a", "b", "a"]);
        h.remove("a");
        assert_eq!(h.len(), 1);
        h.remove("b");
        assert_eq!(h, Headers::new(), "removing the last header frees the list");
        assert_eq!(std::mem::size_of::<Headers>(), std::mem::size_of::<usize>());
    }
}
