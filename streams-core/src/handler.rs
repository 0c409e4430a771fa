//! Error handlers: what happens to a record that cannot be processed.
//!
//! Three places can fail on a bad record, each with its own configured handler
//! (as in Kafka Streams): reading it (deserialization or an invalid timestamp),
//! processing it (a processor returned an error), and producing it (a sink could
//! not serialize it, or the collector refused it). A handler answers
//! [`HandlerResponse::Continue`] (the record is dropped, the task's
//! `dropped-records` metric counts it, and processing goes on) or
//! [`HandlerResponse::Fail`] (the error stops the task).
//!
//! If a dead-letter topic is configured
//! ([`StreamsConfig::dead_letter_queue_topic`](crate::config::StreamsConfig::dead_letter_queue_topic)),
//! the source record's original bytes are first sent there with headers that
//! describe the error, whichever way the handler answers (as Kafka's KIP-1034).
//! So nothing is silently lost.

use std::fmt;

use crate::engine::TaskId;
use crate::error::StreamsError;

/// Where an error happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorStage {
    /// Deserializing a source record or extracting its timestamp.
    Deserialization,
    /// A processor's `process` or `punctuate`.
    Processing,
    /// Serializing or sending a record in a sink.
    Production,
}

impl fmt::Display for ErrorStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorStage::Deserialization => "deserialization",
            ErrorStage::Processing => "processing",
            ErrorStage::Production => "production",
        })
    }
}

/// What a handler is told about the failure.
#[derive(Debug, Clone)]
pub struct ErrorContext<'a> {
    /// Where it happened.
    pub stage: ErrorStage,
    /// The task.
    pub task: TaskId,
    /// The node that failed, if a node did.
    pub node: Option<&'a str>,
    /// Source topic of the record being processed, if any.
    pub topic: Option<&'a str>,
    /// Its partition (-1 if none).
    pub partition: i32,
    /// Its offset (-1 if none).
    pub offset: i64,
}

/// A handler's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandlerResponse {
    /// Drop the record, count it in `dropped-records`, and go on.
    Continue,
    /// Stop the task with the error.
    Fail,
}

/// Decides what to do with a record that failed.
///
/// Called on the stream thread, once per failed record, synchronously; it may
/// log or count, and must not block for long.
pub trait ErrorHandler: Send + Sync + 'static {
    /// Handles one failure.
    fn handle(&self, context: &ErrorContext<'_>, error: &StreamsError) -> HandlerResponse;
}

/// Logs a warning and continues (Kafka's `LogAndContinueExceptionHandler`).
#[derive(Debug, Clone, Copy, Default)]
pub struct LogAndContinue;

impl ErrorHandler for LogAndContinue {
    fn handle(&self, context: &ErrorContext<'_>, error: &StreamsError) -> HandlerResponse {
        tracing::warn!(
            stage = %context.stage, task = %context.task, node = context.node,
            topic = context.topic, partition = context.partition, offset = context.offset,
            "skipping record: {error}"
        );
        HandlerResponse::Continue
    }
}

/// Logs an error and fails (Kafka's `LogAndFailExceptionHandler`, the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct LogAndFail;

impl ErrorHandler for LogAndFail {
    fn handle(&self, context: &ErrorContext<'_>, error: &StreamsError) -> HandlerResponse {
        tracing::error!(
            stage = %context.stage, task = %context.task, node = context.node,
            topic = context.topic, partition = context.partition, offset = context.offset,
            "failing on record: {error}"
        );
        HandlerResponse::Fail
    }
}

impl<F> ErrorHandler for F
where
    F: Fn(&ErrorContext<'_>, &StreamsError) -> HandlerResponse + Send + Sync + 'static,
{
    fn handle(&self, context: &ErrorContext<'_>, error: &StreamsError) -> HandlerResponse {
        self(context, error)
    }
}

/// Header names on dead-letter records (the names Kafka Streams uses).
pub mod dlq_headers {
    /// The error's type.
    pub const EXCEPTION: &str = "__streams.errors.exception";
    /// The error's message.
    pub const MESSAGE: &str = "__streams.errors.message";
    /// The error's chain of causes.
    pub const STACKTRACE: &str = "__streams.errors.stacktrace";
    /// Source topic.
    pub const TOPIC: &str = "__streams.errors.topic";
    /// Source partition.
    pub const PARTITION: &str = "__streams.errors.partition";
    /// Source offset.
    pub const OFFSET: &str = "__streams.errors.offset";
}
