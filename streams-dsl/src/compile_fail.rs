//! Mistakes the compiler catches, where Kafka Streams' Java API finds them
//! (through raw types or casts) only when a record fails at run time.
//!
//! Each `compile_fail` example must fail with the error code it names, and
//! sits beside the same program with the mistake fixed, which must compile:
//! so each fails for the mistake shown and for nothing else. Checked by
//! `cargo test --doc` against the crates the suite has built already.
//!
//! # A sink needs a serde for the value
//!
//! A type without one must name a serde (`Produced::with`) or implement
//! `DefaultSerde`:
//!
//! ```compile_fail,E0599
//! use streams_dsl::prelude::*;
//!
//! #[derive(Clone)]
//! struct PageView {
//!     page: String,
//! }
//!
//! let builder = StreamsBuilder::new();
//! builder
//!     .stream::<String, String>("views")
//!     .map_values(|page| PageView { page: page.clone() })
//!     .to("page-views");
//! ```
//!
//! ```
//! use streams_dsl::prelude::*;
//!
//! #[derive(Clone)]
//! struct PageView {
//!     page: String,
//! }
//!
//! let builder = StreamsBuilder::new();
//! builder
//!     .stream::<String, String>("views")
//!     .map_values(|page| PageView { page: page.clone() })
//!     .map_values(|view| view.page.clone())
//!     .to("page-views");
//! ```
//!
//! # A sink's serdes are for the stream's types
//!
//! ```compile_fail,E0308
//! use streams_core::serde::{I64Serde, StringSerde};
//! use streams_dsl::prelude::*;
//!
//! let builder = StreamsBuilder::new();
//! builder
//!     .stream::<String, String>("in")
//!     .to_with("out", Produced::with(StringSerde, I64Serde));
//! ```
//!
//! ```
//! use streams_core::serde::{I64Serde, StringSerde};
//! use streams_dsl::prelude::*;
//!
//! let builder = StreamsBuilder::new();
//! builder
//!     .stream::<String, i64>("in")
//!     .to_with("out", Produced::with(StringSerde, I64Serde));
//! ```
//!
//! # Merged streams have the same key and value types
//!
//! ```compile_fail,E0308
//! use streams_dsl::prelude::*;
//!
//! let builder = StreamsBuilder::new();
//! let clicks = builder.stream::<String, String>("clicks");
//! let amounts = builder.stream::<String, i64>("amounts");
//! clicks.merge(&amounts).to("all");
//! ```
//!
//! ```
//! use streams_dsl::prelude::*;
//!
//! let builder = StreamsBuilder::new();
//! let clicks = builder.stream::<String, i64>("clicks");
//! let amounts = builder.stream::<String, i64>("amounts");
//! clicks.merge(&amounts).to("all");
//! ```
//!
//! # An aggregation's store holds the aggregate's type
//!
//! A `Materialized` (and so its serdes) for another value type is refused:
//!
//! ```compile_fail,E0308
//! use streams_dsl::prelude::*;
//!
//! let builder = StreamsBuilder::new();
//! builder
//!     .stream::<String, String>("words")
//!     .group_by_key()
//!     .aggregate_with(|| 0i64, |_, _, n| n + 1, Materialized::<String, String>::as_("counts"));
//! ```
//!
//! ```
//! use streams_dsl::prelude::*;
//!
//! let builder = StreamsBuilder::new();
//! builder
//!     .stream::<String, String>("words")
//!     .group_by_key()
//!     .aggregate_with(|| 0i64, |_, _, n| n + 1, Materialized::<String, i64>::as_("counts"));
//! ```
