//! The typed window-store facade.

use std::cell::Cell;
use std::sync::Arc;

use streams_core::StreamsError;
use streams_core::serde::SharedSerde;
use streams_core::store::{FlushListener, FlushedRecord, KeyValueIter, Window, WindowIter, WindowStore, Windowed};

use super::metered::{Codec, Meter, Op, metered_lifecycle, select};
use crate::bytes::{BytesStore, Scan, in_bounds, store_error};
use crate::schema::{split_window_key, window_key};

/// A typed window store over a segmented bytes store.
pub struct MeteredWindowStore<K, V> {
    inner: Box<dyn BytesStore>,
    name: String,
    topic: String,
    keys: Codec<K>,
    values: Codec<V>,
    meter: Meter,
    window_size: i64,
    retain_duplicates: bool,
    seq: Cell<u32>,
}

impl<K: 'static, V: 'static> MeteredWindowStore<K, V> {
    /// `inner` (a segmented store with the window schema) with serdes.
    pub fn new(
        inner: Box<dyn BytesStore>,
        key_serde: SharedSerde<K>,
        value_serde: SharedSerde<V>,
        window_size: i64,
        retain_duplicates: bool,
    ) -> Self {
        let name = inner.name().to_owned();
        Self {
            topic: name.clone(),
            name,
            inner,
            keys: Codec::new(key_serde),
            values: Codec::new(value_serde),
            meter: Meter::default(),
            window_size,
            retain_duplicates,
            seq: Cell::new(0),
        }
    }

