//! [`Wake`]: a flag one side raises and another sleeps on, so the client's
//! supervisor sleeps until a stream thread or the client changes state
//! instead of waking on a timer.

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A raised-or-not flag with a condition variable. Raising it while nobody
/// waits is kept: the next [`wait`](Self::wait) returns at once.
#[derive(Debug, Default)]
pub(crate) struct Wake {
    raised: Mutex<bool>,
    changed: Condvar,
}

impl Wake {
    /// Raises the flag and wakes the waiter.
    pub(crate) fn raise(&self) {
        let mut raised = self.raised.lock().unwrap_or_else(PoisonError::into_inner);
        *raised = true;
        self.changed.notify_all();
    }

    /// Sleeps until the flag is raised or `timeout` passes, then lowers it.
    /// Returns whether it was raised.
    pub(crate) fn wait(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut raised = self.raised.lock().unwrap_or_else(PoisonError::into_inner);
        while !*raised {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            raised = self
                .changed
                .wait_timeout(raised, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *raised = false;
        true
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn a_raise_before_the_wait_is_kept_and_consumed_once() {
        let wake = Wake::default();
        wake.raise();
        assert!(wake.wait(Duration::from_secs(5)));
        assert!(
            !wake.wait(Duration::from_millis(20)),
            "the flag was lowered by the first wait"
        );
    }

    #[test]
    fn a_wait_without_a_raise_times_out() {
        let wake = Wake::default();
        let started = Instant::now();
        assert!(!wake.wait(Duration::from_millis(30)));
        assert!(started.elapsed() >= Duration::from_millis(30));
    }

    #[test]
    fn a_raise_from_another_thread_ends_the_wait() {
        let wake = Arc::new(Wake::default());
        let raiser = Arc::clone(&wake);
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            raiser.raise();
        });
        assert!(wake.wait(Duration::from_secs(30)));
        t.join().expect("raiser thread");
    }
}
