//! Random inputs from a seed. Keys come from a small set so that
//! aggregations, windows and sessions collide; timestamps mostly advance in
//! small steps, with out-of-order and late records mixed in (late enough to
//! miss the reference topologies' grace periods); nulls and tombstones appear
//! where an input allows them; the wall clock advances now and then.
//!
//! The same seed gives the same input on every machine and every run
//! (`rand_xorshift`'s generator is specified, unlike `StdRng`).

use rand::{Rng, RngExt, SeedableRng};
use rand_xorshift::XorShiftRng;

use crate::events::Event;

/// Keys the generator draws from.
pub const KEYS: [&str; 5] = ["k0", "k1", "k2", "k3", "k4"];
/// Words of [`Values::Words`] sentences.
pub const WORDS: [&str; 7] = ["apple", "avocado", "kiwi", "fig", "banana", "plum", "cherry"];
/// Values of [`Values::Tags`].
pub const TAGS: [&str; 4] = ["red", "green", "blue", "amber"];

/// What values an input topic carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// UTF-8 sentences of one to three [`WORDS`].
    Words,
    /// One UTF-8 word of [`TAGS`].
    Tags,
    /// Kafka `LongSerializer` bytes (8 bytes, big-endian) of 0..=9.
    Longs,
}

/// One input topic of a reference topology.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input {
    /// Topic name.
    pub topic: &'static str,
    /// Value kind.
    pub values: Values,
    /// Whether null keys may be generated.
    pub null_keys: bool,
    /// Whether null values (tombstones, for a table) may be generated.
    pub null_values: bool,
}

impl Input {
    /// An input with neither null keys nor null values.
    pub const fn new(topic: &'static str, values: Values) -> Self {
        Self {
            topic,
            values,
            null_keys: false,
            null_values: false,
        }
    }

    /// Null keys allowed.
    pub const fn null_keys(mut self) -> Self {
        self.null_keys = true;
        self
    }

    /// Null values allowed.
    pub const fn null_values(mut self) -> Self {
        self.null_values = true;
        self
    }
}

/// Probability (in percent) of a null key where allowed.
const NULL_KEY_PERCENT: u32 = 6;
/// Probability (in percent) of a null value where allowed.
const NULL_VALUE_PERCENT: u32 = 12;

/// The input for `inputs` generated from `seed`: 8 to 80 events.
pub fn generate(inputs: &[Input], seed: u64) -> Vec<Event> {
    let mut rng = XorShiftRng::seed_from_u64(seed);
    let count = rng.random_range(8..=80);
    // Stream time of the generated sequence: what "late" is measured against.
    let mut now: i64 = rng.random_range(0..50);
    let mut events = Vec::with_capacity(count);
    for _ in 0..count {
        if rng.random_ratio(1, 10) {
            events.push(Event::AdvanceWallClock(rng.random_range(0..1_500)));
            continue;
        }
        let input = inputs[rng.random_range(0..inputs.len())];
        now += rng.random_range(0..=4);
        let timestamp = match rng.random_range(0..100) {
            // Out of order, usually within grace.
            0..20 => now - rng.random_range(1..=12),
            // Late: beyond every grace period of the reference topologies.
            20..26 => now - rng.random_range(20..=60),
            _ => now,
        }
        .max(0);
        let key = if input.null_keys && rng.random_ratio(NULL_KEY_PERCENT, 100) {
            None
        } else {
            Some(pick(&mut rng, &KEYS).as_bytes().to_vec())
        };
        let value = if input.null_values && rng.random_ratio(NULL_VALUE_PERCENT, 100) {
            None
        } else {
            Some(value(&mut rng, input.values))
        };
        events.push(Event::Record {
            topic: input.topic.to_owned(),
            key,
            value,
            timestamp,
        });
    }
    events
}

fn pick<'a, R: Rng>(rng: &mut R, from: &[&'a str]) -> &'a str {
    from[rng.random_range(0..from.len())]
}

fn value<R: Rng>(rng: &mut R, kind: Values) -> Vec<u8> {
    match kind {
        Values::Words => {
            let n = rng.random_range(1..=3);
            (0..n)
                .map(|_| pick(rng, &WORDS))
                .collect::<Vec<_>>()
                .join(" ")
                .into_bytes()
        }
        Values::Tags => pick(rng, &TAGS).as_bytes().to_vec(),
        Values::Longs => rng.random_range(0i64..=9).to_be_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INPUTS: [Input; 2] = [
        Input::new("in", Values::Words).null_keys(),
        Input::new("table-in", Values::Longs).null_values(),
    ];

    #[test]
    fn same_seed_same_input_other_seed_other_input() {
        assert_eq!(generate(&INPUTS, 7), generate(&INPUTS, 7));
        assert_ne!(generate(&INPUTS, 7), generate(&INPUTS, 8));
    }

    #[test]
    fn inputs_have_collisions_disorder_nulls_and_clock_advances() {
        let events: Vec<Event> = (0..50).flat_map(|seed| generate(&INPUTS, seed)).collect();
        let records: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::Record {
                    topic,
                    key,
                    value,
                    timestamp,
                } => Some((topic.as_str(), key, value, *timestamp)),
                Event::AdvanceWallClock(_) => None,
            })
            .collect();
        assert!(records.iter().any(|r| r.1.is_none() && r.0 == "in"));
        assert!(records.iter().all(|r| r.1.is_some() || r.0 == "in"));
        assert!(records.iter().any(|r| r.2.is_none() && r.0 == "table-in"));
        assert!(records.iter().all(|r| r.2.is_some() || r.0 == "table-in"));
        assert!(records.windows(2).any(|w| w[1].3 < w[0].3), "out-of-order timestamps");
        assert!(records.iter().all(|r| r.3 >= 0));
        assert!(events.iter().any(|e| matches!(e, Event::AdvanceWallClock(_))));
        let longs: Vec<i64> = records
            .iter()
            .filter(|r| r.0 == "table-in")
            .filter_map(|r| r.2.as_ref())
            .map(|v| i64::from_be_bytes(v.as_slice().try_into().unwrap_or_default()))
            .collect();
        assert!(longs.iter().all(|v| (0..=9).contains(v)) && longs.len() > 10);
    }
}