    fn split<'b>(&self, stored: &'b [u8]) -> Result<(&'b [u8], i64), StreamsError> {
        split_window_key(stored)
            .map(|(k, ts, _)| (k, ts))
            .ok_or_else(|| store_error(&self.name, "a stored window key is too short"))
    }

    fn key_fetch(&self, key: &K, from: i64, to: i64, reverse: bool) -> Result<WindowIter<'_, V>, StreamsError> {
        self.meter.time(Op::Range, || {
            let kb = self.keys.to_vec(&self.name, &self.topic, key)?;
            let from = from.max(0);
            if to < from {
                return Ok(Box::new(std::iter::empty()) as WindowIter<'_, V>);
            }
            let lo = window_key(&kb, from, 0);
            let hi = window_key(&kb, to, u32::MAX);
            let iter = self.inner.scan(Scan {
                from: Some(&lo),
                to: Some(&hi),
                time_from: from,
                time_to: to,
                reverse,
                by_segment: false,
            })?;
            Ok(select(iter, move |stored, v| match self.split(stored) {
                Ok((k, ts)) if k == kb.as_slice() && (from..=to).contains(&ts) => {
                    Some(self.values.decode(&self.name, &self.topic, v).map(|v| (ts, v)))
                }
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            }) as WindowIter<'_, V>)
        })
    }

    fn range_fetch(
        &self,
        key_from: Option<&K>,
        key_to: Option<&K>,
        from: i64,
        to: i64,
        reverse: bool,
    ) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError> {
        self.meter.time(Op::Range, || {
            let kf = key_from
                .map(|k| self.keys.to_vec(&self.name, &self.topic, k))
                .transpose()?;
            let kt = key_to
                .map(|k| self.keys.to_vec(&self.name, &self.topic, k))
                .transpose()?;
            let from = from.max(0);
            if to < from || matches!((&kf, &kt), (Some(a), Some(b)) if a > b) {
                return Ok(Box::new(std::iter::empty()) as KeyValueIter<'_, Windowed<K>, V>);
            }
            // Keys that are prefixes of others interleave with them in stored
            // order, so only the lower bound narrows the scan; the filter
            // below is exact.
            let iter = self.inner.scan(Scan {
                from: kf.as_deref(),
                to: None,
                time_from: from,
                time_to: to,
                reverse,
                by_segment: false,
            })?;
            Ok(select(iter, move |stored, v| match self.split(stored) {
                Ok((k, ts)) if in_bounds(k, kf.as_deref(), kt.as_deref()) && (from..=to).contains(&ts) => {
                    Some(self.windowed(k, ts, v))
                }
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            }) as KeyValueIter<'_, Windowed<K>, V>)
        })
    }

    fn windowed(&self, k: &[u8], start: i64, v: &[u8]) -> Result<(Windowed<K>, V), StreamsError> {
        Ok((
            Windowed::new(
                self.keys.decode(&self.name, &self.topic, k)?,
                Window::new(start, start.saturating_add(self.window_size)),
            ),
            self.values.decode(&self.name, &self.topic, v)?,
        ))
    }
}

metered_lifecycle!(MeteredWindowStore);

impl<K: 'static, V: 'static> WindowStore<K, V> for MeteredWindowStore<K, V> {
    fn put(&mut self, key: &K, value: Option<&V>, window_start: i64) -> Result<(), StreamsError> {
        if window_start < 0 {
            return Err(store_error(&self.name, format!("negative window start {window_start}")));
        }
        if self.retain_duplicates && value.is_none() {
            return Ok(());
        }
        let seq = if self.retain_duplicates {
            self.seq.set(self.seq.get().wrapping_add(1));
            self.seq.get()
        } else {
            0
        };
        let stored = self
            .keys
            .with_bytes(&self.name, &self.topic, key, |k| Ok(window_key(k, window_start, seq)))?;
        let v = value
            .map(|v| self.values.to_vec(&self.name, &self.topic, v))
            .transpose()?;
        let inner = &mut self.inner;
        self.meter.time(Op::Put, || inner.put(&stored, v.as_deref()))
    }

    fn fetch_one(&self, key: &K, window_start: i64) -> Result<Option<V>, StreamsError> {
        self.meter.time(Op::Get, || {
            let mut iter = self.key_fetch(key, window_start, window_start, false)?;
            iter.next().transpose().map(|o| o.map(|(_, v)| v))
        })
    }

    fn fetch(&self, key: &K, time_from: i64, time_to: i64) -> Result<WindowIter<'_, V>, StreamsError> {
        self.key_fetch(key, time_from, time_to, false)
    }

    fn backward_fetch(&self, key: &K, time_from: i64, time_to: i64) -> Result<WindowIter<'_, V>, StreamsError> {
        self.key_fetch(key, time_from, time_to, true)
    }

    fn fetch_range(
        &self,
        key_from: Option<&K>,
        key_to: Option<&K>,
        time_from: i64,
        time_to: i64,
    ) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError> {
        self.range_fetch(key_from, key_to, time_from, time_to, false)
    }

    fn backward_fetch_range(
        &self,
        key_from: Option<&K>,
        key_to: Option<&K>,
        time_from: i64,
        time_to: i64,
    ) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError> {
        self.range_fetch(key_from, key_to, time_from, time_to, true)
    }

    fn window_size(&self) -> i64 {
        self.window_size
    }

    fn set_flush_listener(&mut self, mut listener: FlushListener<Windowed<K>, V>, send_old_values: bool) -> bool {
        let keys = Arc::clone(&self.keys.serde);
        let values = Arc::clone(&self.values.serde);
        let (name, topic, size) = (self.name.clone(), self.topic.clone(), self.window_size);
        self.inner.set_flush_listener(
            Box::new(move |flushed| {
                let err = |e| store_error(&name, e);
                let (k, start, _) = split_window_key(flushed.key)
                    .ok_or_else(|| store_error(&name, "a stored window key is too short"))?;
                let decode = |b: Option<&[u8]>| b.map(|b| values.deserialize(&topic, Some(b))).transpose();
                listener(FlushedRecord {
                    key: Windowed::new(
                        keys.deserialize(&topic, Some(k)).map_err(err)?,
                        Window::new(start, start.saturating_add(size)),
                    ),
                    new_value: decode(flushed.new_value).map_err(err)?,
                    old_value: decode(flushed.old_value).map_err(err)?,
                    timestamp: flushed.timestamp,
                })
            }),
            send_old_values,
        )
    }
}
