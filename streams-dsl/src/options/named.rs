//! [`Named`]: a user's name for the processor a DSL call adds.

/// Names the processor a DSL call adds, instead of a generated
/// `KSTREAM-...-0000000007` name.
///
/// # Examples
///
/// ```
/// use streams_dsl::prelude::*;
///
/// let builder = StreamsBuilder::new();
/// builder
///     .stream::<String, String>("in")
///     .filter_named(|_, v| !v.is_empty(), Named::as_("drop-empty"))
///     .to("out");
/// assert!(builder.build()?.describe().to_string().contains("Processor: drop-empty"));
/// # Ok::<(), streams_core::TopologyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named(pub(crate) String);

impl Named {
    /// The name to use.
    pub fn as_(name: impl Into<String>) -> Self {
        Self(name.into())
    }
}
