//! Suppression: final results of time and session windows, and rate
//! limiting of table updates by stream time (unbounded and bounded buffers).

use streams_dsl::options::{BufferConfig, Suppressed};
use streams_dsl::prelude::*;
use streams_dsl::windows::{SessionWindows, TimeWindows};

use super::{Reference, dsl, ms};
use crate::generator::{Input, Values};

const TAGS: &[Input] = &[Input::new("in", Values::Tags)];
const OUT: &[&str] = &["out"];

pub(super) const ALL: &[Reference] = &[
    dsl("suppress-window-close", TAGS, OUT, |b| {
        let windows = TimeWindows::of_size_and_grace(ms(10), ms(5)).expect("valid reference window");
        b.stream::<String, String>("in")
            .group_by_key()
            .windowed_by(windows)
            .count()
            .suppress(Suppressed::until_window_closes(BufferConfig::unbounded()))
            .to_stream()
            .to("out");
    }),
    dsl("suppress-session-close", TAGS, OUT, |b| {
        let sessions = SessionWindows::of_inactivity_gap_and_grace(ms(5), ms(3)).expect("valid reference window");
        b.stream::<String, String>("in")
            .group_by_key()
            .windowed_by(sessions)
            .count()
            .suppress(Suppressed::until_window_closes(BufferConfig::unbounded()))
            .to_stream()
            .to("out");
    }),
    dsl("suppress-time-limit", TAGS, OUT, |b| {
        b.stream::<String, String>("in")
            .group_by_key()
            .count()
            .suppress(Suppressed::until_time_limit(ms(15), BufferConfig::unbounded()))
            .to_stream()
            .to("out");
    }),
    dsl(
        "suppress-time-limit-bounded",
        &[Input::new("in", Values::Longs)],
        OUT,
        |b| {
            b.stream::<String, i64>("in")
                .to_table(Materialized::new())
                .suppress(Suppressed::until_time_limit(
                    ms(20),
                    BufferConfig::max_records(3).emit_early_when_full(),
                ))
                .to_stream()
                .to("out");
        },
    ),
];
