//! Runnable example applications of Kafka Streams for Rust.
//!
//! Each example exposes a `build_topology(...)` function and is tested through
//! the `TopologyTestDriver`; the binaries under `src/bin` stay thin.
//!
//! - [`word_count`]: a Processor-API word count with a key-value store and a
//!   stream-time punctuator that emits the counts.
//! - [`dsl_word_count`]: the same word count with the DSL (Kafka Streams'
//!   `WordCountDemo`): split, re-key, count.
//! - [`top_pages`]: the most viewed pages per region, kept up to date as users
//!   move between pages: re-key a table and aggregate it with a subtractor.
//! - [`kafka_io`]: producing sample text into Kafka and following a counts
//!   topic, for the Kafka examples (`kafka-word-count`) and their tests.
//! - [`kafka_broker`]: a real single-node Apache Kafka broker (from Maven
//!   Central jars) on 127.0.0.1, for the real-cluster tests and benchmarks.
//! - [`window_alerts`]: an alert when a user fails to log in too often within
//!   a minute: hopping-window counts emitted when each window closes.

pub mod dsl_word_count;
pub mod kafka_broker;
pub mod kafka_io;
pub mod top_pages;
pub mod window_alerts;
pub mod word_count;

/// The README's code blocks, compiled and run as doc-tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
