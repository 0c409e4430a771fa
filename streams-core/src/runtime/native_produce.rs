//! Producing through a topic handle held open: the one produce call rdkafka
//! does not wrap.
//!
//! `BaseProducer::send` names its topic, so every record costs a C string of
//! the name and a by-name topic lookup under the client's lock (about 5% of
//! a count-by-key application's thread, measured with `perf` on
//! `runtime-bench`). The collector sends to few topics, many times each: it
//! opens a [`TopicHandle`] once per topic and produces through it
//! (`RD_KAFKA_VTYPE_RKT`), with the same flags, key, value, timestamp,
//! headers and delivery opaque as `send`, so rdkafka's delivery reports see
//! no difference.
#![allow(unsafe_code)]

use std::ffi::{CString, c_void};
use std::ptr::{self, NonNull};

use rdkafka::error::RDKafkaErrorCode;
use rdkafka::producer::{BaseProducer, Producer, ProducerContext};
use rdkafka::util::IntoOpaque;
use rdkafka_sys as rdsys;
use rdsys::rd_kafka_vtype_t::*;

use crate::engine::OutgoingRecord;

/// An open librdkafka topic of one producer. Must be dropped before the
/// producer that opened it (the collector drops its handles first).
pub(crate) struct TopicHandle {
    topic: NonNull<rdsys::rd_kafka_topic_t>,
}

// SAFETY: librdkafka topic objects are reference-counted and locked
// internally; its API is thread-safe for every handle, so moving a handle
// to another thread (with the collector that owns it) is sound.
unsafe impl Send for TopicHandle {}

impl TopicHandle {
    /// Opens `name` on `producer` (with the producer's default topic
    /// settings, as a by-name send would); `None` if the name holds a NUL or
    /// librdkafka refuses it.
    pub(crate) fn open<C: ProducerContext>(producer: &BaseProducer<C>, name: &str) -> Option<Self> {
        let name = CString::new(name).ok()?;
        // SAFETY: the client pointer is the live handle `producer` holds;
        // `rd_kafka_topic_new` copies the name and, with a null
        // configuration, takes the producer's default topic settings. It
        // returns a new application reference (released in `drop`) or null,
        // which is checked.
        let topic =
            unsafe { rdsys::rd_kafka_topic_new(producer.client().native_ptr(), name.as_ptr(), ptr::null_mut()) };
        NonNull::new(topic).map(|topic| Self { topic })
    }

    /// Queues `record` on `producer` with `opaque` as its delivery opaque.
    /// `producer` must be the producer that opened this handle.
    pub(crate) fn produce<C>(
        &self,
        producer: &BaseProducer<C>,
        record: &OutgoingRecord<'_>,
        opaque: C::DeliveryOpaque,
    ) -> Result<(), RDKafkaErrorCode>
    where
        C: ProducerContext,
    {
        let (value_ptr, value_len) = bytes(record.value);
        let (key_ptr, key_len) = bytes(record.key);
        let headers = native_headers(record)?;
        let opaque_ptr = opaque.into_ptr();
        // SAFETY: every pointer is valid for the call: the client and topic
        // handles are live (the handle belongs to this producer, see above),
        // key and value point at `len` readable bytes or are null with length
        // 0, and `RD_KAFKA_MSG_F_COPY` makes librdkafka copy them before it
        // returns. The argument list has the types `rd_kafka_producev`
        // expects for each tag (an `int32_t` partition, `int` flags,
        // pointer + `size_t` pairs, an `int64_t` timestamp) and ends with
        // `RD_KAFKA_VTYPE_END`. On success librdkafka owns `headers`; on
        // failure they are ours and destroyed below.
        let error = unsafe {
            rdsys::rd_kafka_producev(
                producer.client().native_ptr(),
                RD_KAFKA_VTYPE_RKT,
                self.topic.as_ptr(),
                RD_KAFKA_VTYPE_PARTITION,
                record.partition.unwrap_or(-1),
                RD_KAFKA_VTYPE_MSGFLAGS,
                rdsys::RD_KAFKA_MSG_F_COPY,
                RD_KAFKA_VTYPE_VALUE,
                value_ptr,
                value_len,
                RD_KAFKA_VTYPE_KEY,
                key_ptr,
                key_len,
                RD_KAFKA_VTYPE_OPAQUE,
                opaque_ptr,
                RD_KAFKA_VTYPE_TIMESTAMP,
                record.timestamp,
                RD_KAFKA_VTYPE_HEADERS,
                headers,
                RD_KAFKA_VTYPE_END,
            )
        };
        let code = RDKafkaErrorCode::from(error);
        if code == RDKafkaErrorCode::NoError {
            return Ok(());
        }
        if !headers.is_null() {
            // SAFETY: the produce failed, so the headers are still ours, and
            // nothing else refers to them.
            unsafe { rdsys::rd_kafka_headers_destroy(headers) };
        }
        // SAFETY: `opaque_ptr` came from `into_ptr` above and librdkafka,
        // having refused the record, keeps no copy: it is taken back once.
        drop(unsafe { C::DeliveryOpaque::from_ptr(opaque_ptr) });
        Err(code)
    }
}

impl Drop for TopicHandle {
    fn drop(&mut self) {
        // SAFETY: releases the application reference `open` took, once.
        unsafe { rdsys::rd_kafka_topic_destroy(self.topic.as_ptr()) };
    }
}

fn bytes(b: Option<&[u8]>) -> (*mut c_void, usize) {
    match b {
        Some(b) => (b.as_ptr().cast_mut().cast(), b.len()),
        None => (ptr::null_mut(), 0),
    }
}

/// The record's headers as a librdkafka header list (null when it has none).
fn native_headers(record: &OutgoingRecord<'_>) -> Result<*mut rdsys::rd_kafka_headers_t, RDKafkaErrorCode> {
    if record.headers.is_empty() {
        return Ok(ptr::null_mut());
    }
    // SAFETY: a new, empty list that only this function refers to.
    let list = unsafe { rdsys::rd_kafka_headers_new(record.headers.len()) };
    if list.is_null() {
        return Err(RDKafkaErrorCode::Fail);
    }
    for header in record.headers.iter() {
        let (value, value_len) = match &header.value {
            Some(v) => (v.as_ptr().cast::<c_void>(), v.len() as isize),
            None => (ptr::null(), 0),
        };
        // SAFETY: `list` is live; the name and value point at their stated
        // lengths of readable bytes (or the value is null: a null header),
        // and librdkafka copies both before returning.
        let error = unsafe {
            rdsys::rd_kafka_header_add(
                list,
                header.key.as_ptr().cast(),
                header.key.len() as isize,
                value,
                value_len,
            )
        };
        let code = RDKafkaErrorCode::from(error);
        if code != RDKafkaErrorCode::NoError {
            // SAFETY: the list is still only ours.
            unsafe { rdsys::rd_kafka_headers_destroy(list) };
            return Err(code);
        }
    }
    Ok(list)
}
