//! State shared by all nodes of one task: stream time, the record being
//! processed, punctuation schedules, the collector, metrics, and the error
//! handlers. Interior mutability, because nodes call into it while the task
//! drives them; everything here stays on the task's thread.

use std::cell::{Cell, RefCell};
use std::error::Error as _;
use std::rc::Rc;
use std::sync::Arc;

use super::collector::{OutgoingRecord, RecordCollector};
use super::punctuation::{Punctuations, Schedule};
use super::{RawRecord, TaskId, TopicPartition};
use crate::config::StreamsConfig;
use crate::error::{BoxError, StreamsError};
use crate::handler::{ErrorContext, ErrorHandler, ErrorStage, HandlerResponse, dlq_headers};
use crate::processor::{Cancellable, PunctuationType, ScheduleId};
use crate::record::RecordMetadata;
use crate::time::Clock;

/// The record being processed: which input queue, and its offset.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Current {
    pub(crate) queue: usize,
    pub(crate) offset: i64,
}

pub(crate) struct Handlers {
    deserialization: Arc<dyn ErrorHandler>,
    processing: Arc<dyn ErrorHandler>,
    production: Arc<dyn ErrorHandler>,
    dead_letter_topic: Option<String>,
}

impl Handlers {
    pub(crate) fn from_config(config: &StreamsConfig) -> Self {
        Self {
            deserialization: Arc::clone(config.deserialization_exception_handler()),
            processing: Arc::clone(config.processing_exception_handler()),
            production: Arc::clone(config.production_exception_handler()),
            dead_letter_topic: config.dead_letter_queue_topic().map(str::to_owned),
        }
    }
}

#[cold]
#[inline(never)]
fn production_error(topic: &str, source: BoxError) -> StreamsError {
    StreamsError::Production {
        topic: topic.to_owned(),
        source,
    }
}

pub(crate) struct TaskShared {
    pub(crate) application_id: Arc<str>,
    /// The application configuration, for processors that read settings.
    pub(crate) config: Arc<StreamsConfig>,
    pub(crate) task_id: TaskId,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) collector: Rc<RefCell<dyn RecordCollector>>,
    /// Input partitions, by queue index (grows when a pattern matches a new topic).
    pub(crate) inputs: RefCell<Vec<TopicPartition>>,
    pub(crate) stream_time: Cell<i64>,
    pub(crate) current: Cell<Option<Current>>,
    /// The timestamp of the record being processed (the punctuation time
    /// inside a punctuator): what store writes are stamped with.
    pub(crate) current_timestamp: Cell<i64>,
    /// The source bytes of the record being processed, for dead-lettering.
    pub(crate) current_raw: RefCell<Option<RawRecord>>,
    pub(crate) commit_requested: Cell<bool>,
    pub(crate) punctuations: RefCell<Punctuations>,
    next_schedule: Cell<u64>,
    pub(crate) processed: Cell<u64>,
    pub(crate) dropped: Cell<u64>,
    handlers: Handlers,
}

impl TaskShared {
    pub(crate) fn new(
        application_id: Arc<str>,
        config: Arc<StreamsConfig>,
        task_id: TaskId,
        clock: Arc<dyn Clock>,
        collector: Rc<RefCell<dyn RecordCollector>>,
        handlers: Handlers,
    ) -> Self {
        Self {
            application_id,
            config,
            task_id,
            clock,
            collector,
            inputs: RefCell::new(Vec::new()),
            stream_time: Cell::new(-1),
            current: Cell::new(None),
            current_timestamp: Cell::new(0),
            current_raw: RefCell::new(None),
            commit_requested: Cell::new(false),
            punctuations: RefCell::new(Punctuations::default()),
            next_schedule: Cell::new(0),
            processed: Cell::new(0),
            dropped: Cell::new(0),
            handlers,
        }
    }

    /// Whether the source bytes of the current record must be kept (a
    /// dead-letter topic is configured).
    #[inline]
    pub(crate) fn keeps_source_bytes(&self) -> bool {
        self.handlers.dead_letter_topic.is_some()
    }

    /// Stream time only moves forward.
    #[inline]
    pub(crate) fn advance_stream_time(&self, timestamp: i64) {
        if timestamp > self.stream_time.get() {
            self.stream_time.set(timestamp);
        }
    }

    pub(crate) fn schedule(&self, node: usize, interval: i64, kind: PunctuationType) -> Cancellable {
        let id = ScheduleId(self.next_schedule.get());
        self.next_schedule.set(id.0 + 1);
        let due = match kind {
            // Aligned to 0 so that it fires as soon as there is data.
            PunctuationType::StreamTime => 0,
            PunctuationType::WallClockTime => self.clock.now_ms().saturating_add(interval),
        };
        let cancelled = Rc::new(Cell::new(false));
        self.punctuations.borrow_mut().queue(kind).add(Schedule {
            id,
            node,
            due,
            interval,
            cancelled: Rc::clone(&cancelled),
        });
        Cancellable::new(id, cancelled)
    }

