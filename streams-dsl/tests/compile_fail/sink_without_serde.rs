// Writing to a topic needs a serde for the value: a type without one must
// name a serde (`Produced::with`) or implement `DefaultSerde`.
use streams_dsl::prelude::*;

#[derive(Clone)]
struct PageView {
    page: String,
}

fn main() {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>("views")
        .map_values(|page| PageView { page: page.clone() })
        .to("page-views");
}
