//! [`UnlimitedWindows`]: one never-ending window per key.

use std::time::Duration;

use super::{WindowError, millis};
use streams_core::store::Window;

/// One window per key from a start time on, never closing, as Kafka
/// Streams' `UnlimitedWindows` (start 0 by default). Records before the
/// start belong to no window.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use streams_dsl::windows::UnlimitedWindows;
///
/// let w = UnlimitedWindows::of().starting_at(Duration::from_secs(10))?;
/// assert_eq!(w.windows_for(9_999).count(), 0);
/// assert_eq!(w.windows_for(10_000).next().map(|w| (w.start, w.end)), Some((10_000, i64::MAX)));
/// # Ok::<(), streams_dsl::windows::WindowError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UnlimitedWindows {
    start: i64,
}

impl UnlimitedWindows {
    /// The window starting at the epoch.
    pub fn of() -> Self {
        Self::default()
    }

    /// The window starting at `start` after the epoch.
    pub fn starting_at(self, start: Duration) -> Result<Self, WindowError> {
        Ok(Self {
            start: millis("window start", start)?,
        })
    }

    /// The start in milliseconds.
    pub fn start_ms(&self) -> i64 {
        self.start
    }

    /// The window holding a record at `timestamp`, if it is not before the start.
    pub fn windows_for(&self, timestamp: i64) -> impl Iterator<Item = Window> + use<> {
        (timestamp >= self.start)
            .then_some(Window::new(self.start, i64::MAX))
            .into_iter()
    }
}
