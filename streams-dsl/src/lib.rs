//! The Kafka Streams DSL for Rust.
//!
//! This crate will hold `StreamsBuilder`, `KStream`, `KTable`, grouping,
//! windowing and joins, the logical graph the DSL builds, the optimizer rules
//! that rewrite it, and the lowering of every DSL operation to ordinary
//! Processor-API processors in a `streams_core::Topology`.
//!
//! It is empty for now: applications can already be written with the
//! Processor API in `streams-core`.
