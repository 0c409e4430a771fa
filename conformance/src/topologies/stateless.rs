//! Stateless operations: filter, map, flat-map, select-key, peek, split and
//! merge, with and without null keys and values.

use streams_dsl::prelude::*;

use super::{Reference, dsl};
use crate::generator::{Input, Values};

const WORDS: &[Input] = &[Input::new("in", Values::Words)];
const OUT: &[&str] = &["out"];

pub(super) const ALL: &[Reference] = &[
    dsl("stateless-chain", WORDS, OUT, |b| {
        b.stream::<String, String>("in")
            .filter(|_, v| v.len() > 4)
            .filter_not(|k, _| k == "k1")
            .map_values(|v| v.to_uppercase())
            .peek(|_, _| {})
            .map_values_with_key(|k, v| format!("{k}:{v}"))
            .to("out");
    }),
    dsl("flat-map-values", WORDS, OUT, |b| {
        b.stream::<String, String>("in")
            .flat_map_values(|v| v.split(' ').map(str::to_owned).collect::<Vec<_>>())
            .map_values(|w| w.len() as i64)
            .to("out");
    }),
    dsl("map-select-key", WORDS, OUT, |b| {
        b.stream::<String, String>("in")
            .map(|k, v| (v.clone(), k.clone()))
            .select_key(|k, v| format!("{k}/{}", v.len()))
            .to("out");
    }),
    dsl("flat-map", WORDS, OUT, |b| {
        b.stream::<String, String>("in")
            .flat_map(|k, v| v.split(' ').map(|w| (w.to_owned(), k.clone())).collect::<Vec<_>>())
            .to("out");
    }),
    dsl("split-merge", WORDS, &["out-a", "out-rest"], |b| {
        let branches = b
            .stream::<String, String>("in")
            .split_named(Named::as_("split-"))
            .branch(|_, v| v.starts_with('a'), Branched::as_("a"))
            .branch(|_, v| v.len() > 8, Branched::as_("long"))
            .default_branch(Branched::as_("other"));
        branches["split-a"].to("out-a");
        branches["split-long"].merge(&branches["split-other"]).to("out-rest");
    }),
    dsl(
        "merge-streams",
        &[Input::new("in", Values::Words), Input::new("in2", Values::Words)],
        OUT,
        |b| {
            b.stream::<String, String>("in")
                .merge(&b.stream::<String, String>("in2"))
                .map_values(|v| format!("{v}!"))
                .to("out");
        },
    ),
    dsl(
        "nullable-stateless",
        &[Input::new("in", Values::Tags).null_keys().null_values()],
        OUT,
        |b| {
            b.stream::<Option<String>, Option<String>>("in")
                .filter(|k, _| k.as_deref() != Some("k0"))
                .map_values(|v| v.as_ref().map_or_else(|| "none".to_owned(), |s| s.to_uppercase()))
                .to("out");
        },
    ),
];
