//! The caching layer forwards only the latest value per key per commit, and
//! the change-logging layer under it writes one changelog record per flushed
//! update.
#![allow(clippy::unwrap_used)]

mod common;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use common::Env;
use state_stores::Stores;
use streams_core::serde::{I64Serde, StringSerde};
use streams_core::store::{FlushedRecord, KeyValueStore, StateStore};

type Seen = Rc<RefCell<Vec<FlushedRecord<String, i64>>>>;

fn store(
    env: &Env,
    caching: bool,
    rocksdb: bool,
    send_old_values: bool,
) -> (state_stores::MeteredKeyValueStore<String, i64>, Seen) {
    let supplier = if rocksdb {
        Stores::persistent_key_value_store("counts")
    } else {
        Stores::in_memory_key_value_store("counts")
    };
    let mut b = Stores::key_value_store_builder(supplier, StringSerde, I64Serde).with_logging_enabled(BTreeMap::new());
    if caching {
        b = b.with_caching_enabled();
    }
    let mut store = b.build_store();
    store.init(&env.context()).unwrap();
    let seen: Seen = Rc::default();
    let sink = Rc::clone(&seen);
    let caches = store.set_flush_listener(
        Box::new(move |r| {
            sink.borrow_mut().push(r);
            Ok(())
        }),
        send_old_values,
    );
    assert_eq!(caches, caching, "set_flush_listener says whether the store caches");
    (store, seen)
}

fn flushed(k: &str, new: Option<i64>, old: Option<i64>, ts: i64) -> FlushedRecord<String, i64> {
    FlushedRecord {
        key: k.to_owned(),
        new_value: new,
        old_value: old,
        timestamp: ts,
    }
}

#[test]
fn caching_forwards_the_latest_value_per_key_per_commit_and_logs_one_record_each() {
    for rocksdb in [false, true] {
        let env = Env::new(1 << 20);
        let (mut store, seen) = store(&env, true, rocksdb, true);
        let s = |k: &str| k.to_owned();
        for (k, v, t) in [("a", 1, 10), ("b", 1, 11), ("a", 2, 12), ("a", 3, 13), ("b", 2, 14)] {
            env.time.set(t);
            store.put(&s(k), &v).unwrap();
        }
        assert_eq!(store.get(&s("a")).unwrap(), Some(3), "reads see the cache");
        assert!(seen.borrow().is_empty(), "nothing forwarded before the commit");
        assert!(
            env.changelog("app-counts-changelog").is_empty(),
            "nothing logged before the commit"
        );

        store.flush().unwrap(); // the commit
        assert_eq!(
            *seen.borrow(),
            [flushed("a", Some(3), None, 13), flushed("b", Some(2), None, 14)],
            "one record per key: its latest value, in order of latest write"
        );
        let log = env.changelog("app-counts-changelog");
        assert_eq!(log.len(), 2, "one changelog record per flushed update");
        assert_eq!(log[0].key.as_deref(), Some(&b"a"[..]));
        assert_eq!(log[0].value.as_deref(), Some(&3i64.to_be_bytes()[..]));

        seen.borrow_mut().clear();
        env.time.set(20);
        store.put(&s("a"), &4).unwrap();
        store.delete(&s("b")).unwrap();
        store.flush().unwrap();
        assert_eq!(
            *seen.borrow(),
            [flushed("a", Some(4), Some(3), 20), flushed("b", None, Some(2), 20)],
            "the next commit carries the old values from underneath"
        );
        assert_eq!(env.changelog("app-counts-changelog").len(), 4);
        store.flush().unwrap();
        assert_eq!(seen.borrow().len(), 2, "a commit with no writes forwards nothing");
        store.close().unwrap();
    }
}

#[test]
fn without_old_values_the_flush_reads_underneath_only_for_deletes_and_drops_deletes_of_absent_keys() {
    for rocksdb in [false, true] {
        let env = Env::new(1 << 20);
        let (mut store, seen) = store(&env, true, rocksdb, false);
        let s = |k: &str| k.to_owned();
        env.time.set(10);
        store.put(&s("a"), &1).unwrap();
        store.flush().unwrap();
        env.time.set(20);
        store.put(&s("a"), &2).unwrap();
        store.delete(&s("a")).unwrap();
        store.put(&s("b"), &7).unwrap();
        store.delete(&s("b")).unwrap();
        store.delete(&s("never")).unwrap();
        store.flush().unwrap();
        assert_eq!(
            *seen.borrow(),
            [flushed("a", Some(1), None, 10), flushed("a", None, None, 20)],
            "no old values; the deletes of `b` and `never`, which the store never held, are dropped"
        );
        let log = env.changelog("app-counts-changelog");
        assert_eq!(log.len(), 2, "a dropped delete is not logged either");
        assert_eq!(
            (log[1].key.as_deref(), log[1].value.as_deref()),
            (Some(&b"a"[..]), None)
        );
        assert_eq!(store.get(&s("a")).unwrap(), None);
        store.close().unwrap();
    }
}

#[test]
fn without_caching_every_write_is_logged_at_once() {
    let env = Env::new(1 << 20);
    let (mut store, seen) = store(&env, false, false, true);
    for v in 1..=3 {
        store.put(&"a".to_owned(), &v).unwrap();
    }
    assert_eq!(env.changelog("app-counts-changelog").len(), 3);
    store.flush().unwrap();
    assert!(seen.borrow().is_empty(), "no cache, no flush listener");
}

#[test]
fn a_full_cache_evicts_and_forwards_before_the_commit() {
    let env = Env::new(200);
    let (mut store, seen) = store(&env, true, false, true);
    for (i, k) in ["a", "b", "c", "d", "e"].iter().enumerate() {
        store.put(&k.to_string(), &(i as i64)).unwrap();
    }
    assert!(!seen.borrow().is_empty(), "eviction flushed dirty entries");
    assert!(env.cache.size_bytes() <= 200, "the cache stays within its budget");
    store.flush().unwrap();
    let mut keys: Vec<String> = seen.borrow().iter().map(|r| r.key.clone()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(
        keys,
        ["a", "b", "c", "d", "e"],
        "every key reached downstream exactly by the commit"
    );
    let all: Vec<(String, i64)> = store.all().unwrap().map(Result::unwrap).collect();
    assert_eq!(all.len(), 5);
}
