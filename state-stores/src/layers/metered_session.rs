//! The typed session-store facade.

use std::sync::Arc;

use streams_core::StreamsError;
use streams_core::serde::SharedSerde;
use streams_core::store::{FlushListener, FlushedRecord, KeyValueIter, SessionStore, Window, Windowed};

use super::metered::{Codec, Meter, Op, metered_lifecycle, select};
use crate::bytes::{BytesStore, Scan, in_bounds, store_error};
use crate::schema::{session_key, split_session_key};

/// A typed session store over a segmented bytes store.
pub struct MeteredSessionStore<K, V> {
    inner: Box<dyn BytesStore>,
    name: String,
    topic: String,
    keys: Codec<K>,
    values: Codec<V>,
    meter: Meter,
}

impl<K: 'static, V: 'static> MeteredSessionStore<K, V> {
    /// `inner` (a segmented store with the session schema) with serdes.
    pub fn new(inner: Box<dyn BytesStore>, key_serde: SharedSerde<K>, value_serde: SharedSerde<V>) -> Self {
        let name = inner.name().to_owned();
        Self {
            topic: name.clone(),
            name,
            inner,
            keys: Codec::new(key_serde),
            values: Codec::new(value_serde),
            meter: Meter::default(),
        }
    }

    fn stored(&self, session: &Windowed<K>) -> Result<Vec<u8>, StreamsError> {
        let Window { start, end } = session.window;
        if start < 0 || end < start {
            return Err(store_error(
                &self.name,
                format!("invalid session window [{start}, {end}]"),
            ));
        }
        self.keys.with_bytes(&self.name, &self.topic, &session.key, |k| {
            Ok(session_key(k, start, end))
        })
    }