    pub(crate) fn record_metadata(&self) -> Option<RecordMetadata> {
        let c = self.current.get()?;
        let inputs = self.inputs.borrow();
        let tp = &inputs[c.queue];
        Some(RecordMetadata {
            topic: Arc::clone(&tp.topic),
            partition: tp.partition,
            offset: c.offset,
        })
    }

    /// Sends a record to the collector, mapping a refusal to an error.
    #[inline]
    pub(crate) fn send(&self, record: OutgoingRecord<'_>) -> Result<(), StreamsError> {
        let Ok(mut collector) = self.collector.try_borrow_mut() else {
            return Err(production_error(
                record.topic,
                "the record collector is in use (re-entrant send)".into(),
            ));
        };
        match collector.send(record) {
            Ok(()) => Ok(()),
            Err(source) => Err(production_error(record.topic, source)),
        }
    }

    /// A processor returned `err`. Errors that are already `StreamsError`s come
    /// from downstream, were handled there, and pass through unchanged.
    pub(crate) fn on_processing_error(&self, node: &str, err: BoxError) -> Result<(), StreamsError> {
        let source = match err.downcast::<StreamsError>() {
            Ok(downstream) => return Err(*downstream),
            Err(other) => match other.downcast::<Box<StreamsError>>() {
                Ok(downstream) => return Err(**downstream),
                Err(source) => source,
            },
        };
        let error = StreamsError::Processing {
            node: node.to_owned(),
            task: self.task_id,
            source,
        };
        let raw = self.current_raw.borrow();
        let current = self.current.get();
        self.dispatch(ErrorStage::Processing, Some(node), current, raw.as_ref(), error)
    }

    /// A sink failed to serialize or send.
    pub(crate) fn on_production_error(&self, node: &str, error: StreamsError) -> Result<(), StreamsError> {
        let raw = self.current_raw.borrow();
        let current = self.current.get();
        self.dispatch(ErrorStage::Production, Some(node), current, raw.as_ref(), error)
    }

    /// A record of input queue `queue` could not be read.
    pub(crate) fn on_deserialization_error(
        &self,
        queue: usize,
        raw: &RawRecord,
        error: StreamsError,
    ) -> Result<(), StreamsError> {
        let at = Current {
            queue,
            offset: raw.offset,
        };
        self.dispatch(ErrorStage::Deserialization, None, Some(at), Some(raw), error)
    }

    fn dispatch(
        &self,
        stage: ErrorStage,
        node: Option<&str>,
        at: Option<Current>,
        raw: Option<&RawRecord>,
        error: StreamsError,
    ) -> Result<(), StreamsError> {
        let inputs = self.inputs.borrow();
        let tp = at.map(|c| &inputs[c.queue]);
        let context = ErrorContext {
            stage,
            task: self.task_id,
            node,
            topic: tp.map(|tp| &*tp.topic),
            partition: tp.map_or(-1, |tp| tp.partition),
            offset: at.map_or(-1, |c| c.offset),
        };
        let handler = match stage {
            ErrorStage::Deserialization => &self.handlers.deserialization,
            ErrorStage::Processing => &self.handlers.processing,
            ErrorStage::Production => &self.handlers.production,
        };
        let response = handler.handle(&context, &error);
        if let (Some(topic), Some(raw)) = (&self.handlers.dead_letter_topic, raw) {
            self.dead_letter(topic, &context, raw, &error)?;
        }
        match response {
            HandlerResponse::Continue => {
                self.dropped.set(self.dropped.get() + 1);
                Ok(())
            }
            HandlerResponse::Fail => Err(error),
        }
    }

    fn dead_letter(
        &self,
        topic: &str,
        context: &ErrorContext<'_>,
        raw: &RawRecord,
        error: &StreamsError,
    ) -> Result<(), StreamsError> {
        let mut headers = raw.headers.clone();
        let mut trace = error.to_string();
        let mut cause = error.source();
        while let Some(c) = cause {
            trace.push_str("\ncaused by: ");
            trace.push_str(&c.to_string());
            cause = c.source();
        }
        headers
            .add(dlq_headers::EXCEPTION, Some(error.kind().as_bytes().to_vec()))
            .add(dlq_headers::MESSAGE, Some(error.to_string().into_bytes()))
            .add(dlq_headers::STACKTRACE, Some(trace.into_bytes()))
            .add(dlq_headers::TOPIC, context.topic.map(|t| t.as_bytes().to_vec()))
            .add(dlq_headers::PARTITION, Some(context.partition.to_string().into_bytes()))
            .add(dlq_headers::OFFSET, Some(context.offset.to_string().into_bytes()));
        self.send(OutgoingRecord {
            topic,
            partition: None,
            key: raw.key.as_deref(),
            value: raw.value.as_deref(),
            timestamp: raw.timestamp,
            headers: &headers,
        })
    }
}
