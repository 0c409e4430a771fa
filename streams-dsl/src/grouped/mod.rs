//! Grouped streams and tables, windowed streams, and the aggregation
//! processors behind them (one per file).

mod kgrouped_stream;
mod kgrouped_table;
mod session_aggregate;
mod session_windowed_kstream;
mod sliding_aggregate;
mod stream_aggregate;
mod table_aggregate;
mod time_windowed_kstream;
mod window_aggregate;
mod windowed_by;

pub(crate) use stream_aggregate::forward_flushes;

pub use kgrouped_stream::KGroupedStream;
pub use kgrouped_table::KGroupedTable;
pub use session_windowed_kstream::SessionWindowedKStream;
pub use time_windowed_kstream::TimeWindowedKStream;
pub use windowed_by::WindowsFor;
