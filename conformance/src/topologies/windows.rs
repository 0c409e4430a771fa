//! Windowed aggregations: tumbling, hopping, sliding, session and unlimited
//! windows with grace, emitting on every update or once on window close.

use streams_dsl::windows::{EmitStrategy, SessionWindows, SlidingWindows, TimeWindows, UnlimitedWindows};

use super::{Reference, dsl, ms};
use crate::generator::{Input, Values};

const TAGS: &[Input] = &[Input::new("in", Values::Tags)];
const LONGS: &[Input] = &[Input::new("in", Values::Longs)];
const OUT: &[&str] = &["out"];

fn tumbling(size: u64, grace: u64) -> TimeWindows {
    TimeWindows::of_size_and_grace(ms(size), ms(grace)).expect("valid reference window")
}

fn sliding(difference: u64, grace: u64) -> SlidingWindows {
    SlidingWindows::of_time_difference_and_grace(ms(difference), ms(grace)).expect("valid reference window")
}

fn sessions(gap: u64, grace: u64) -> SessionWindows {
    SessionWindows::of_inactivity_gap_and_grace(ms(gap), ms(grace)).expect("valid reference window")
}

pub(super) const ALL: &[Reference] = &[
    dsl(
        "tumbling-count",
        &[Input::new("in", Values::Tags).null_keys().null_values()],
        OUT,
        |b| {
            b.stream::<Option<String>, Option<String>>("in")
                .group_by_key()
                .windowed_by(tumbling(10, 5))
                .count()
                .to_stream()
                .to("out");
        },
    ),
    dsl("hopping-aggregate", LONGS, OUT, |b| {
        let hopping = tumbling(20, 8).advance_by(ms(5)).expect("valid reference window");
        b.stream::<String, i64>("in")
            .group_by_key()
            .windowed_by(hopping)
            .aggregate(|| 0i64, |_, v, agg| agg + v)
            .to_stream()
            .to("out");
    }),
    dsl("sliding-count", TAGS, OUT, |b| {
        b.stream::<String, String>("in")
            .group_by_key()
            .windowed_by(sliding(10, 5))
            .count()
            .to_stream()
            .to("out");
    }),
    dsl("sliding-reduce", LONGS, OUT, |b| {
        b.stream::<String, i64>("in")
            .group_by_key()
            .windowed_by(sliding(8, 4))
            .reduce(|a, v| a + v)
            .to_stream()
            .to("out");
    }),
    dsl(
        "session-count",
        &[Input::new("in", Values::Tags).null_keys().null_values()],
        OUT,
        |b| {
            b.stream::<Option<String>, Option<String>>("in")
                .group_by_key()
                .windowed_by(sessions(6, 4))
                .count()
                .to_stream()
                .to("out");
        },
    ),
    dsl("session-aggregate", TAGS, OUT, |b| {
        b.stream::<String, String>("in")
            .group_by_key()
            .windowed_by(sessions(5, 3))
            .aggregate(
                String::new,
                |_, v, mut agg| {
                    agg.extend(v.chars().next());
                    agg
                },
                |_, a, c| a + &c,
            )
            .to_stream()
            .to("out");
    }),
    dsl("unlimited-count", TAGS, OUT, |b| {
        let unlimited = UnlimitedWindows::of()
            .starting_at(ms(20))
            .expect("valid reference window");
        b.stream::<String, String>("in")
            .group_by_key()
            .windowed_by(unlimited)
            .count()
            .to_stream()
            .to("out");
    }),
    dsl("tumbling-emit-final", TAGS, OUT, |b| {
        b.stream::<String, String>("in")
            .group_by_key()
            .windowed_by(tumbling(10, 4))
            .emit_strategy(EmitStrategy::on_window_close())
            .count()
            .to_stream()
            .to("out");
    }),
    dsl("sliding-emit-final", TAGS, OUT, |b| {
        b.stream::<String, String>("in")
            .group_by_key()
            .windowed_by(sliding(10, 3))
            .emit_strategy(EmitStrategy::on_window_close())
            .count()
            .to_stream()
            .to("out");
    }),
    dsl("session-emit-final", TAGS, OUT, |b| {
        b.stream::<String, String>("in")
            .group_by_key()
            .windowed_by(sessions(5, 2))
            .emit_strategy(EmitStrategy::on_window_close())
            .count()
            .to_stream()
            .to("out");
    }),
];
