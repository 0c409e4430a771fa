//! Runs every reference topology through Apache Kafka Streams (the oracle)
//! and through ours on generated inputs, and demands the same output records
//! and the same `describe()` text.
//!
//! Seeds: [`FIXED_SEEDS`] always, plus `CONFORMANCE_FRESH_SEEDS` fresh ones
//! (default 2, printed so that a failure can be replayed with
//! `CONFORMANCE_SEEDS=<seed,...>`, which replaces both);
//! `CONFORMANCE_TOPOLOGIES=<name,...>` narrows a run to some topologies.

// Tests report failures by panicking.
#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use conformance::compare::{Mismatch, first_difference, shrink};
use conformance::events::Event;
use conformance::generator::generate;
use conformance::oracle::{Job, JobResult, Oracle};
use conformance::ours;
use conformance::topologies::{self, Build, Reference};

/// Seeds every run checks.
const FIXED_SEEDS: std::ops::Range<u64> = 0..16;

/// The optimizer settings runs are compared under: Kafka Streams' name and
/// ours. `all` is the same name on both sides (ours also fuses stateless
/// operations, which changes no output).
const RUN_OPTIMIZATIONS: [&str; 2] = ["none", "all"];

fn oracle() -> &'static Oracle {
    static ORACLE: OnceLock<Result<Oracle, String>> = OnceLock::new();
    match ORACLE.get_or_init(|| Oracle::build().map_err(|e| e.to_string())) {
        Ok(o) => o,
        Err(e) => panic!("building the Kafka Streams oracle: {e}"),
    }
}

