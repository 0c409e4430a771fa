// The serdes given to a sink must be for the stream's types.
use streams_core::serde::{I64Serde, StringSerde};
use streams_dsl::prelude::*;

fn main() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("in")
        .to_with("out", Produced::with(StringSerde, I64Serde));
}
