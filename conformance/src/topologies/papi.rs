//! The Processor API: stream-time and wall-clock punctuation, and a DSL
//! `process` step with a state store.

use std::time::Duration;

use state_stores::Stores;
use streams_core::serde::{I64Serde, StringSerde};
use streams_dsl::prelude::*;

use super::{Build, Reference, dsl};
use crate::generator::{Input, Values};

const WORDS: &[Input] = &[Input::new("in", Values::Words)];
const OUT: &[&str] = &["out"];

pub(super) const ALL: &[Reference] = &[
    Reference {
        name: "papi-stream-time",
        inputs: WORDS,
        outputs: OUT,
        build: Build::Papi(stream_time_topology),
    },
    Reference {
        name: "papi-wall-clock",
        inputs: WORDS,
        outputs: OUT,
        build: Build::Papi(wall_clock_topology),
    },
    dsl("dsl-process", WORDS, OUT, |b| {
        b.add_state_store(Stores::key_value_store_builder(
            Stores::persistent_key_value_store("last"),
            StringSerde,
            StringSerde,
        ));
        b.stream::<String, String>("in")
            .process(|| LastValue { store: None }, &["last"])
            .to("out");
    }),
];

fn stream_time_topology() -> Result<Topology, TopologyError> {
    let mut topology = Topology::new();
    topology
        .add_source("Source", Source::<String, String>::new("in"))?
        .add_processor("Counter", || StreamTimeCounter { store: None }, &["Source"])?
        .add_state_store(
            Stores::key_value_store_builder(Stores::persistent_key_value_store("counts"), StringSerde, I64Serde),
            &["Counter"],
        )?
        .add_sink("Sink", Sink::<String, i64>::new("out"), &["Counter"])?;
    Ok(topology)
}

fn wall_clock_topology() -> Result<Topology, TopologyError> {
    let mut topology = Topology::new();
    topology
        .add_source("Source", Source::<String, String>::new("in"))?
        .add_processor("Ticker", || WallClockTicker { seen: 0 }, &["Source"])?
        .add_sink("Sink", Sink::<String, i64>::new("out"), &["Ticker"])?;
    Ok(topology)
}

fn not_connected(node: &str, store: &str) -> StreamsError {
    StreamsError::StoreNotConnected {
        node: node.into(),
        store: store.into(),
    }
}

/// Counts records per key; every 10 ms of stream time forwards all counts.
struct StreamTimeCounter {
    store: Option<KeyValueStoreHandle<String, i64>>,
}

impl Processor<String, String, String, i64> for StreamTimeCounter {
    fn init(&mut self, ctx: &mut ProcessorContext<String, i64>) -> ProcessResult {
        self.store = Some(ctx.key_value_store("counts")?);
        ctx.schedule(Duration::from_millis(10), PunctuationType::StreamTime)?;
        Ok(())
    }

    fn process(&mut self, _ctx: &mut ProcessorContext<String, i64>, record: Record<String, String>) -> ProcessResult {
        let store = self.store.as_ref().ok_or_else(|| not_connected("Counter", "counts"))?;
        let count = store.get(&record.key)?.unwrap_or(0) + 1;
        store.put(&record.key, &count)?;
        Ok(())
    }

    fn punctuate(&mut self, ctx: &mut ProcessorContext<String, i64>, p: Punctuation) -> ProcessResult {
        let store = self.store.as_ref().ok_or_else(|| not_connected("Counter", "counts"))?;
        for (key, count) in store.all()? {
            ctx.forward(Record::new(key, count, p.timestamp))?;
        }
        Ok(())
    }
}

/// Counts records; every second of wall-clock time forwards and resets the count.
struct WallClockTicker {
    seen: i64,
}

impl Processor<String, String, String, i64> for WallClockTicker {
    fn init(&mut self, ctx: &mut ProcessorContext<String, i64>) -> ProcessResult {
        ctx.schedule(Duration::from_secs(1), PunctuationType::WallClockTime)?;
        Ok(())
    }

    fn process(&mut self, _ctx: &mut ProcessorContext<String, i64>, _record: Record<String, String>) -> ProcessResult {
        self.seen += 1;
        Ok(())
    }

    fn punctuate(&mut self, ctx: &mut ProcessorContext<String, i64>, p: Punctuation) -> ProcessResult {
        ctx.forward(Record::new("tick".to_owned(), self.seen, p.timestamp))?;
        self.seen = 0;
        Ok(())
    }
}

/// Forwards each record's value joined to the key's previous one, kept in store `last`.
struct LastValue {
    store: Option<KeyValueStoreHandle<String, String>>,
}

impl Processor<String, String, String, String> for LastValue {
    fn init(&mut self, ctx: &mut ProcessorContext<String, String>) -> ProcessResult {
        self.store = Some(ctx.key_value_store("last")?);
        Ok(())
    }

    fn process(&mut self, ctx: &mut ProcessorContext<String, String>, record: Record<String, String>) -> ProcessResult {
        let store = self.store.as_ref().ok_or_else(|| not_connected("process", "last"))?;
        let previous = store.get(&record.key)?.unwrap_or_default();
        store.put(&record.key, &record.value)?;
        let value = format!("{previous}->{}", record.value);
        ctx.forward(record.with_value(value))?;
        Ok(())
    }
}
