//! [`TimeWindows`]: tumbling and hopping windows.

use std::time::Duration;

use super::{WindowError, millis, positive_millis};
use streams_core::store::Window;

/// Fixed-size windows aligned to the epoch, as Kafka Streams'
/// `TimeWindows`: tumbling when they advance by their size (the default),
/// hopping when [`advance_by`](Self::advance_by) a smaller step. A window
/// `[start, start + size)` holds a record at `t` iff `start <= t < start +
/// size`, with `start` a non-negative multiple of the advance.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use streams_dsl::windows::TimeWindows;
///
/// let hopping = TimeWindows::of_size_and_grace(Duration::from_secs(60), Duration::from_secs(10))?
///     .advance_by(Duration::from_secs(30))?;
/// let starts: Vec<i64> = hopping.windows_for(75_000).map(|w| w.start).collect();
/// assert_eq!(starts, [30_000, 60_000]);
/// assert!(TimeWindows::of_size_with_no_grace(Duration::ZERO).is_err());
/// # Ok::<(), streams_dsl::windows::WindowError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindows {
    size: i64,
    advance: i64,
    grace: i64,
}

impl TimeWindows {
    /// Tumbling windows of `size` that accept no late record.
    pub fn of_size_with_no_grace(size: Duration) -> Result<Self, WindowError> {
        Self::of_size_and_grace(size, Duration::ZERO)
    }

    /// Tumbling windows of `size` that still accept records up to `grace`
    /// after their end (in stream time).
    pub fn of_size_and_grace(size: Duration, grace: Duration) -> Result<Self, WindowError> {
        let size = positive_millis("window size", size)?;
        let grace = millis("grace period", grace)?;
        Ok(Self {
            size,
            advance: size,
            grace,
        })
    }

    /// Hopping windows: a new window every `advance` (`0 < advance <= size`).
    pub fn advance_by(self, advance: Duration) -> Result<Self, WindowError> {
        let advance = positive_millis("window advance", advance)?;
        if advance > self.size {
            return Err(WindowError::AdvanceLargerThanSize {
                advance_ms: advance,
                size_ms: self.size,
            });
        }
        Ok(Self { advance, ..self })
    }

    /// The window size in milliseconds.
    pub fn size_ms(&self) -> i64 {
        self.size
    }

    /// The advance in milliseconds.
    pub fn advance_ms(&self) -> i64 {
        self.advance
    }

    /// The grace period in milliseconds.
    pub fn grace_ms(&self) -> i64 {
        self.grace
    }

    /// The windows holding a record at `timestamp`, in ascending start order
    /// (none for a negative timestamp).
    pub fn windows_for(&self, timestamp: i64) -> impl Iterator<Item = Window> + use<> {
        let (size, advance) = (self.size, self.advance);
        let first = if timestamp < 0 {
            i64::MAX
        } else {
            let earliest = timestamp.saturating_sub(size).saturating_add(advance).max(0);
            earliest - earliest % advance
        };
        let mut start = first;
        std::iter::from_fn(move || {
            if start > timestamp {
                return None;
            }
            let w = Window::new(start, start.saturating_add(size));
            start = start.saturating_add(advance);
            Some(w)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(w: &TimeWindows, t: i64) -> Vec<i64> {
        w.windows_for(t).map(|w| w.start).collect()
    }

    #[test]
    fn tumbling_windows_hold_their_start_not_their_end() {
        let w = TimeWindows::of_size_with_no_grace(Duration::from_millis(10)).unwrap();
        assert_eq!(starts(&w, 0), [0]);
        assert_eq!(starts(&w, 9), [0]);
        assert_eq!(starts(&w, 10), [10]);
        assert!(starts(&w, -1).is_empty());
    }

    #[test]
    fn hopping_windows_start_at_zero_or_later() {
        let w = TimeWindows::of_size_with_no_grace(Duration::from_millis(10))
            .unwrap()
            .advance_by(Duration::from_millis(3))
            .unwrap();
        assert_eq!(starts(&w, 2), [0]);
        assert_eq!(starts(&w, 10), [3, 6, 9]);
        assert_eq!(starts(&w, 12), [3, 6, 9, 12]);
        for t in 0..100 {
            for win in w.windows_for(t) {
                assert!(win.start <= t && t < win.end && win.start % 3 == 0);
            }
        }
    }

    #[test]
    fn invalid_definitions_are_errors() {
        assert_eq!(
            TimeWindows::of_size_with_no_grace(Duration::ZERO),
            Err(WindowError::NotPositive { what: "window size" })
        );
        let w = TimeWindows::of_size_with_no_grace(Duration::from_millis(10)).unwrap();
        assert_eq!(
            w.advance_by(Duration::from_millis(11)),
            Err(WindowError::AdvanceLargerThanSize {
                advance_ms: 11,
                size_ms: 10
            })
        );
        assert!(w.advance_by(Duration::ZERO).is_err());
        assert!(matches!(
            TimeWindows::of_size_with_no_grace(Duration::MAX),
            Err(WindowError::TooLarge { .. })
        ));
    }
}
