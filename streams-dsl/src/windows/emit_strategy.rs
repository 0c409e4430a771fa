//! [`EmitStrategy`]: when a windowed aggregation forwards its results.

/// When a windowed aggregation forwards results, as Kafka Streams'
/// `EmitStrategy` (KIP-825).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use streams_dsl::prelude::*;
/// use streams_dsl::windows::{EmitStrategy, TimeWindows};
///
/// let builder = StreamsBuilder::new();
/// let windows = TimeWindows::of_size_with_no_grace(Duration::from_secs(60))?;
/// builder
///     .stream::<String, String>("clicks")
///     .group_by_key()
///     .windowed_by(windows)
///     .emit_strategy(EmitStrategy::on_window_close())
///     .count();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EmitStrategy {
    /// Every update of a window is forwarded (through the record cache, if
    /// the store caches). The default.
    #[default]
    OnWindowUpdate,
    /// Each window is forwarded once, with its final value, when stream time
    /// passes its end plus the grace period. Late records never change it.
    OnWindowClose,
}

impl EmitStrategy {
    /// [`EmitStrategy::OnWindowUpdate`].
    pub fn on_window_update() -> Self {
        Self::OnWindowUpdate
    }

    /// [`EmitStrategy::OnWindowClose`].
    pub fn on_window_close() -> Self {
        Self::OnWindowClose
    }
}
