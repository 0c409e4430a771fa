//! [`SessionWindows`]: per-key sessions split by an inactivity gap.

use std::time::Duration;

use super::{WindowError, millis, positive_millis};

/// Sessions, as Kafka Streams' `SessionWindows`: records of one key closer
/// than the inactivity gap belong to one session `[first, last]`; a record
/// between two sessions merges them.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use streams_dsl::windows::SessionWindows;
///
/// let w = SessionWindows::of_inactivity_gap_with_no_grace(Duration::from_secs(300))?;
/// assert_eq!(w.inactivity_gap_ms(), 300_000);
/// assert!(SessionWindows::of_inactivity_gap_with_no_grace(Duration::ZERO).is_err());
/// # Ok::<(), streams_dsl::windows::WindowError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionWindows {
    gap: i64,
    grace: i64,
}

impl SessionWindows {
    /// Sessions split by `gap` that accept no late record.
    pub fn of_inactivity_gap_with_no_grace(gap: Duration) -> Result<Self, WindowError> {
        Self::of_inactivity_gap_and_grace(gap, Duration::ZERO)
    }

    /// Sessions split by `gap`, accepting records up to `grace` late.
    pub fn of_inactivity_gap_and_grace(gap: Duration, grace: Duration) -> Result<Self, WindowError> {
        Ok(Self {
            gap: positive_millis("inactivity gap", gap)?,
            grace: millis("grace period", grace)?,
        })
    }

    /// The inactivity gap in milliseconds.
    pub fn inactivity_gap_ms(&self) -> i64 {
        self.gap
    }

    /// The grace period in milliseconds.
    pub fn grace_ms(&self) -> i64 {
        self.grace
    }
}
