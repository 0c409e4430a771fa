// An aggregation's store holds the aggregate's type: a `Materialized` (and so
// its serdes) for another value type is refused.
use streams_dsl::prelude::*;

fn main() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("words")
        .group_by_key()
        .aggregate_with(|| 0i64, |_, _, n| n + 1, Materialized::<String, String>::as_("counts"));
}
