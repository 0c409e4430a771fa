//! The change-logging layer: every write also goes to the store's changelog
//! topic, `<application.id>-<store>-changelog`, on the task's partition.

use streams_core::StreamsError;
use streams_core::store::{ChangeLogger, StateStore, StateStoreContext, changelog_topic};

use super::delegate_lifecycle;
use crate::bytes::{BytesFlushListener, BytesIter, BytesStore, Scan, Segmenting};

pub(crate) struct ChangeLogging {
    inner: Box<dyn BytesStore>,
    topic: Option<String>,
    partition: i32,
    logger: Option<ChangeLogger>,
}

impl ChangeLogging {
    pub(crate) fn new(inner: Box<dyn BytesStore>) -> Self {
        Self {
            inner,
            topic: None,
            partition: 0,
            logger: None,
        }
    }

    fn log(&self, key: &[u8], value: Option<&[u8]>) -> Result<(), StreamsError> {
        if let (Some(logger), Some(topic)) = (&self.logger, &self.topic) {
            logger.log(topic, self.partition, key, value)?;
        }
        Ok(())
    }
}

impl StateStore for ChangeLogging {
    delegate_lifecycle!();

    fn init(&mut self, context: &StateStoreContext) -> Result<(), StreamsError> {
        self.inner.init(context)?;
        self.topic = Some(changelog_topic(&context.application_id, self.inner.name()));
        self.partition = context.task_id.partition;
        self.logger = context.change_logger.clone();
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StreamsError> {
        self.inner.flush()
    }

    fn flush_cache(&mut self) -> Result<(), StreamsError> {
        self.inner.flush_cache()
    }

    fn close(&mut self) -> Result<(), StreamsError> {
        self.inner.close()
    }

    fn changelog_topic(&self) -> Option<&str> {
        self.topic.as_deref()
    }
}

impl BytesStore for ChangeLogging {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StreamsError> {
        self.inner.get(key)
    }

    fn get_with(&self, key: &[u8], read: &mut dyn FnMut(Option<&[u8]>)) -> Result<(), StreamsError> {
        self.inner.get_with(key, read)
    }

    fn put(&mut self, key: &[u8], value: Option<&[u8]>) -> Result<(), StreamsError> {
        self.inner.put(key, value)?;
        self.log(key, value)
    }

    fn put_all(&mut self, entries: &[(&[u8], Option<&[u8]>)]) -> Result<(), StreamsError> {
        self.inner.put_all(entries)?;
        for &(k, v) in entries {
            self.log(k, v)?;
        }
        Ok(())
    }

    fn scan(&self, scan: Scan<'_>) -> Result<BytesIter<'_>, StreamsError> {
        self.inner.scan(scan)
    }

    fn prefix_scan(&self, prefix: &[u8]) -> Result<BytesIter<'_>, StreamsError> {
        self.inner.prefix_scan(prefix)
    }

    fn approximate_num_entries(&self) -> Result<u64, StreamsError> {
        self.inner.approximate_num_entries()
    }

    fn segmenting(&self) -> Option<Segmenting> {
        self.inner.segmenting()
    }

    fn live_from(&self) -> i64 {
        self.inner.live_from()
    }

    fn expired_dropped(&self) -> u64 {
        self.inner.expired_dropped()
    }

    fn set_flush_listener(&mut self, listener: BytesFlushListener, send_old_values: bool) -> bool {
        self.inner.set_flush_listener(listener, send_old_values)
    }
}
