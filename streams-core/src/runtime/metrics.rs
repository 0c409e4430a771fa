//! Metrics of a running application, per stream thread and task, read with
//! [`KafkaStreams::metrics`](super::KafkaStreams::metrics) and logged as
//! `tracing` events (target `streams_core::metrics`) at every commit.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::message::{BorrowedMessage, Headers as _, Message};

use crate::engine::{RawRecord, TaskId, TopicPartition};
use crate::record::Headers;

/// A snapshot of one stream thread.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ThreadMetrics {
    /// The thread's name (`<client id>-StreamThread-<n>`).
    pub thread: String,
    /// Records processed since the thread started.
    pub processed_total: u64,
    /// Records processed per second, over the last full second.
    pub process_rate: f64,
    /// Mean time to process one record, in microseconds.
    pub process_latency_avg_us: f64,
    /// Mean time of one commit (flush stores and producer, commit offsets), in ms.
    pub commit_latency_avg_ms: f64,
    /// Commits so far.
    pub commits: u64,
    /// Mean time spent in one poll of the consumer, in ms.
    pub poll_latency_avg_ms: f64,
    /// Records sent by the thread's producer (outputs, changelogs, dead letters).
    pub produced_total: u64,
    /// Changelog records restored.
    pub restored_total: u64,
    /// Records dropped by an error handler that answered `Continue`.
    pub dropped_total: u64,
    /// Consumer lag per assigned input partition (from librdkafka's statistics).
    pub records_lag: BTreeMap<TopicPartition, i64>,
    /// The thread's tasks.
    pub tasks: Vec<TaskMetricsSnapshot>,
}

/// A snapshot of one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskMetricsSnapshot {
    /// The task.
    pub task: TaskId,
    /// Records processed by this task instance.
    pub processed_total: u64,
    /// Records it dropped.
    pub dropped_total: u64,
    /// Changelog records it restored when it was created.
    pub restored_total: u64,
}

/// Running sums a thread keeps to build its snapshot.
#[derive(Debug)]
pub(crate) struct Meter {
    pub(crate) processed: u64,
    pub(crate) process_time: Duration,
    pub(crate) commits: u64,
    pub(crate) commit_time: Duration,
    pub(crate) polls: u64,
    pub(crate) poll_time: Duration,
    pub(crate) restored: u64,
    rate_window: (Instant, u64),
    rate: f64,
}

impl Default for Meter {
    fn default() -> Self {
        Self {
            processed: 0,
            process_time: Duration::ZERO,
            commits: 0,
            commit_time: Duration::ZERO,
            polls: 0,
            poll_time: Duration::ZERO,
            restored: 0,
            rate_window: (Instant::now(), 0),
            rate: 0.0,
        }
    }
}

impl Meter {
    /// Updates the per-second rate when a second has passed.
    pub(crate) fn tick(&mut self) {
        let (since, at) = self.rate_window;
        let elapsed = since.elapsed();
        if elapsed >= Duration::from_secs(1) {
            self.rate = (self.processed - at) as f64 / elapsed.as_secs_f64();
            self.rate_window = (Instant::now(), self.processed);
        }
    }

    pub(crate) fn fill(&self, m: &mut ThreadMetrics) {
        let avg = |total: Duration, n: u64| if n == 0 { 0.0 } else { total.as_secs_f64() / n as f64 };
        m.processed_total = self.processed;
        m.process_rate = self.rate;
        m.process_latency_avg_us = avg(self.process_time, self.processed) * 1e6;
        m.commit_latency_avg_ms = avg(self.commit_time, self.commits) * 1e3;
        m.commits = self.commits;
        m.poll_latency_avg_ms = avg(self.poll_time, self.polls) * 1e3;
        m.restored_total = self.restored;
    }
}

/// A consumed message as the task engine takes it.
pub(crate) fn to_raw(m: &BorrowedMessage<'_>) -> RawRecord {
    let mut headers = Headers::new();
    if let Some(h) = m.headers() {
        for header in h.iter() {
            headers.add(header.key, header.value.map(<[u8]>::to_vec));
        }
    }
    RawRecord {
        offset: m.offset(),
        timestamp: m.timestamp().to_millis().unwrap_or(-1),
        key: m.key().map(<[u8]>::to_vec),
        value: m.payload().map(<[u8]>::to_vec),
        headers,
    }
}
