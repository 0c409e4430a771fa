//! Grouped streams and tables, and the aggregation processors behind them.

mod kgrouped_stream;
mod kgrouped_table;
mod stream_aggregate;
mod table_aggregate;

pub(crate) use stream_aggregate::forward_flushes;

pub use kgrouped_stream::KGroupedStream;
pub use kgrouped_table::KGroupedTable;
