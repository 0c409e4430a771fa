// Merging two streams needs the same key and value types: Java finds a
// mismatch (through raw types or casts) only when a record fails at run time.
use streams_dsl::prelude::*;

fn main() {
    let builder = StreamsBuilder::new();
    let clicks = builder.stream::<String, String>("clicks");
    let amounts = builder.stream::<String, i64>("amounts");
    clicks.merge(&amounts).to("all");
}