fn seeds() -> Vec<u64> {
    if let Ok(list) = std::env::var("CONFORMANCE_SEEDS") {
        return list
            .split(',')
            .map(|s| s.trim().parse().expect("CONFORMANCE_SEEDS: numbers"))
            .collect();
    }
    let fresh: u64 = std::env::var("CONFORMANCE_FRESH_SEEDS")
        .map(|n| n.parse().expect("CONFORMANCE_FRESH_SEEDS: a number"))
        .unwrap_or(2);
    let start = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64;
    let fresh: Vec<u64> = (0..fresh)
        .map(|i| start.wrapping_add(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
        .collect();
    println!("fresh seeds: {fresh:?}");
    FIXED_SEEDS.chain(fresh).collect()
}

struct Case {
    reference: Reference,
    optimization: &'static str,
    seed: u64,
    input: Vec<Event>,
}

/// Runs every case on both sides; returns the mismatches, shrunk.
fn mismatches(cases: &[Case]) -> Vec<(&'static str, Option<Mismatch>)> {
    let jobs: Vec<Job> = cases
        .iter()
        .map(|c| ours::job(&c.reference, c.optimization, &c.input))
        .collect();
    // The JVMs run their batch while we run ours, split over the cores too
    // (each test driver has its own state directory).
    let expected = std::thread::scope(|s| {
        let java = s.spawn(|| oracle().run(&jobs));
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = cases.len().div_ceil(threads).max(1);
        let ours: Vec<_> = cases
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|c| ours::run(&c.reference, c.optimization, &c.input))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let actual: Vec<_> = ours.into_iter().flat_map(|h| h.join().unwrap()).collect();
        (java.join().unwrap().unwrap(), actual)
    });
    let (expected, actual) = expected;
    let mut differing: Vec<&Case> = Vec::new();
    for ((case, expected), actual) in cases.iter().zip(expected).zip(actual) {
        let JobResult::Outcome(expected) = expected else {
            panic!("a run job gave a description");
        };
        if first_difference(&expected, &actual).is_some() {
            differing.push(case);
        }
    }
    // Shrinking reruns every prefix on both sides: done for the first
    // differing seed of each topology and setting, the others only named.
    let mut found = Vec::new();
    let mut shrunk: Vec<(&str, &str)> = Vec::new();
    for case in differing {
        let id = (case.reference.name, case.optimization);
        if shrunk.contains(&id) {
            println!(
                "MISMATCH topology={} optimization={} seed={} (not shrunk: same topology and setting as above)\n",
                id.0, id.1, case.seed
            );
            found.push((id.0, None));
            continue;
        }
        shrunk.push(id);
        let mismatch = shrink(oracle(), &case.reference, case.optimization, case.seed, &case.input)
            .unwrap()
            .expect("a mismatch on the whole input differs on some prefix");
        println!("{mismatch}\n");
        found.push((id.0, Some(mismatch)));
    }
    found
}

#[test]
fn at_least_25_reference_topologies_each_with_a_java_twin() {
    let all = topologies::all();
    assert!(all.len() >= 25, "{} reference topologies", all.len());
    let mut names: Vec<_> = all.iter().map(|r| r.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len(), "names are unique");
    // Every one runs on the oracle (an unknown name would fail the JVM).
    let jobs: Vec<_> = all
        .iter()
        .map(|r| Job::Describe {
            topology: r.name.to_owned(),
            optimization: "none".to_owned(),
        })
        .collect();
    assert_eq!(oracle().run(&jobs).unwrap().len(), all.len());
}

#[test]
fn outputs_match_kafka_streams_record_for_record() {
    let seeds = seeds();
    let mut cases = Vec::new();
    // `CONFORMANCE_TOPOLOGIES=a,b` narrows a local run to these topologies.
    let only: Option<Vec<String>> = std::env::var("CONFORMANCE_TOPOLOGIES")
        .ok()
        .map(|l| l.split(',').map(str::to_owned).collect());
    let selected = topologies::all()
        .into_iter()
        .filter(|r| only.as_ref().is_none_or(|o| o.iter().any(|n| n == r.name)));
    for reference in selected {
        for &seed in &seeds {
            let input = generate(reference.inputs, seed);
            for optimization in RUN_OPTIMIZATIONS {
                let optimization = match reference.build {
                    // The optimizer does not apply to Processor-API topologies.
                    Build::Papi(_) if optimization != "none" => continue,
                    _ => optimization,
                };
                cases.push(Case {
                    reference,
                    optimization,
                    seed,
                    input: input.clone(),
                });
            }
        }
    }
    let total = cases.len();
    let all_found = mismatches(&cases);
    let known = |name: &str| topologies::KNOWN_DISAGREEMENTS.iter().find(|(n, _)| *n == name);
    let (known_found, found): (Vec<_>, Vec<_>) = all_found.into_iter().partition(|(name, _)| known(name).is_some());
    for (name, _) in &known_found {
        println!(
            "known disagreement, not counted: {name}: {}",
            known(name).map_or("", |k| k.1)
        );
    }
    println!(
        "{} of {total} runs ({} seeds x optimizer settings) agree with Kafka Streams; {} known disagreements",
        total - found.len() - known_found.len(),
        seeds.len(),
        known_found.len()
    );
    assert!(
        found.is_empty(),
        "{} runs differ from Kafka Streams; see above",
        found.len()
    );
}

/// `describe()` with the optimizer off, and on: Kafka Streams' `all` is
/// its two rules that apply here, which ours has under the same names (ours
/// also has operation fusion, which Kafka Streams lacks, so it is left out
/// of the text comparison; its outputs are compared above).
#[test]
fn describe_text_matches_kafka_streams() {
    const SETTINGS: [(&str, &str); 2] = [
        ("none", "none"),
        ("all", "reuse.ktable.source.topics,merge.repartition.topics"),
    ];
    let all = topologies::all();
    let jobs: Vec<_> = all
        .iter()
        .flat_map(|r| {
            SETTINGS.iter().map(|(java, _)| Job::Describe {
                topology: r.name.to_owned(),
                optimization: (*java).to_owned(),
            })
        })
        .collect();
    let expected = oracle().run(&jobs).unwrap();
    let mut differ = Vec::new();
    let pairs = all.iter().flat_map(|r| SETTINGS.iter().map(move |s| (r, s)));
    for ((reference, (java, ours)), expected) in pairs.zip(expected) {
        let JobResult::Description(expected) = expected else {
            panic!("a describe job gave an outcome");
        };
        let actual = reference.topology(ours).unwrap().describe().to_string();
        if actual != expected {
            differ.push(format!(
                "== {} (optimization {java})\n-- kafka streams:\n{expected}\n-- ours:\n{actual}",
                reference.name
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} descriptions differ:\n{}",
        differ.len(),
        jobs.len(),
        differ.join("\n")
    );
}

/// The comparison can fail, and says where: a Rust topology run against a
/// different Java one is reported with its seed, a shortened input and the
/// first differing record.
#[test]
fn a_disagreement_is_shrunk_and_reported() {
    let mut impostor = topologies::named("flat-map").unwrap();
    impostor.name = "stateless-chain";
    let seed = (0..100)
        .find(|&s| {
            let input = generate(impostor.inputs, s);
            let expected = ours::run(&topologies::named("stateless-chain").unwrap(), "none", &input);
            first_difference(&expected, &ours::run(&impostor, "none", &input)).is_some()
        })
        .unwrap();
    let input = generate(impostor.inputs, seed);
    let mismatch = shrink(oracle(), &impostor, "none", seed, &input)
        .unwrap()
        .expect("they differ");
    assert!(mismatch.prefix.len() <= input.len());
    let shorter = &mismatch.prefix[..mismatch.prefix.len() - 1];
    let expected = ours::run(&topologies::named("stateless-chain").unwrap(), "none", shorter);
    assert_eq!(
        first_difference(&expected, &ours::run(&impostor, "none", shorter)),
        None,
        "one event less agrees: the prefix is the shortest"
    );
    let report = mismatch.to_string();
    assert!(report.contains(&format!("seed={seed}")), "{report}");
    assert!(report.contains("first difference at output record #0"), "{report}");
}
