//! Tables: source tables with tombstones, filter and map_values, grouping
//! with adder and subtractor, and a stream turned into a table.

use streams_dsl::prelude::*;

use super::{Reference, dsl};
use crate::generator::{Input, Values};

const LONG_TABLE: &[Input] = &[Input::new("table-in", Values::Longs).null_values()];
const OUT: &[&str] = &["out"];

/// `even` or `odd`, by the last digit of a key like `k3`.
fn parity(key: &str) -> String {
    let digit = key.bytes().last().map_or(0, |b| b.wrapping_sub(b'0'));
    if digit.is_multiple_of(2) { "even" } else { "odd" }.to_owned()
}

pub(super) const ALL: &[Reference] = &[
    dsl(
        "table-filter",
        &[Input::new("table-in", Values::Longs).null_keys().null_values()],
        OUT,
        |b| {
            b.table::<String, i64>("table-in", Materialized::new())
                .filter(|_, v| v % 2 == 0)
                .to_stream()
                .to("out");
        },
    ),
    dsl("table-map-values", LONG_TABLE, OUT, |b| {
        b.table::<String, i64>("table-in", Materialized::new())
            .map_values(|v| v * 10)
            .filter_not(|_, v| *v > 50)
            .to_stream()
            .to("out");
    }),
    dsl("table-group-by-aggregate", LONG_TABLE, OUT, |b| {
        b.table::<String, i64>("table-in", Materialized::new())
            .group_by(|_, v| (format!("g{}", v % 3), *v))
            .aggregate(|| 0i64, |_, v, agg| agg + v, |_, v, agg| agg - v)
            .to_stream()
            .to("out");
    }),
    dsl(
        "table-group-by-count",
        &[Input::new("table-in", Values::Tags).null_values()],
        OUT,
        |b| {
            b.table::<String, String>("table-in", Materialized::new())
                .group_by(|k, v| (v.clone(), k.clone()))
                .count()
                .to_stream()
                .to("out");
        },
    ),
    dsl("table-group-by-reduce", LONG_TABLE, OUT, |b| {
        b.table::<String, i64>("table-in", Materialized::new())
            .group_by(|k, v| (parity(k), *v))
            .reduce(|a, v| a + v, |a, v| a - v)
            .to_stream()
            .to("out");
    }),
    dsl("stream-to-table", &[Input::new("in", Values::Longs)], OUT, |b| {
        b.stream::<String, i64>("in")
            .to_table(Materialized::as_("latest"))
            .filter(|_, v| *v > 2)
            .to_stream()
            .to("out");
    }),
];
