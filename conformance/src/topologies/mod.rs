//! The reference topologies, written with our DSL (or the Processor API),
//! each the twin of the one of the same name in the Java oracle
//! (`conformance/kafka-streams-oracle/src/main/java/oracle/Topologies.java`).
//! A [`Reference`] also declares its inputs (what the generator may put in
//! them) and its output topics (what is compared).

use streams_core::{StreamsConfig, Topology};
use streams_dsl::StreamsBuilder;

use crate::generator::Input;

mod aggregations;
mod papi;
mod stateless;
mod suppress;
mod tables;
mod windows;

/// How a reference topology is built.
#[derive(Clone, Copy)]
pub enum Build {
    /// DSL calls on a builder; built with the run's `topology.optimization`.
    Dsl(fn(&StreamsBuilder)),
    /// A Processor-API topology (the optimizer does not apply).
    Papi(fn() -> Result<Topology, streams_core::TopologyError>),
}

/// One reference topology.
#[derive(Clone, Copy)]
pub struct Reference {
    /// Name shared with the Java oracle.
    pub name: &'static str,
    /// Input topics and what may be generated into them.
    pub inputs: &'static [Input],
    /// Output topics compared, in this order.
    pub outputs: &'static [&'static str],
    /// How to build it.
    pub build: Build,
}

/// Reference topologies whose outputs still differ from Kafka Streams on
/// some inputs because Kafka's behaviour there is itself a documented bug,
/// with its KAFKA issue (also in `conformance/README.md`). They run and their
/// mismatches are printed, but do not fail the comparison. None today.
pub const KNOWN_DISAGREEMENTS: &[(&str, &str)] = &[];

/// Application id of every run, on both sides (it prefixes internal topics).
pub const APPLICATION_ID: &str = "conformance";

impl Reference {
    /// The topology for `optimization` (a `topology.optimization` value).
    pub fn topology(&self, optimization: &str) -> Result<Topology, Box<dyn std::error::Error>> {
        match self.build {
            Build::Dsl(body) => {
                let builder = StreamsBuilder::new();
                body(&builder);
                Ok(builder.build_with(&config(optimization))?)
            }
            Build::Papi(build) => Ok(build()?),
        }
    }
}

/// The configuration of a run, as the oracle's: caching off, the given
/// optimizations.
pub fn config(optimization: &str) -> StreamsConfig {
    StreamsConfig::new(APPLICATION_ID)
        .with_cache_max_bytes(0)
        .with(streams_dsl::TOPOLOGY_OPTIMIZATION, optimization)
}

/// Every reference topology.
pub fn all() -> Vec<Reference> {
    [
        stateless::ALL,
        aggregations::ALL,
        tables::ALL,
        windows::ALL,
        suppress::ALL,
        papi::ALL,
    ]
    .concat()
}

/// The reference topology called `name`.
pub fn named(name: &str) -> Option<Reference> {
    all().into_iter().find(|r| r.name == name)
}

/// Shorthand for the reference tables in each module.
const fn dsl(
    name: &'static str,
    inputs: &'static [Input],
    outputs: &'static [&'static str],
    body: fn(&StreamsBuilder),
) -> Reference {
    Reference {
        name,
        inputs,
        outputs,
        build: Build::Dsl(body),
    }
}

fn ms(n: u64) -> std::time::Duration {
    std::time::Duration::from_millis(n)
}
