//! [`Branched`]: the name of one branch of `split()`.

/// Names a branch of [`KStream::split`](crate::KStream::split): the branch's
/// node and its key in the returned map are the split's name + this name.
/// Default: the branch's position (from 1; the default branch is 0).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct Branched(pub(crate) Option<String>);

impl Branched {
    /// A branch named `name`.
    pub fn as_(name: impl Into<String>) -> Self {
        Self(Some(name.into()))
    }

    /// A branch named by its position.
    pub fn new() -> Self {
        Self(None)
    }
}
