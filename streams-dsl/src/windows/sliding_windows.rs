//! [`SlidingWindows`]: windows of a fixed time difference around records.

use std::time::Duration;

use super::{WindowError, millis, positive_millis};

/// Windows of a fixed time difference with both bounds inclusive, as Kafka
/// Streams' `SlidingWindows`: two records fall in one window iff their
/// timestamps differ by at most the difference.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use streams_dsl::windows::SlidingWindows;
///
/// let w = SlidingWindows::of_time_difference_and_grace(Duration::from_secs(5), Duration::from_secs(1))?;
/// assert_eq!((w.time_difference_ms(), w.grace_ms()), (5_000, 1_000));
/// assert!(SlidingWindows::of_time_difference_with_no_grace(Duration::ZERO).is_err());
/// # Ok::<(), streams_dsl::windows::WindowError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlidingWindows {
    difference: i64,
    grace: i64,
}

impl SlidingWindows {
    /// Windows of `difference` that accept no late record.
    pub fn of_time_difference_with_no_grace(difference: Duration) -> Result<Self, WindowError> {
        Self::of_time_difference_and_grace(difference, Duration::ZERO)
    }

    /// Windows of `difference` accepting records up to `grace` late.
    pub fn of_time_difference_and_grace(difference: Duration, grace: Duration) -> Result<Self, WindowError> {
        Ok(Self {
            difference: positive_millis("time difference", difference)?,
            grace: millis("grace period", grace)?,
        })
    }

    /// The time difference (window length) in milliseconds.
    pub fn time_difference_ms(&self) -> i64 {
        self.difference
    }

    /// The grace period in milliseconds.
    pub fn grace_ms(&self) -> i64 {
        self.grace
    }
}
