//! Top pages per region: each user's current page view (keyed by user,
//! value `region|page`) becomes a table; the table is re-grouped by region
//! and folded into page counts with an adder and a subtractor, so a user who
//! moves to another page (or region) leaves the old one's count; the top
//! pages of each region are written out on every change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use streams_core::serde::Json;
use streams_core::{DefaultSerde, StreamsConfig, Topology};
use streams_dsl::DslError;
use streams_dsl::prelude::*;

/// Topic of page views: key user, value `region|page`.
pub const INPUT_TOPIC: &str = "page-views";
/// Topic of the top pages per region: key region, value `page=views,...`.
pub const OUTPUT_TOPIC: &str = "top-pages-per-region";
/// How many pages are listed per region.
pub const TOP: usize = 3;

/// The number of users currently on each page of a region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCounts(pub BTreeMap<String, i64>);

impl DefaultSerde for PageCounts {
    type Serde = Json<PageCounts>;
}

impl PageCounts {
    fn add(mut self, page: &str) -> Self {
        *self.0.entry(page.to_owned()).or_default() += 1;
        self
    }

    fn remove(mut self, page: &str) -> Self {
        if let Some(n) = self.0.get_mut(page) {
            *n -= 1;
            if *n <= 0 {
                self.0.remove(page);
            }
        }
        self
    }

    /// The `n` most viewed pages, most viewed first (ties by page name).
    pub fn top(&self, n: usize) -> String {
        let mut pages: Vec<(&String, &i64)> = self.0.iter().collect();
        pages.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        pages
            .into_iter()
            .take(n)
            .map(|(p, c)| format!("{p}={c}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Splits `region|page`; a view without a region counts under `unknown`.
fn region_and_page(view: &str) -> (String, String) {
    match view.split_once('|') {
        Some((region, page)) => (region.to_owned(), page.to_owned()),
        None => ("unknown".to_owned(), view.to_owned()),
    }
}

/// The top-pages topology, optimized as `config` says.
pub fn build_topology(config: &StreamsConfig) -> Result<Topology, DslError> {
    let builder = StreamsBuilder::new();
    builder
        .stream::<String, String>(INPUT_TOPIC)
        .to_table(Materialized::as_("current-page"))
        .group_by_with(|_, view| region_and_page(view), Grouped::as_("views-by-region"))
        .aggregate_with(
            PageCounts::default,
            |_, page, counts| counts.add(page),
            |_, page, counts| counts.remove(page),
            Materialized::as_("page-counts"),
        )
        .map_values(|counts| counts.top(TOP))
        .to_stream()
        .to(OUTPUT_TOPIC);
    builder.build_with(config)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use test_driver::TopologyTestDriver;

    #[test]
    fn users_moving_between_pages_update_each_regions_top_pages() {
        let config = StreamsConfig::new("top-pages");
        let driver = TopologyTestDriver::new(build_topology(&config).unwrap(), config).unwrap();
        let input = driver.create_input_topic::<String, String>(INPUT_TOPIC);
        let output = driver.create_output_topic::<String, Option<String>>(OUTPUT_TOPIC);
        let s = |v: &str| v.to_owned();

        input.pipe_input(s("ann"), s("eu|/home")).unwrap();
        input.pipe_input(s("bob"), s("eu|/home")).unwrap();
        input.pipe_input(s("cid"), s("eu|/docs")).unwrap();
        // bob moves within eu: one result, /home loses him, /docs gains him.
        input.pipe_input(s("bob"), s("eu|/docs")).unwrap();
        // ann moves to us: eu subtracts first, then us adds.
        input.pipe_input(s("ann"), s("us|/pricing")).unwrap();

        assert_eq!(
            output.read_key_values_to_list().unwrap(),
            [
                (s("eu"), Some(s("/home=1"))),
                (s("eu"), Some(s("/home=2"))),
                (s("eu"), Some(s("/home=2,/docs=1"))),
                (s("eu"), Some(s("/docs=2,/home=1"))),
                (s("eu"), Some(s("/docs=2"))),
                (s("us"), Some(s("/pricing=1"))),
            ]
        );
        assert!(
            driver
                .produced_topic_names()
                .contains("top-pages-views-by-region-repartition")
        );
    }

    #[test]
    fn top_lists_most_viewed_first_and_at_most_n() {
        let counts = PageCounts(
            [("/a", 1), ("/b", 3), ("/c", 2), ("/d", 3)]
                .map(|(p, c)| (p.to_owned(), c))
                .into(),
        );
        assert_eq!(counts.top(3), "/b=3,/d=3,/c=2");
    }
}
