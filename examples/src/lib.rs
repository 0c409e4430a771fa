//! Runnable example applications of Kafka Streams for Rust.
//!
//! Each example exposes a `build_topology(...)` function and is tested through
//! the `TopologyTestDriver`; the binaries under `src/bin` stay thin.
//!
//! - [`word_count`]: a Processor-API word count with a key-value store and a
//!   stream-time punctuator that emits the counts.

pub mod word_count;

/// The README's code blocks, compiled and run as doc-tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
