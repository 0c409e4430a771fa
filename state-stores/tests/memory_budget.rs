//! One process, 1,000 RocksDB stores, default settings: memory stays bounded
//! by the shared budget (block cache and memtables share one byte budget),
//! instead of growing with the number of stores. Alone in its test binary so
//! the resident-set figures are this test's own.
#![allow(clippy::unwrap_used)]

use state_stores::{DEFAULT_MEMORY_BYTES, SharedMemory, Stores};
use streams_core::engine::TaskId;
use streams_core::serde::BytesSerde;
use streams_core::store::{KeyValueStore, StateStore, StateStoreContext};

const STORES: usize = 1_000;
const RECORDS_PER_STORE: u64 = 200;

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[test]
fn a_thousand_stores_stay_within_the_shared_budget() {
    let dir = tempfile::tempdir().unwrap();
    let before = rss_bytes();
    let mut stores = Vec::with_capacity(STORES);
    for s in 0..STORES {
        let mut store = Stores::key_value_store_builder(
            Stores::persistent_key_value_store(format!("store-{s}")),
            BytesSerde,
            BytesSerde,
        )
        .with_logging_disabled()
        .build_store();
        let task_dir = dir.path().join(format!("0_{s}"));
        store
            .init(&StateStoreContext::new("app", TaskId::new(0, s as i32), task_dir))
            .unwrap();
        for i in 0..RECORDS_PER_STORE {
            store.put(&i.to_be_bytes().to_vec(), &vec![7u8; 256]).unwrap();
        }
        store.flush().unwrap();
        stores.push(store);
    }
    for store in &stores {
        assert_eq!(
            store.get(&(RECORDS_PER_STORE - 1).to_be_bytes().to_vec()).unwrap(),
            Some(vec![7u8; 256])
        );
    }
    let grown = rss_bytes().saturating_sub(before);
    let shared = SharedMemory::global(DEFAULT_MEMORY_BYTES);
    let per_store = grown / STORES as u64;
    println!(
        "{STORES} open stores: resident set grew {} MiB ({} KiB per store); shared cache holds {} MiB of a {} MiB budget",
        grown >> 20,
        per_store >> 10,
        shared.usage() >> 20,
        shared.budget() >> 20
    );
    assert!(
        shared.usage() <= shared.budget(),
        "the shared cache stays within its budget"
    );
    // Unbounded defaults (a private 50 MiB cache and 16 MiB memtables per
    // store) would let this process reach tens of GiB; bounded, it stays
    // within the budget plus a small fixed cost per open store.
    assert!(
        grown < (DEFAULT_MEMORY_BYTES as u64) + STORES as u64 * (768 << 10),
        "resident set grew {} MiB",
        grown >> 20
    );
    for mut store in stores {
        store.close().unwrap();
    }
}
