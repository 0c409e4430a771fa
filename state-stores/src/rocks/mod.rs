//! RocksDB backends, and the memory budget they share.
//!
//! Layout: one RocksDB instance per store per task, at
//! `state.dir/<application.id>/<task id>/rocksdb/<store>`, as Kafka Streams
//! does. Window and session stores keep one column family per time segment in
//! their instance, so expiring a segment is a `drop_cf` (whole files go) and a
//! store costs one set of WAL/MANIFEST/LOG files however many segments it has.
//! One instance per store (rather than one per task with a column family per
//! store) keeps a store's files, restore and wipe independent of its
//! neighbours, which is what restoration and the corrupt-store recovery path
//! rely on.
//!
//! Memory: every instance in the process shares one LRU block cache, and
//! memtables are charged to that same cache through one write-buffer manager,
//! so the whole process stays within one byte budget
//! ([`ROCKSDB_MEMORY_BYTES`], default [`DEFAULT_MEMORY_BYTES`]) however many
//! stores it opens. Index and filter blocks live in the cache too, and each
//! instance keeps few files open. A [`RocksDbConfigSetter`] may tune the
//! options of each store after these defaults are applied.
//!
//! Key-value stores hold their writes back (the latest value per key, which
//! reads see first) and write them as one sorted batch when the store
//! flushes, before a scan, or when all stores together hold more than a
//! sixteenth of the budget (see `held`). Writes go through the write-ahead
//! log (not synced per write); a store's `flush` (before every checkpoint is
//! written) writes what it holds and syncs the log, so the checkpoint never
//! claims more than the disk holds. Restores write batches without the log
//! and flush memtables to disk at the next `flush`.

mod held;
mod kv;
mod segments;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use rocksdb::{BlockBasedOptions, Cache, DBCompressionType, LogLevel, Options, WriteBatch, WriteBufferManager};
use streams_core::StreamsError;
use streams_core::store::StateStoreContext;

pub use kv::RocksDbKeyValueBytes;
pub(crate) use segments::RocksDbSegments;

use crate::bytes::store_error;

/// Configuration key: the byte budget of all RocksDB block caches and
/// memtables of the process together.
pub const ROCKSDB_MEMORY_BYTES: &str = "rocksdb.memory.bytes";
/// The default budget: 256 MiB, whatever the number of stores.
pub const DEFAULT_MEMORY_BYTES: usize = 256 << 20;
/// The share of the budget memtables may use before the largest is flushed.
const WRITE_BUFFER_SHARE: f64 = 0.25;
/// The share of the budget that writes held back from RocksDB (see the
/// key-value store) may take, over all stores, before a store writing more
/// writes its own out.
const HELD_WRITES_SHARE: usize = 16;

/// Tunes the RocksDB options of one store, after the defaults are applied
/// (Kafka Streams' `rocksdb.config.setter`). Called once per store instance.
pub trait RocksDbConfigSetter: Send + Sync + 'static {
    /// Adjusts `options` for store `store_name`.
    fn set_config(&self, store_name: &str, options: &mut Options);
}

impl<F: Fn(&str, &mut Options) + Send + Sync + 'static> RocksDbConfigSetter for F {
    fn set_config(&self, store_name: &str, options: &mut Options) {
        self(store_name, options)
    }
}

/// The cache and write-buffer manager every RocksDB store of the process
/// shares.
pub struct SharedMemory {
    cache: Cache,
    write_buffers: WriteBufferManager,
    budget: usize,
    /// Bytes of writes the key-value stores hold back, over all of them.
    held: AtomicUsize,
}

impl SharedMemory {
    fn new(budget: usize) -> Self {
        let cache = Cache::new_lru_cache(budget);
        let write_buffers = WriteBufferManager::new_write_buffer_manager_with_cache(
            (budget as f64 * WRITE_BUFFER_SHARE) as usize,
            false,
            cache.clone(),
        );
        Self {
            cache,
            write_buffers,
            budget,
            held: AtomicUsize::new(0),
        }
    }

