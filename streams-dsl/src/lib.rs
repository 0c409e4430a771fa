//! The Kafka Streams DSL for Rust: [`StreamsBuilder`], [`KStream`],
//! [`KTable`], grouping and aggregations, lowered to an ordinary
//! `streams-core` [`Topology`](streams_core::Topology).
//!
//! # Layout
//!
//! - [`builder`]: [`StreamsBuilder`], where a program starts; `build()`
//!   optimizes and lowers the logical graph.
//! - [`kstream`]: [`KStream`] and its operations, one file each.
//! - [`ktable`]: [`KTable`] and its operations; updates travel as [`Change`]s.
//! - [`grouped`]: [`KGroupedStream`], [`KGroupedTable`] and the aggregation
//!   processors.
//! - [`windows`]: window definitions ([`TimeWindows`](windows::TimeWindows),
//!   [`SessionWindows`](windows::SessionWindows), ...) and the
//!   [`EmitStrategy`](windows::EmitStrategy).
//! - [`options`]: [`Consumed`], [`Produced`], [`Grouped`], [`Materialized`],
//!   [`Repartitioned`], [`Named`], [`Branched`].
//! - [`optimizer`]: the rules `topology.optimization` selects, one per file.
//! - `graph` (private): the logical graph, its naming (Kafka Streams'
//!   generated names), the optimizer's plan and the lowering.
//!
//! Types line up at compile time: an aggregation's value type, its serdes
//! and its store agree, and a stream of the wrong types cannot be merged,
//! written with another type's serde, or aggregated into another type's
//! store.
//!
//! # Examples
//!
//! ```
//! use streams_dsl::prelude::*;
//! use test_driver::TopologyTestDriver;
//!
//! let builder = StreamsBuilder::new();
//! builder
//!     .stream::<String, String>("lines")
//!     .flat_map_values(|line| line.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>())
//!     .group_by(|_, word| word.clone())
//!     .count()
//!     .to_stream()
//!     .to("word-counts");
//!
//! let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("wordcount"))?;
//! driver.create_input_topic::<String, String>("lines").pipe_input("k".into(), "a b a".into())?;
//! let counts = driver.create_output_topic::<String, i64>("word-counts").read_key_values_to_map()?;
//! assert_eq!(counts["a"], 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod builder;
mod change;
#[cfg(doctest)]
mod compile_fail;
mod error;
mod graph;
pub mod grouped;
pub mod kstream;
pub mod ktable;
mod materialize;
pub mod optimizer;
pub mod options;
mod source_changelog;
pub mod windows;

pub use builder::StreamsBuilder;
pub use change::{Change, ChangeSerde};
pub use error::DslError;
pub use grouped::{KGroupedStream, KGroupedTable, SessionWindowedKStream, TimeWindowedKStream};
pub use kstream::{BranchedKStream, FixedKeyContext, FixedKeyProcessor, FixedKeyRecord, KStream};
pub use ktable::KTable;
pub use optimizer::{Optimizations, TOPOLOGY_OPTIMIZATION};
pub use options::{Branched, Consumed, Grouped, Materialized, Named, Produced, Repartitioned, StoreType};

/// What flows along DSL edges: cloneable, owned data.
pub trait Data: Clone + 'static {}

impl<T: Clone + 'static> Data for T {}

/// Data with a default serde: what reaches a topic or a store without an
/// explicit serde.
pub trait SerdeData: Data + streams_core::DefaultSerde {}

impl<T: Data + streams_core::DefaultSerde> SerdeData for T {}

/// Everything a DSL application needs.
pub mod prelude {
    pub use crate::{
        Branched, Change, Consumed, FixedKeyContext, FixedKeyProcessor, FixedKeyRecord, Grouped, KGroupedStream,
        KGroupedTable, KStream, KTable, Materialized, Named, Produced, Repartitioned, StoreType, StreamsBuilder,
    };
    pub use streams_core::prelude::*;
    pub use streams_core::store::{Window, Windowed};
    pub use streams_core::topology::Subscription;
}
