//! Property tests: each RocksDB store shape (with and without caching)
//! against a plain in-memory model, over random operation sequences.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use common::{Combo, Env};
use proptest::prelude::*;
use state_stores::Stores;
use streams_core::serde::{BytesSerde, I64Serde};
use streams_core::store::{KeyValueStore, SessionStore, StateStore, Window, WindowStore, Windowed};

fn key() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop_oneof![Just(0u8), Just(1u8), Just(b'a'), Just(0xff)], 1..4)
}

#[derive(Debug, Clone)]
enum KvOp {
    Put(Vec<u8>, i64),
    /// A batch, unsorted and with repeated keys: the last write of a key wins.
    PutAll(Vec<(Vec<u8>, i64)>),
    Delete(Vec<u8>),
    Get(Vec<u8>),
    Range(Option<Vec<u8>>, Option<Vec<u8>>, bool),
    Prefix(Vec<u8>),
    Flush,
    /// Close, then open the same store again: what it held back is on disk.
    Reopen,
}

fn kv_op() -> impl Strategy<Value = KvOp> {
    prop_oneof![
        4 => (key(), any::<i64>()).prop_map(|(k, v)| KvOp::Put(k, v)),
        2 => prop::collection::vec((key(), any::<i64>()), 1..8).prop_map(KvOp::PutAll),
        2 => key().prop_map(KvOp::Delete),
        2 => key().prop_map(KvOp::Get),
        2 => (prop::option::of(key()), prop::option::of(key()), any::<bool>()).prop_map(|(a, b, r)| KvOp::Range(a, b, r)),
        1 => key().prop_map(KvOp::Prefix),
        1 => Just(KvOp::Flush),
        1 => Just(KvOp::Reopen),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn rocksdb_key_value_store_matches_a_btreemap(ops in prop::collection::vec(kv_op(), 1..60), caching in any::<bool>()) {
        let env = Env::new(250);
        let open = || {
            let mut b = Stores::key_value_store_builder(Stores::persistent_key_value_store("kv"), BytesSerde, I64Serde);
            if caching { b = b.with_caching_enabled(); }
            let mut store = b.build_store();
            store.init(&env.context()).unwrap();
            store
        };
        let mut store = open();
        let mut model: BTreeMap<Vec<u8>, i64> = BTreeMap::new();
        for op in ops {
            match op {
                KvOp::Put(k, v) => { store.put(&k, &v).unwrap(); model.insert(k, v); }
                KvOp::PutAll(entries) => { store.put_all(&entries).unwrap(); model.extend(entries); }
                KvOp::Delete(k) => prop_assert_eq!(store.delete(&k).unwrap(), model.remove(&k)),
                KvOp::Get(k) => prop_assert_eq!(store.get(&k).unwrap(), model.get(&k).copied()),
                KvOp::Range(a, b, reverse) => {
                    let got: Vec<(Vec<u8>, i64)> = if reverse {
                        store.reverse_range(a.as_ref(), b.as_ref()).unwrap().map(Result::unwrap).collect()
                    } else {
                        store.range(a.as_ref(), b.as_ref()).unwrap().map(Result::unwrap).collect()
                    };
                    let mut want: Vec<(Vec<u8>, i64)> = model
                        .iter()
                        .filter(|(k, _)| a.as_ref().is_none_or(|a| *k >= a) && b.as_ref().is_none_or(|b| *k <= b))
                        .map(|(k, v)| (k.clone(), *v))
                        .collect();
                    if reverse { want.reverse(); }
                    prop_assert_eq!(got, want);
                }
                KvOp::Prefix(p) => {
                    let got: Vec<Vec<u8>> = store.prefix_scan(&p).unwrap().map(|r| r.unwrap().0).collect();
                    let want: Vec<Vec<u8>> = model.keys().filter(|k| k.starts_with(&p)).cloned().collect();
                    prop_assert_eq!(got, want);
                }
                KvOp::Flush => store.flush().unwrap(),
                KvOp::Reopen => {
                    store.close().unwrap();
                    store = open();
                }
            }
        }
        store.close().unwrap();
    }
}

#[derive(Debug, Clone)]
enum WinOp {
    Put(Vec<u8>, i64, Option<i64>),
    Fetch(Vec<u8>, i64, i64, bool),
    FetchAll(i64, i64),
    Flush,
}

fn win_op() -> impl Strategy<Value = WinOp> {
    prop_oneof![
        5 => (key(), 0i64..400, prop::option::weighted(0.85, any::<i64>())).prop_map(|(k, t, v)| WinOp::Put(k, t, v)),
        3 => (key(), 0i64..400, 0i64..400, any::<bool>()).prop_map(|(k, a, b, r)| WinOp::Fetch(k, a.min(b), a.max(b), r)),
        1 => (0i64..400, 0i64..400).prop_map(|(a, b)| WinOp::FetchAll(a.min(b), a.max(b))),
        1 => Just(WinOp::Flush),
    ]
}

/// The window model: a map by (key, start), with Kafka's expiry rule.
struct WindowModel {
    map: BTreeMap<(Vec<u8>, i64), i64>,
    observed: i64,
    retention: i64,
}

impl WindowModel {
    fn live_from(&self) -> i64 {
        self.observed - self.retention + 1
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn rocksdb_window_store_matches_a_model(ops in prop::collection::vec(win_op(), 1..60), caching in any::<bool>()) {
        let env = Env::new(1 << 20);
        let combo = Combo { rocksdb: true, caching, logging: false };
        let mut b = Stores::window_store_builder(combo.window_supplier("w", 100, 10, false), BytesSerde, I64Serde).unwrap();
        if caching { b = b.with_caching_enabled(); }
        let mut store = b.build_store();
        store.init(&env.context()).unwrap();
        let mut model = WindowModel { map: BTreeMap::new(), observed: -1, retention: 100 };
        for op in ops {
            match op {
                WinOp::Put(k, t, v) => {
                    store.put(&k, v.as_ref(), t).unwrap();
                    model.observed = model.observed.max(t);
                    if t >= model.live_from() {
                        match v {
                            Some(v) => { model.map.insert((k, t), v); }
                            None => { model.map.remove(&(k, t)); }
                        }
                    }
                }
                WinOp::Fetch(k, a, b, reverse) => {
                    let got: Vec<(i64, i64)> = if reverse {
                        store.backward_fetch(&k, a, b).unwrap().map(Result::unwrap).collect()
                    } else {
                        store.fetch(&k, a, b).unwrap().map(Result::unwrap).collect()
                    };
                    let live = model.live_from();
                    let mut want: Vec<(i64, i64)> = model.map.iter()
                        .filter(|((mk, t), _)| *mk == k && *t >= a && *t <= b && *t >= live)
                        .map(|((_, t), v)| (*t, *v)).collect();
                    if reverse { want.reverse(); }
                    prop_assert_eq!(got, want);
                }
                WinOp::FetchAll(a, b) => {
                    let mut got: Vec<(Vec<u8>, i64, i64)> = store.fetch_all(a, b).unwrap()
                        .map(|r| { let (w, v) = r.unwrap(); (w.key, w.window.start, v) }).collect();
                    got.sort();
                    let live = model.live_from();
                    let want: Vec<(Vec<u8>, i64, i64)> = model.map.iter()
                        .filter(|((_, t), _)| *t >= a && *t <= b && *t >= live)
                        .map(|((k, t), v)| (k.clone(), *t, *v)).collect();
                    prop_assert_eq!(got, want);
                }
                WinOp::Flush => store.flush().unwrap(),
            }
        }
        store.close().unwrap();
    }
}

#[derive(Debug, Clone)]
enum SessOp {
    Put(Vec<u8>, i64, i64, i64),
    Remove(Vec<u8>, i64, i64),
    Find(Vec<u8>, i64, i64),
    Flush,
}

fn sess_op() -> impl Strategy<Value = SessOp> {
    prop_oneof![
        5 => (key(), 0i64..400, 0i64..30, any::<i64>()).prop_map(|(k, s, len, v)| SessOp::Put(k, s, s + len, v)),
        1 => (key(), 0i64..400, 0i64..30).prop_map(|(k, s, len)| SessOp::Remove(k, s, s + len)),
        3 => (key(), 0i64..450, 0i64..450).prop_map(|(k, e, s)| SessOp::Find(k, e, s)),
        1 => Just(SessOp::Flush),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn rocksdb_session_store_matches_a_model(ops in prop::collection::vec(sess_op(), 1..60), caching in any::<bool>()) {
        let env = Env::new(1 << 20);
        let combo = Combo { rocksdb: true, caching, logging: false };
        let mut b = Stores::session_store_builder(combo.session_supplier("s", 100), BytesSerde, I64Serde).unwrap();
        if caching { b = b.with_caching_enabled(); }
        let mut store = b.build_store();
        store.init(&env.context()).unwrap();
        // (key, end, start) -> value: the store's order within a segment.
        let mut model: BTreeMap<(Vec<u8>, i64, i64), i64> = BTreeMap::new();
        let mut observed = -1i64;
        for op in ops {
            match op {
                SessOp::Put(k, s, e, v) => {
                    store.put(&Windowed::new(k.clone(), Window::new(s, e)), &v).unwrap();
                    observed = observed.max(e);
                    if e > observed - 100 { model.insert((k, e, s), v); }
                }
                SessOp::Remove(k, s, e) => {
                    store.remove(&Windowed::new(k.clone(), Window::new(s, e))).unwrap();
                    observed = observed.max(e);
                    model.remove(&(k, e, s));
                }
                SessOp::Find(k, earliest_end, latest_start) => {
                    let got: Vec<(i64, i64, i64)> = store.find_sessions(&k, earliest_end, latest_start).unwrap()
                        .map(|r| { let (w, v) = r.unwrap(); (w.window.start, w.window.end, v) }).collect();
                    let live = observed - 100 + 1;
                    let mut want: Vec<(i64, i64, i64, i64)> = model.iter()
                        .filter(|((mk, e, s), _)| *mk == k && *e >= earliest_end && *s <= latest_start && *e >= live)
                        .map(|((_, e, s), v)| (e / 50, *s, *e, *v)).collect();
                    // Segment (of the end) first, then end, then start.
                    want.sort_by_key(|&(seg, s, e, _)| (seg, e, s));
                    let want: Vec<(i64, i64, i64)> = want.into_iter().map(|(_, s, e, v)| (s, e, v)).collect();
                    prop_assert_eq!(got, want);
                }
                SessOp::Flush => store.flush().unwrap(),
            }
        }
        store.close().unwrap();
    }
}