    /// The process-wide instance, created on first use with the budget of
    /// the first store opened (later budgets are ignored, with a warning).
    pub fn global(budget: usize) -> &'static SharedMemory {
        static SHARED: OnceLock<SharedMemory> = OnceLock::new();
        let shared = SHARED.get_or_init(|| SharedMemory::new(budget));
        if shared.budget != budget {
            tracing::warn!(
                configured = budget,
                in_use = shared.budget,
                "the RocksDB memory budget is process-wide; the first store's budget stays in force"
            );
        }
        shared
    }

    /// The byte budget.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// Bytes held in the shared cache now (blocks and charged memtables).
    pub fn usage(&self) -> usize {
        self.cache.get_usage()
    }

    /// Bytes of writes the key-value stores hold back now, over all of them.
    pub fn held_bytes(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }

    /// Whether the writes held back over all stores exceed their share of
    /// the budget.
    pub(crate) fn held_over_budget(&self) -> bool {
        self.held_bytes() > self.budget / HELD_WRITES_SHARE
    }

    /// Counts `added` more bytes and `removed` fewer bytes held back.
    pub(crate) fn charge_held(&self, added: usize, removed: usize) {
        if added > removed {
            self.held.fetch_add(added - removed, Ordering::Relaxed);
        } else if removed > added {
            self.held.fetch_sub(removed - added, Ordering::Relaxed);
        }
    }
}

/// The shared memory of the process, with the budget `context` configures.
pub(crate) fn shared_memory(context: &StateStoreContext) -> Result<&'static SharedMemory, StreamsError> {
    Ok(SharedMemory::global(budget(context)?))
}

/// Settings of a RocksDB-backed store supplier.
#[derive(Clone, Default)]
pub struct RocksDbSettings {
    /// Per-store tuning hook.
    pub config_setter: Option<Arc<dyn RocksDbConfigSetter>>,
}

impl std::fmt::Debug for RocksDbSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RocksDbSettings")
            .field("config_setter", &self.config_setter.is_some())
            .finish()
    }
}

/// The budget configured in `context` (or the default).
fn budget(context: &StateStoreContext) -> Result<usize, StreamsError> {
    match context.config.get(ROCKSDB_MEMORY_BYTES) {
        None => Ok(DEFAULT_MEMORY_BYTES),
        Some(v) => v.parse().map_err(|e| StreamsError::Config {
            key: ROCKSDB_MEMORY_BYTES.into(),
            reason: format!("{v:?} is not a byte count: {e}"),
        }),
    }
}

/// The options every store starts from (shared cache and write-buffer
/// budget included), then the user's hook: what a store named `name` opens
/// with. Public so benchmarks and tools can open RocksDB exactly as the stores do.
pub fn rocksdb_options(
    name: &str,
    context: &StateStoreContext,
    settings: &RocksDbSettings,
) -> Result<Options, StreamsError> {
    let shared = shared_memory(context)?;
    let mut table = BlockBasedOptions::default();
    table.set_block_cache(&shared.cache);
    table.set_block_size(4096);
    table.set_cache_index_and_filter_blocks(true);
    table.set_pin_l0_filter_and_index_blocks_in_cache(true);
    table.set_bloom_filter(10.0, false);
    table.set_format_version(5);
    let mut opts = Options::default();
    opts.create_if_missing(true);
    opts.create_missing_column_families(true);
    opts.set_block_based_table_factory(&table);
    opts.set_write_buffer_manager(&shared.write_buffers);
    opts.set_write_buffer_size(4 << 20);
    opts.set_max_write_buffer_number(2);
    opts.set_arena_block_size(64 << 10);
    opts.set_compression_type(DBCompressionType::None);
    opts.set_max_open_files(64);
    opts.set_keep_log_file_num(2);
    opts.set_max_log_file_size(1 << 20);
    opts.set_log_level(LogLevel::Warn);
    opts.set_stats_dump_period_sec(0);
    if let Some(setter) = &settings.config_setter {
        setter.set_config(name, &mut opts);
    }
    Ok(opts)
}

/// `<task dir>/rocksdb/<store>`, created.
pub(crate) fn store_dir(name: &str, context: &StateStoreContext) -> Result<PathBuf, StreamsError> {
    let dir = context.state_dir.join("rocksdb").join(name);
    std::fs::create_dir_all(&dir).map_err(|e| {
        store_error(
            name,
            format!("cannot create the store directory {}: {e}", dir.display()),
        )
    })?;
    Ok(dir)
}

/// Adds a write of `key` to `batch`: a put of `value`, or a delete for `None`.
pub(crate) fn batch_write(batch: &mut WriteBatch, key: &[u8], value: Option<&[u8]>) {
    match value {
        Some(v) => batch.put(key, v),
        None => batch.delete(key),
    }
}

pub(crate) fn rocks_error(name: &str, path: &Path, what: &str, e: rocksdb::Error) -> StreamsError {
    store_error(name, format!("RocksDB {what} failed at {}: {e}", path.display()))
}
