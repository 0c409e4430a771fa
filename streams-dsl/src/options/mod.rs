//! The option objects DSL calls take, named as in Kafka Streams: [`Consumed`],
//! [`Produced`], [`Grouped`], [`Materialized`], [`Repartitioned`], [`Named`],
//! [`Branched`], [`Suppressed`] with its [`BufferConfig`]. Each is a by-value builder; every setter documents its
//! default.

mod branched;
mod consumed;
mod grouped;
mod materialized;
mod named;
mod produced;
mod repartitioned;
pub(crate) mod suppressed;

pub use branched::Branched;
pub use consumed::Consumed;
pub use grouped::Grouped;
pub use materialized::{Materialized, StoreType};
pub use named::Named;
pub use produced::{Partitioner, Produced};
pub use repartitioned::Repartitioned;
pub use suppressed::{BufferConfig, BufferFullStrategy, StrictBufferConfig, Suppressed};
