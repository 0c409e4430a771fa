//! `KGroupedStream::windowed_by`: the window kinds a grouped stream can be
//! windowed by, each giving its windowed stream type.

use super::KGroupedStream;
use super::session_windowed_kstream::SessionWindowedKStream;
use super::time_windowed_kstream::{Def, TimeWindowedKStream};
use super::window_aggregate::TimeWindowDef;
use crate::SerdeData;
use crate::windows::{SessionWindows, SlidingWindows, TimeWindows, UnlimitedWindows};

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::windows::TimeWindows {}
    impl Sealed for crate::windows::UnlimitedWindows {}
    impl Sealed for crate::windows::SessionWindows {}
    impl Sealed for crate::windows::SlidingWindows {}
}

/// A window definition a [`KGroupedStream`] can be windowed by: time and
/// sliding windows give a [`TimeWindowedKStream`], sessions a [`SessionWindowedKStream`].
pub trait WindowsFor<K, V>: sealed::Sealed {
    /// The windowed stream.
    type Stream;

    /// Windows `grouped`.
    fn windowed(self, grouped: &KGroupedStream<K, V>) -> Self::Stream;
}

impl<K: SerdeData, V: SerdeData> WindowsFor<K, V> for TimeWindows {
    type Stream = TimeWindowedKStream<K, V>;

    fn windowed(self, grouped: &KGroupedStream<K, V>) -> Self::Stream {
        TimeWindowedKStream::new(grouped.clone(), Def::Time(TimeWindowDef::Fixed(self)))
    }
}

impl<K: SerdeData, V: SerdeData> WindowsFor<K, V> for UnlimitedWindows {
    type Stream = TimeWindowedKStream<K, V>;

    fn windowed(self, grouped: &KGroupedStream<K, V>) -> Self::Stream {
        TimeWindowedKStream::new(grouped.clone(), Def::Time(TimeWindowDef::Unlimited(self)))
    }
}

impl<K: SerdeData, V: SerdeData> WindowsFor<K, V> for SlidingWindows {
    type Stream = TimeWindowedKStream<K, V>;

    fn windowed(self, grouped: &KGroupedStream<K, V>) -> Self::Stream {
        TimeWindowedKStream::new(grouped.clone(), Def::Sliding(self))
    }
}

impl<K: SerdeData, V: SerdeData> WindowsFor<K, V> for SessionWindows {
    type Stream = SessionWindowedKStream<K, V>;

    fn windowed(self, grouped: &KGroupedStream<K, V>) -> Self::Stream {
        SessionWindowedKStream::new(grouped.clone(), self)
    }
}

impl<K: SerdeData, V: SerdeData> KGroupedStream<K, V> {
    /// Windows the grouped stream: by [`TimeWindows`] (tumbling, hopping),
    /// [`SlidingWindows`] or [`UnlimitedWindows`] into a
    /// [`TimeWindowedKStream`], by
    /// [`SessionWindows`] into a [`SessionWindowedKStream`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use streams_dsl::prelude::*;
    /// use streams_dsl::windows::TimeWindows;
    /// use test_driver::TopologyTestDriver;
    ///
    /// let builder = StreamsBuilder::new();
    /// builder
    ///     .stream::<String, String>("clicks")
    ///     .group_by_key()
    ///     .windowed_by(TimeWindows::of_size_with_no_grace(Duration::from_secs(60))?)
    ///     .count()
    ///     .to_stream()
    ///     .map(|k, v| (k.to_string(), v.unwrap_or(0)))
    ///     .to("clicks-per-minute");
    /// let driver = TopologyTestDriver::new(builder.build()?, StreamsConfig::new("app"))?;
    /// let input = driver.create_input_topic::<String, String>("clicks");
    /// input.pipe_input_with_timestamp("alice".into(), "/".into(), 1_000)?;
    /// input.pipe_input_with_timestamp("alice".into(), "/a".into(), 59_999)?;
    /// input.pipe_input_with_timestamp("alice".into(), "/b".into(), 60_000)?;
    /// let out = driver.create_output_topic::<String, i64>("clicks-per-minute");
    /// assert_eq!(
    ///     out.read_key_values_to_list()?,
    ///     [("[alice@0/60000]".to_string(), 1), ("[alice@0/60000]".to_string(), 2), ("[alice@60000/120000]".to_string(), 1)]
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn windowed_by<W: WindowsFor<K, V>>(&self, windows: W) -> W::Stream {
        windows.windowed(self)
    }
}
