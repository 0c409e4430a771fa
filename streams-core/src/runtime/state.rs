//! The lifecycle of a [`KafkaStreams`](super::KafkaStreams) client, with the
//! legal transitions written down once, as in Kafka Streams'
//! `KafkaStreams.State`.

use std::fmt;

/// The state of a `KafkaStreams` client.
///
/// ```text
///        +--------------+
///  +<--- | CREATED      | ---+
///  |     +--------------+    |
///  |            |            v
///  |            v      +---------------+     +-------+
///  |     +-----------+ | PENDING_ERROR | --> | ERROR |
///  |     |REBALANCING| +---------------+     +-------+
///  |     +-----------+       ^
///  |        |    ^           |
///  |        v    |           |
///  |     +-----------+ ------+
///  |     |  RUNNING  |
///  |     +-----------+
///  |            |
///  v            v
/// +------------------+     +-------------+
/// | PENDING_SHUTDOWN | --> | NOT_RUNNING |
/// +------------------+     +-------------+
/// ```
/// (every state but `PENDING_SHUTDOWN`, `NOT_RUNNING` and `ERROR` may also
/// go to `PENDING_SHUTDOWN` or `PENDING_ERROR`; see [`State::can_transition_to`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Built, not started.
    Created,
    /// Threads are joining the group, being assigned tasks, or restoring.
    Rebalancing,
    /// Every thread is processing its tasks.
    Running,
    /// `close` was called; threads are committing and stopping.
    PendingShutdown,
    /// Stopped cleanly.
    NotRunning,
    /// A failure is stopping the client.
    PendingError,
    /// Stopped on a failure.
    Error,
}

impl State {
    /// Whether `self -> next` is legal. Kafka Streams' table: CREATED ->
    /// {REBALANCING, PENDING_SHUTDOWN, PENDING_ERROR}; REBALANCING and RUNNING ->
    /// {REBALANCING, RUNNING, PENDING_SHUTDOWN, PENDING_ERROR}; PENDING_SHUTDOWN
    /// -> NOT_RUNNING; PENDING_ERROR -> ERROR; NOT_RUNNING and ERROR are final.
    pub fn can_transition_to(self, next: State) -> bool {
        use State::*;
        matches!(
            (self, next),
            (Created, Rebalancing | PendingShutdown | PendingError)
                | (
                    Rebalancing | Running,
                    Rebalancing | Running | PendingShutdown | PendingError
                )
                | (PendingShutdown, NotRunning)
                | (PendingError, Error)
        )
    }

    /// Whether threads may be running in this state.
    pub fn is_running_or_rebalancing(self) -> bool {
        matches!(self, State::Running | State::Rebalancing)
    }

    /// Kafka Streams' name of the state.
    pub fn name(self) -> &'static str {
        match self {
            State::Created => "CREATED",
            State::Rebalancing => "REBALANCING",
            State::Running => "RUNNING",
            State::PendingShutdown => "PENDING_SHUTDOWN",
            State::NotRunning => "NOT_RUNNING",
            State::PendingError => "PENDING_ERROR",
            State::Error => "ERROR",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What to do when a stream thread fails: the answer of the uncaught-error
/// handler (Kafka Streams' `StreamsUncaughtExceptionHandler`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadFailureResponse {
    /// Start a new thread in place of the failed one; its tasks are
    /// reassigned by the group and restored from their changelogs.
    ReplaceThread,
    /// Stop this client: `PENDING_ERROR`, then `ERROR` (the default).
    ShutdownClient,
    /// Stop the application. Kafka Streams asks every instance to stop
    /// through its group assignor; with no coordinator of our own this stops
    /// this instance as `ShutdownClient` does, and the others keep running.
    ShutdownApplication,
}

#[cfg(test)]
mod tests {
    use super::State::{self, *};

    const ALL: [State; 7] = [
        Created,
        Rebalancing,
        Running,
        PendingShutdown,
        NotRunning,
        PendingError,
        Error,
    ];

    /// Kafka Streams' `KafkaStreams.State` lists each state's valid next
    /// states by ordinal: CREATED(1, 3, 5), REBALANCING(1, 2, 3, 5),
    /// RUNNING(1, 2, 3, 5), PENDING_SHUTDOWN(4), NOT_RUNNING, PENDING_ERROR(6), ERROR.
    #[test]
    fn transitions_match_kafka_streams_table() {
        let kafka: [&[usize]; 7] = [&[1, 3, 5], &[1, 2, 3, 5], &[1, 2, 3, 5], &[4], &[], &[6], &[]];
        for (from, valid) in ALL.iter().zip(kafka) {
            for (i, to) in ALL.iter().enumerate() {
                assert_eq!(from.can_transition_to(*to), valid.contains(&i), "{from} -> {to}");
            }
        }
    }
}
