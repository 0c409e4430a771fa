//! `TopologyTestDriver`: unit-test a [`Topology`] with no broker.
//!
//! The driver runs the real task engine of `streams-core` ([`StreamTask`]),
//! replacing only the edges: input comes from [`TestInputTopic`]s, output is
//! captured by an in-memory [`RecordCollector`] and read from
//! [`TestOutputTopic`]s, and wall-clock time is a [`MockClock`] advanced with
//! [`TopologyTestDriver::advance_wall_clock_time`].
//!
//! As in Kafka Streams' driver, each piped record is processed to completion
//! (stream-time punctuation included) and committed before the call returns;
//! records the topology writes to one of its own input or internal topics are
//! fed back, in order, within the same call. Each sub-topology runs as one task
//! on partition 0 of its input topics.
//!
//! # Examples
//!
//! ```
//! use streams_core::prelude::*;
//! use test_driver::TopologyTestDriver;
//!
//! struct Upper;
//! impl Processor<String, String> for Upper {
//!     fn process(&mut self, ctx: &mut ProcessorContext<String, String>, r: Record<String, String>) -> ProcessResult {
//!         let v = r.value.to_uppercase();
//!         ctx.forward(r.with_value(v))?;
//!         Ok(())
//!     }
//! }
//!
//! let mut topology = Topology::new();
//! topology
//!     .add_source("in", Source::<String, String>::new("input"))?
//!     .add_processor("upper", || Upper, &["in"])?
//!     .add_sink("out", Sink::<String, String>::new("output"), &["upper"])?;
//!
//! let driver = TopologyTestDriver::new(topology, StreamsConfig::new("doc-test"))?;
//! let input = driver.create_input_topic::<String, String>("input");
//! let output = driver.create_output_topic::<String, String>("output");
//! input.pipe_input("k".into(), "hello".into())?;
//! assert_eq!(output.read_key_value()?, ("k".to_string(), "HELLO".to_string()));
//! assert!(output.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod collector;
mod driver;
mod error;
mod topics;

pub use collector::ProducedRecord;
pub use driver::TopologyTestDriver;
pub use error::DriverError;
pub use topics::{TestInputTopic, TestOutputTopic};

#[doc(no_inline)]
pub use streams_core::engine::{RecordCollector, StreamTask};
#[doc(no_inline)]
pub use streams_core::{MockClock, Topology};
