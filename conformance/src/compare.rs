//! Comparing outcomes record by record, and shrinking a mismatch to the
//! shortest input prefix that still differs, for a report a person can read
//! and replay.

use std::fmt::{self, Write as _};

use crate::events::{Event, Outcome, OutputRecord};
use crate::oracle::{JobResult, Oracle, OracleError};
use crate::ours;
use crate::topologies::Reference;

/// Where two outcomes first differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Index of the first differing output record (or of the first record
    /// only one side has).
    pub index: usize,
    /// Kafka Streams' record there (`None`: it has no more records).
    pub expected: Option<String>,
    /// Ours there.
    pub actual: Option<String>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |r: &Option<String>| r.clone().unwrap_or_else(|| "(no record)".to_owned());
        writeln!(f, "first difference at output record #{}:", self.index)?;
        writeln!(f, "  kafka streams: {}", show(&self.expected))?;
        write!(f, "  ours:          {}", show(&self.actual))
    }
}

/// The first difference between Kafka Streams' outcome and ours, if any.
pub fn first_difference(expected: &Outcome, actual: &Outcome) -> Option<Difference> {
    let show = |o: &Outcome, i: usize| -> Option<String> {
        match o {
            Ok(records) => records.get(i).map(OutputRecord::to_string),
            Err(e) => (i == 0).then(|| format!("error: {e}")),
        }
    };
    if expected == actual {
        return None;
    }
    let index = match (expected, actual) {
        (Ok(e), Ok(a)) => e
            .iter()
            .zip(a)
            .position(|(x, y)| x != y)
            .unwrap_or(e.len().min(a.len())),
        _ => 0,
    };
    Some(Difference {
        index,
        expected: show(expected, index),
        actual: show(actual, index),
    })
}

/// A reference topology that disagrees with Kafka Streams on an input.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// Topology name.
    pub topology: &'static str,
    /// `topology.optimization` of the run.
    pub optimization: String,
    /// Seed of the generated input.
    pub seed: u64,
    /// Events in the whole input.
    pub input_len: usize,
    /// The shortest prefix of the input on which the outcomes still differ.
    pub prefix: Vec<Event>,
    /// Where they differ on that prefix.
    pub difference: Difference,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "MISMATCH topology={} optimization={} seed={}",
            self.topology, self.optimization, self.seed
        )?;
        writeln!(
            f,
            "shortest differing input prefix ({} of {} events; `r topic key value timestamp` in hex, `w ms` = wall clock):",
            self.prefix.len(),
            self.input_len
        )?;
        let mut events = String::new();
        for e in &self.prefix {
            let _ = writeln!(events, "  {e}");
        }
        write!(f, "{events}{}", self.difference)
    }
}

/// Shrinks a known mismatch on `input` to its shortest differing prefix:
/// every prefix runs on both sides (the oracle's in one batch) and the
/// shortest one that differs is kept. Records at the end of a prefix are what
/// makes it differ, so the report names the step that goes wrong.
pub fn shrink(
    oracle: &Oracle,
    reference: &Reference,
    optimization: &str,
    seed: u64,
    input: &[Event],
) -> Result<Option<Mismatch>, OracleError> {
    let jobs: Vec<_> = (1..=input.len())
        .map(|n| ours::job(reference, optimization, &input[..n]))
        .collect();
    let results = oracle.run(&jobs)?;
    for (n, result) in (1..=input.len()).zip(results) {
        let JobResult::Outcome(expected) = result else {
            continue;
        };
        let actual = ours::run(reference, optimization, &input[..n]);
        if let Some(difference) = first_difference(&expected, &actual) {
            return Ok(Some(Mismatch {
                topology: reference.name,
                optimization: optimization.to_owned(),
                seed,
                input_len: input.len(),
                prefix: input[..n].to_vec(),
                difference,
            }));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(value: u8) -> OutputRecord {
        OutputRecord {
            topic: "out".into(),
            key: Some(b"k".to_vec()),
            value: Some(vec![value]),
            timestamp: 1,
        }
    }

    #[test]
    fn finds_the_first_differing_or_missing_record() {
        let same: Outcome = Ok(vec![record(1), record(2)]);
        assert_eq!(first_difference(&same, &same.clone()), None);

        let other: Outcome = Ok(vec![record(1), record(3)]);
        let d = first_difference(&same, &other).expect("differs");
        assert_eq!(d.index, 1);
        assert_eq!(d.expected, Some(record(2).to_string()));
        assert_eq!(d.actual, Some(record(3).to_string()));

        let shorter: Outcome = Ok(vec![record(1)]);
        let d = first_difference(&same, &shorter).expect("differs");
        assert_eq!((d.index, d.actual), (1, None));

        let failed: Outcome = Err("boom".into());
        let d = first_difference(&same, &failed).expect("differs");
        assert_eq!((d.index, d.actual), (0, Some("error: boom".to_owned())));
    }
}
