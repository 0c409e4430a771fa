//! Differential conformance against Apache Kafka Streams.
//!
//! Each [reference topology](topologies) exists twice: written with our DSL
//! (or Processor API) here, and with Kafka Streams' Java DSL in the Maven
//! project `conformance/kafka-streams-oracle`. A [generator] makes random
//! inputs from seeds; both sides run each input through their own
//! `TopologyTestDriver` with caching disabled ([oracle] for Kafka Streams,
//! [ours] for this project) and the outputs are [compared](compare) record
//! by record, bytes for bytes, with timestamps. A mismatch is shrunk to the
//! shortest differing input prefix and reported with its seed.
//!
//! The test is `conformance/tests/conformance.rs`; the README of this crate's
//! directory says how to run it with more seeds.

pub mod compare;
pub mod events;
pub mod generator;
pub mod oracle;
pub mod ours;
pub mod topologies;