    fn find(
        &self,
        key_from: Option<&K>,
        key_to: Option<&K>,
        single: bool,
        earliest_end: i64,
        latest_start: i64,
        reverse: bool,
    ) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError> {
        self.meter.time(Op::Range, || {
            let kf = key_from
                .map(|k| self.keys.to_vec(&self.name, &self.topic, k))
                .transpose()?;
            let kt = key_to
                .map(|k| self.keys.to_vec(&self.name, &self.topic, k))
                .transpose()?;
            let earliest_end = earliest_end.max(0);
            if latest_start < 0 || matches!((&kf, &kt), (Some(a), Some(b)) if a > b) {
                return Ok(Box::new(std::iter::empty()) as KeyValueIter<'_, Windowed<K>, V>);
            }
            let (lo, hi) = match (&kf, single) {
                (Some(k), true) => (
                    Some(session_key(k, 0, earliest_end)),
                    Some(session_key(k, i64::MAX, i64::MAX)),
                ),
                _ => (kf.clone(), None),
            };
            let iter = self.inner.scan(Scan {
                from: lo.as_deref(),
                to: hi.as_deref(),
                time_from: earliest_end,
                time_to: i64::MAX,
                reverse,
                by_segment: false,
            })?;
            Ok(select(iter, move |stored, v| {
                let Some((k, start, end)) = split_session_key(stored) else {
                    return Some(Err(store_error(&self.name, "a stored session key is too short")));
                };
                if !in_bounds(k, kf.as_deref(), kt.as_deref()) || end < earliest_end || start > latest_start {
                    return None;
                }
                Some(self.decode(k, start, end, v))
            }) as KeyValueIter<'_, Windowed<K>, V>)
        })
    }

    fn decode(&self, k: &[u8], start: i64, end: i64, v: &[u8]) -> Result<(Windowed<K>, V), StreamsError> {
        Ok((
            Windowed::new(self.keys.decode(&self.name, &self.topic, k)?, Window::new(start, end)),
            self.values.decode(&self.name, &self.topic, v)?,
        ))
    }
}

metered_lifecycle!(MeteredSessionStore);

impl<K: 'static, V: 'static> SessionStore<K, V> for MeteredSessionStore<K, V> {
    fn put(&mut self, session: &Windowed<K>, value: &V) -> Result<(), StreamsError> {
        let k = self.stored(session)?;
        let v = self.values.to_vec(&self.name, &self.topic, value)?;
        let inner = &mut self.inner;
        self.meter.time(Op::Put, || inner.put(&k, Some(&v)))
    }

    fn remove(&mut self, session: &Windowed<K>) -> Result<(), StreamsError> {
        let k = self.stored(session)?;
        let inner = &mut self.inner;
        self.meter.time(Op::Put, || inner.put(&k, None))
    }

    fn fetch_session(&self, key: &K, start: i64, end: i64) -> Result<Option<V>, StreamsError> {
        if start < 0 || end < start {
            return Ok(None);
        }
        self.meter.time(Op::Get, || {
            let k = self
                .keys
                .with_bytes(&self.name, &self.topic, key, |k| Ok(session_key(k, start, end)))?;
            self.inner
                .get(&k)?
                .map(|v| self.values.decode(&self.name, &self.topic, &v))
                .transpose()
        })
    }

    fn find_sessions(
        &self,
        key: &K,
        earliest_session_end: i64,
        latest_session_start: i64,
    ) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError> {
        self.find(
            Some(key),
            Some(key),
            true,
            earliest_session_end,
            latest_session_start,
            false,
        )
    }

    fn backward_find_sessions(
        &self,
        key: &K,
        earliest_session_end: i64,
        latest_session_start: i64,
    ) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError> {
        self.find(
            Some(key),
            Some(key),
            true,
            earliest_session_end,
            latest_session_start,
            true,
        )
    }

    fn find_sessions_range(
        &self,
        key_from: Option<&K>,
        key_to: Option<&K>,
        earliest_session_end: i64,
        latest_session_start: i64,
    ) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError> {
        self.find(
            key_from,
            key_to,
            false,
            earliest_session_end,
            latest_session_start,
            false,
        )
    }

    fn find_sessions_ending(
        &self,
        earliest_session_end: i64,
        latest_session_end: i64,
    ) -> Result<KeyValueIter<'_, Windowed<K>, V>, StreamsError> {
        let earliest_end = earliest_session_end.max(0);
        if latest_session_end < earliest_end {
            return Ok(Box::new(std::iter::empty()));
        }
        self.meter.time(Op::Range, || {
            let iter = self.inner.scan(Scan {
                from: None,
                to: None,
                time_from: earliest_end,
                time_to: latest_session_end,
                reverse: false,
                by_segment: true,
            })?;
            // The scan runs by segment, then key bytes; a stable sort by
            // (end, start) keeps key-byte order among equal windows.
            let mut sessions: Vec<(Windowed<K>, V)> = select(iter, |stored, v| {
                let Some((k, start, end)) = split_session_key(stored) else {
                    return Some(Err(store_error(&self.name, "a stored session key is too short")));
                };
                (earliest_end..=latest_session_end)
                    .contains(&end)
                    .then(|| self.decode(k, start, end, v))
            })
            .collect::<Result<_, _>>()?;
            sessions.sort_by_key(|(s, _)| (s.window.end, s.window.start));
            Ok(Box::new(sessions.into_iter().map(Ok)) as KeyValueIter<'_, Windowed<K>, V>)
        })
    }

    fn set_flush_listener(&mut self, mut listener: FlushListener<Windowed<K>, V>, send_old_values: bool) -> bool {
        let keys = Arc::clone(&self.keys.serde);
        let values = Arc::clone(&self.values.serde);
        let (name, topic) = (self.name.clone(), self.topic.clone());
        self.inner.set_flush_listener(
            Box::new(move |flushed| {
                let err = |e| store_error(&name, e);
                let (k, start, end) = split_session_key(flushed.key)
                    .ok_or_else(|| store_error(&name, "a stored session key is too short"))?;
                let decode = |b: Option<&[u8]>| b.map(|b| values.deserialize(&topic, Some(b))).transpose();
                listener(FlushedRecord {
                    key: Windowed::new(keys.deserialize(&topic, Some(k)).map_err(err)?, Window::new(start, end)),
                    new_value: decode(flushed.new_value).map_err(err)?,
                    old_value: decode(flushed.old_value).map_err(err)?,
                    timestamp: flushed.timestamp,
                })
            }),
            send_old_values,
        )
    }
}
