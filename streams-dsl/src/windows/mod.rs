//! Window definitions: how records are grouped in time before a windowed
//! aggregation, one kind per file, and the [`EmitStrategy`] that says when
//! results leave.
//!
//! - [`TimeWindows`]: fixed-size windows aligned to the epoch; tumbling
//!   (advance = size) or hopping (`advance_by`).
//! - [`SlidingWindows`]: windows of a fixed time difference, both bounds
//!   inclusive, created around records.
//! - [`SessionWindows`]: per-key sessions split by an inactivity gap.
//! - [`UnlimitedWindows`]: one window per key from a start time on.
//!
//! Definitions are checked when they are made: a zero size or gap, an
//! advance larger than the size, or a duration too large for `i64`
//! milliseconds is a [`WindowError`]. Negative durations cannot be written
//! (`std::time::Duration` is unsigned).

mod emit_strategy;
mod session_windows;
mod sliding_windows;
mod time_windows;
mod unlimited_windows;

use std::time::Duration;

pub use emit_strategy::EmitStrategy;
pub use session_windows::SessionWindows;
pub use sliding_windows::SlidingWindows;
pub use time_windows::TimeWindows;
pub use unlimited_windows::UnlimitedWindows;

/// An invalid window definition or windowed store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WindowError {
    /// A size, advance, gap or time difference of zero.
    #[error("{what} must be positive")]
    NotPositive {
        /// Which duration.
        what: &'static str,
    },
    /// A hopping window advancing further than its size would skip time.
    #[error("the advance ({advance_ms} ms) must not be larger than the window size ({size_ms} ms)")]
    AdvanceLargerThanSize {
        /// The advance.
        advance_ms: i64,
        /// The size.
        size_ms: i64,
    },
    /// A duration that does not fit in `i64` milliseconds.
    #[error("{what} is too large ({secs} s does not fit in i64 milliseconds)")]
    TooLarge {
        /// Which duration.
        what: &'static str,
        /// The duration given, in seconds.
        secs: u64,
    },
    /// A store retention shorter than the windows it must keep.
    #[error(
        "store {store}: the retention ({retention_ms} ms) must be at least the window size plus the grace period ({needed_ms} ms)"
    )]
    RetentionTooShort {
        /// The store.
        store: String,
        /// The retention given.
        retention_ms: i64,
        /// Size (or gap) plus grace.
        needed_ms: i64,
    },
}

/// `d` in milliseconds, or an error naming `what`.
pub(crate) fn millis(what: &'static str, d: Duration) -> Result<i64, WindowError> {
    i64::try_from(d.as_millis()).map_err(|_| WindowError::TooLarge {
        what,
        secs: d.as_secs(),
    })
}

/// `d` in milliseconds, which must be positive.
pub(crate) fn positive_millis(what: &'static str, d: Duration) -> Result<i64, WindowError> {
    match millis(what, d)? {
        0 => Err(WindowError::NotPositive { what }),
        ms => Ok(ms),
    }
}
