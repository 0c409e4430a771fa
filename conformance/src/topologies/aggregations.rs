//! Re-keying (automatic and explicit repartitioning) and stream
//! aggregations: count, reduce and aggregate, with null keys and values
//! where Kafka Streams skips them.

use streams_dsl::prelude::*;

use super::{Reference, dsl};
use crate::generator::{Input, Values};

const WORDS: &[Input] = &[Input::new("in", Values::Words)];
const LONGS: &[Input] = &[Input::new("in", Values::Longs)];
const OUT: &[&str] = &["out"];

pub(super) const ALL: &[Reference] = &[
    dsl("select-key-count", WORDS, OUT, |b| {
        b.stream::<String, String>("in")
            .select_key(|_, v| v.split(' ').next().unwrap_or_default().to_owned())
            .group_by_key()
            .count()
            .to_stream()
            .to("out");
    }),
    dsl("group-by-sum", LONGS, OUT, |b| {
        b.stream::<String, i64>("in")
            .group_by(|_, v| format!("g{}", v % 3))
            .reduce(|a, v| a + v)
            .to_stream()
            .to("out");
    }),
    dsl(
        "stream-count-nullable",
        &[Input::new("in", Values::Tags).null_keys().null_values()],
        OUT,
        |b| {
            b.stream::<Option<String>, Option<String>>("in")
                .group_by_key()
                .count()
                .to_stream()
                .to("out");
        },
    ),
    dsl(
        "stream-reduce-nullable",
        &[Input::new("in", Values::Longs).null_keys().null_values()],
        OUT,
        |b| {
            // Null values never reach the reducer (Kafka skips them), so
            // both sides are present here.
            b.stream::<Option<String>, Option<i64>>("in")
                .group_by_key()
                .reduce(|a, v| Some(a.unwrap_or_default() + v.unwrap_or_default()))
                .to_stream()
                .to("out");
        },
    ),
    dsl("stream-aggregate", WORDS, OUT, |b| {
        b.stream::<String, String>("in")
            .group_by_key()
            .aggregate(String::new, |_, v, mut agg| {
                agg.extend(v.chars().next());
                let excess = agg.chars().count().saturating_sub(5);
                agg.chars().skip(excess).collect()
            })
            .to_stream()
            .to("out");
    }),
    dsl("explicit-repartition", WORDS, OUT, |b| {
        b.stream::<String, String>("in")
            .map_values(|v| v.len() as i64)
            .repartition_with(Repartitioned::as_("rekeyed"))
            .group_by_key()
            .reduce(|a, v| *a.max(v))
            .to_stream()
            .to("out");
    }),
    dsl("merge-repartitions", LONGS, &["out-count", "out-sum"], |b| {
        let keyed = b.stream::<String, i64>("in").select_key(|_, v| format!("r{}", v % 4));
        keyed.group_by_key().count().to_stream().to("out-count");
        keyed.group_by_key().reduce(|a, v| a + v).to_stream().to("out-sum");
    }),
    dsl("group-by-named", WORDS, OUT, |b| {
        b.stream::<String, String>("in")
            .flat_map_values(|v| v.split(' ').map(str::to_owned).collect::<Vec<_>>())
            .group_by_with(|_, w| w.clone(), Grouped::as_("by-word"))
            .count_with(Materialized::as_("word-counts"))
            .to_stream()
            .to("out");
    }),
];
