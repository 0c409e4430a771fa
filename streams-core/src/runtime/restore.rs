//! Restoration: before a task processes, each of its stores with a
//! changelog is brought up to the changelog's end offset, from the offset its
//! local checkpoint records (0 without one; a corrupt checkpoint wipes the
//! task's state, see [`StreamTask::open_stores`]), through the stream
//! thread's restore consumer, which reads by assignment (no group).
//!
//! A partition counts as restored when the consumer's position reaches the
//! end offset read before the restore began, so a compacted tail (offsets
//! with no record) cannot make it wait forever.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Message, Offset, TopicPartitionList};

use super::metrics::to_raw;
use crate::engine::{RawRecord, StreamTask, TopicPartition};
use crate::error::StreamsError;

/// Hears how restores progress (Kafka Streams' `StateRestoreListener`).
/// Called on the restoring stream thread; keep it quick.
pub trait StateRestoreListener: Send + Sync {
    /// A store's changelog partition starts restoring from `start` up to (not
    /// including) `end`.
    fn on_restore_start(&self, store: &str, changelog: &TopicPartition, start: i64, end: i64) {
        let _ = (store, changelog, start, end);
    }
    /// A batch was applied; `next_offset` is the next offset to restore.
    fn on_batch_restored(&self, store: &str, changelog: &TopicPartition, next_offset: i64, records: usize) {
        let _ = (store, changelog, next_offset, records);
    }
    /// The partition is restored; `total` records were applied.
    fn on_restore_end(&self, store: &str, changelog: &TopicPartition, total: u64) {
        let _ = (store, changelog, total);
    }
}

/// Records applied to a store per call.
const BATCH: usize = 1_000;

struct Pending {
    store: String,
    end: i64,
    batch: Vec<RawRecord>,
    total: u64,
    done: bool,
}

/// Restores every changelog partition of `task` (its stores must be open)
/// and returns the records applied. `timeout` bounds each metadata request.
pub(crate) fn restore_task<C: rdkafka::consumer::ConsumerContext>(
    task: &mut StreamTask,
    consumer: &BaseConsumer<C>,
    listener: Option<&Arc<dyn StateRestoreListener>>,
    timeout: Duration,
) -> Result<u64, StreamsError> {
    let mut pending: HashMap<TopicPartition, Pending> = HashMap::new();
    let mut assignment = TopicPartitionList::new();
    for part in task.changelog_partitions() {
        let tp = part.partition.clone();
        let (low, high) = consumer
            .fetch_watermarks(&tp.topic, tp.partition, timeout)
            .map_err(|e| kafka(format!("reading the end offset of changelog {tp}"), e))?;
        let start = part.start_offset.max(low);
        tracing::debug!(task = %task.id(), store = %part.store, changelog = %tp, checkpoint = part.start_offset, low, high, "changelog offsets");
        if start >= high {
            continue;
        }
        tracing::info!(task = %task.id(), store = %part.store, changelog = %tp, start, end = high, "restoring");
        if let Some(l) = listener {
            l.on_restore_start(&part.store, &tp, start, high);
        }
        assignment
            .add_partition_offset(&tp.topic, tp.partition, Offset::Offset(start))
            .map_err(|e| kafka(format!("assigning changelog {tp}"), e))?;
        pending.insert(
            tp,
            Pending {
                store: part.store,
                end: high,
                batch: Vec::with_capacity(BATCH),
                total: 0,
                done: false,
            },
        );
    }
    if pending.is_empty() {
        return Ok(0);
    }
    consumer
        .assign(&assignment)
        .map_err(|e| kafka(format!("assigning changelogs of task {}", task.id()), e))?;
    let started = Instant::now();
    let mut idle_since = Instant::now();
    let mut total = 0;
    while pending.values().any(|p| !p.done) {
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => {
                idle_since = Instant::now();
                let tp = TopicPartition::new(m.topic(), m.partition());
                let Some(p) = pending.get_mut(&tp) else { continue };
                if m.offset() < p.end {
                    p.batch.push(to_raw(&m));
                }
                if m.offset() + 1 >= p.end {
                    p.done = true;
                }
                if p.batch.len() >= BATCH || p.done {
                    total += apply(task, &tp, p, listener)?;
                }
            }
            Some(Err(rdkafka::error::KafkaError::PartitionEOF(_))) => {
                // Reached the end of a partition: a compacted tail has no
                // record at end - 1, so compare positions with the ends.
                for (tp, p) in pending.iter_mut() {
                    if !p.done {
                        let position = consumer.position().ok().and_then(|l| {
                            l.find_partition(&tp.topic, tp.partition)
                                .and_then(|e| e.offset().to_raw())
                        });
                        if position.is_some_and(|o| o >= p.end) {
                            p.done = true;
                        }
                    }
                }
            }
            Some(Err(e)) => return Err(kafka(format!("restoring task {}", task.id()), e)),
            None => {
                if idle_since.elapsed() > timeout {
                    return Err(StreamsError::Timeout {
                        what: format!(
                            "restoring task {} (no changelog record for {} ms)",
                            task.id(),
                            timeout.as_millis()
                        ),
                        timeout_ms: timeout.as_millis() as u64,
                    });
                }
            }
        }
    }
    for (tp, p) in pending.iter_mut() {
        total += apply(task, tp, p, listener)?;
        tracing::info!(task = %task.id(), store = %p.store, changelog = %tp, records = p.total, "restored");
        if let Some(l) = listener {
            l.on_restore_end(&p.store, tp, p.total);
        }
    }
    consumer
        .unassign()
        .map_err(|e| kafka("releasing the restored changelogs".into(), e))?;
    tracing::debug!(task = %task.id(), records = total, elapsed_ms = started.elapsed().as_millis() as u64, "task restored");
    Ok(total)
}

fn apply(
    task: &mut StreamTask,
    tp: &TopicPartition,
    p: &mut Pending,
    listener: Option<&Arc<dyn StateRestoreListener>>,
) -> Result<u64, StreamsError> {
    if p.batch.is_empty() {
        return Ok(0);
    }
    let progress = task.restore(tp, &p.batch)?;
    let n = p.batch.len();
    p.total += n as u64;
    p.batch.clear();
    if let Some(l) = listener {
        l.on_batch_restored(&p.store, tp, progress.next_offset, n);
    }
    Ok(n as u64)
}

fn kafka(operation: String, e: rdkafka::error::KafkaError) -> StreamsError {
    StreamsError::Kafka {
        operation,
        source: Box::new(e),
    }
}
