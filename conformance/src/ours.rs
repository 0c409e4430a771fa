//! Our side: a reference topology run through our `TopologyTestDriver`, fed
//! the same bytes as the oracle, read back as bytes.

use std::time::Duration;

use test_driver::TopologyTestDriver;

use crate::events::{Event, Outcome, OutputRecord};
use crate::oracle::Job;
use crate::topologies::{self, Reference};

/// The wall clock every driver starts at (the oracle's too).
pub const INITIAL_WALL_CLOCK_MS: i64 = 0;

/// Runs `reference` built with `optimization` on `input`. A topology that
/// fails to build or run gives `Err` with the error's text (a mismatch, as
/// the oracle does not fail on the inputs the generator makes).
pub fn run(reference: &Reference, optimization: &str, input: &[Event]) -> Outcome {
    let topology = reference.topology(optimization).map_err(|e| e.to_string())?;
    let driver =
        TopologyTestDriver::with_wall_clock_time(topology, topologies::config(optimization), INITIAL_WALL_CLOCK_MS)
            .map_err(|e| e.to_string())?;
    for event in input {
        match event {
            Event::Record {
                topic,
                key,
                value,
                timestamp,
            } => driver
                .create_input_topic::<Option<Vec<u8>>, Option<Vec<u8>>>(topic)
                .pipe_raw(key.clone(), value.clone(), *timestamp)
                .map_err(|e| e.to_string())?,
            Event::AdvanceWallClock(ms) => driver
                .advance_wall_clock_time(Duration::from_millis(*ms))
                .map_err(|e| e.to_string())?,
        }
    }
    let mut records = Vec::new();
    for topic in reference.outputs {
        let out = driver.create_output_topic::<Option<Vec<u8>>, Option<Vec<u8>>>(topic);
        for r in out.read_records_to_list().map_err(|e| e.to_string())? {
            records.push(OutputRecord {
                topic: (*topic).to_owned(),
                key: r.key,
                value: r.value,
                timestamp: r.timestamp,
            });
        }
    }
    driver.close().map_err(|e| e.to_string())?;
    Ok(records)
}

/// The oracle job that runs `reference` the same way.
pub fn job(reference: &Reference, optimization: &str, input: &[Event]) -> Job {
    Job::Run {
        topology: reference.name.to_owned(),
        optimization: optimization.to_owned(),
        input: input.to_vec(),
        outputs: reference.outputs.iter().map(|t| (*t).to_owned()).collect(),
    }
}
