//! [`DslError`]: what can go wrong building a DSL topology.

use streams_core::TopologyError;

/// An error building a topology with the DSL.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DslError {
    /// The lowered topology is invalid (names the nodes concerned).
    #[error(transparent)]
    Topology(#[from] TopologyError),
    /// `topology.optimization` names no known rule.
    #[error(
        "topology.optimization: unknown value {value:?} (expected none, all, or a comma-separated list of {known})"
    )]
    UnknownOptimization {
        /// The value that was not understood.
        value: String,
        /// The accepted rule names.
        known: String,
    },
}
