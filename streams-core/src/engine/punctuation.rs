//! Punctuation schedules, with Kafka Streams' timing rules.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::processor::{PunctuationType, ScheduleId};

pub(crate) struct Schedule {
    pub(crate) id: ScheduleId,
    pub(crate) node: usize,
    pub(crate) due: i64,
    pub(crate) interval: i64,
    pub(crate) cancelled: Rc<Cell<bool>>,
}

impl Schedule {
    /// The next due time after firing at `now`: one interval on, or, if whole
    /// intervals were missed, the next multiple on the original schedule (the
    /// missed ones are not replayed).
    pub(crate) fn next_due(&self, now: i64) -> i64 {
        let next = self.due.saturating_add(self.interval);
        if now >= next {
            let missed = (now - self.due) / self.interval;
            self.due.saturating_add((missed + 1).saturating_mul(self.interval))
        } else {
            next
        }
    }
}

/// The schedules of one clock, ordered by (due time, id).
#[derive(Default)]
pub(crate) struct PunctuationQueue {
    schedules: BTreeMap<(i64, ScheduleId), Schedule>,
}

impl PunctuationQueue {
    pub(crate) fn add(&mut self, s: Schedule) {
        self.schedules.insert((s.due, s.id), s);
    }

    /// When the earliest schedule is due (`i64::MAX` if none).
    pub(crate) fn next_due(&self) -> i64 {
        self.schedules.keys().next().map_or(i64::MAX, |(due, _)| *due)
    }

    /// Removes and returns the first schedule due at `now`, skipping cancelled ones.
    pub(crate) fn pop_due(&mut self, now: i64) -> Option<Schedule> {
        while let Some(entry) = self.schedules.first_entry() {
            if entry.key().0 > now {
                return None;
            }
            let s = entry.remove();
            if !s.cancelled.get() {
                return Some(s);
            }
        }
        None
    }
}

/// Both clocks' queues of one task.
#[derive(Default)]
pub(crate) struct Punctuations {
    pub(crate) stream_time: PunctuationQueue,
    pub(crate) wall_clock: PunctuationQueue,
}

impl Punctuations {
    pub(crate) fn queue(&mut self, kind: PunctuationType) -> &mut PunctuationQueue {
        match kind {
            PunctuationType::StreamTime => &mut self.stream_time,
            PunctuationType::WallClockTime => &mut self.wall_clock,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sched(due: i64, interval: i64) -> Schedule {
        Schedule {
            id: ScheduleId(0),
            node: 0,
            due,
            interval,
            cancelled: Rc::new(Cell::new(false)),
        }
    }

    #[test]
    fn next_due_skips_missed_intervals() {
        assert_eq!(sched(0, 10).next_due(5), 10);
        assert_eq!(sched(10, 10).next_due(25), 30);
        assert_eq!(sched(10, 10).next_due(20), 30);
        assert_eq!(sched(10, 10).next_due(19), 20);
    }

    #[test]
    fn cancelled_schedules_are_dropped() {
        let mut q = PunctuationQueue::default();
        let s = sched(0, 10);
        s.cancelled.set(true);
        q.add(s);
        assert!(q.pop_due(100).is_none());
    }
}
