//! One contract per store shape, run against every backend and layer
//! combination: in memory and RocksDB, with and without caching and
//! change-logging. Reads are checked both before and after a flush, so
//! cached and written-through data must look the same.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{Combo, Env, combos};
use state_stores::{MeteredKeyValueStore, MeteredSessionStore, MeteredWindowStore, Stores};
use streams_core::serde::{I64Serde, StringSerde};
use streams_core::store::{KeyValueStore, SessionStore, StateStore, Window, WindowStore, Windowed};

fn kv_store(combo: Combo, env: &Env) -> MeteredKeyValueStore<String, i64> {
    let mut b = Stores::key_value_store_builder(combo.kv_supplier("kv"), StringSerde, I64Serde);
    b = if combo.caching {
        b.with_caching_enabled()
    } else {
        b.with_caching_disabled()
    };
    b = if combo.logging {
        b.with_logging_enabled(BTreeMap::new())
    } else {
        b.with_logging_disabled()
    };
    let mut store = b.build_store();
    store.init(&env.context()).unwrap();
    store
}

fn keys(it: streams_core::store::KeyValueIter<'_, String, i64>) -> Vec<String> {
    it.map(|r| r.unwrap().0).collect()
}

fn s(k: &str) -> String {
    k.to_owned()
}

fn check_kv_reads(store: &MeteredKeyValueStore<String, i64>, combo: Combo) {
    let ctx = combo.to_string();
    assert_eq!(
        keys(store.all().unwrap()),
        ["a", "ab", "b", "c", "d"],
        "{ctx}: ascending by key bytes"
    );
    assert_eq!(
        keys(store.reverse_all().unwrap()),
        ["d", "c", "b", "ab", "a"],
        "{ctx}: descending"
    );
    assert_eq!(
        keys(store.range(Some(&s("ab")), Some(&s("c"))).unwrap()),
        ["ab", "b", "c"],
        "{ctx}: inclusive"
    );
    assert_eq!(
        keys(store.reverse_range(Some(&s("ab")), Some(&s("c"))).unwrap()),
        ["c", "b", "ab"],
        "{ctx}"
    );
    assert_eq!(
        keys(store.range(None, Some(&s("ab"))).unwrap()),
        ["a", "ab"],
        "{ctx}: open lower bound"
    );
    assert_eq!(
        keys(store.range(Some(&s("c")), None).unwrap()),
        ["c", "d"],
        "{ctx}: open upper bound"
    );
    assert!(
        keys(store.range(Some(&s("c")), Some(&s("b"))).unwrap()).is_empty(),
        "{ctx}: from > to"
    );
    assert_eq!(keys(store.prefix_scan(b"a").unwrap()), ["a", "ab"], "{ctx}: prefix");
    assert_eq!(store.get(&s("b")).unwrap(), Some(20), "{ctx}");
    assert_eq!(store.get(&s("e")).unwrap(), None, "{ctx}: deleted");
    assert_eq!(store.get(&s("zz")).unwrap(), None, "{ctx}: never written");
    let values: Vec<i64> = store.all().unwrap().map(|r| r.unwrap().1).collect();
    assert_eq!(values, [1, 12, 20, 3, 4], "{ctx}: latest values");
}

#[test]
fn key_value_contract() {
    for combo in combos() {
        let env = Env::new(1 << 20);
        let mut store = kv_store(combo, &env);
        let ctx = combo.to_string();
        for (k, v) in [("d", 4), ("b", 2), ("a", 1), ("c", 3), ("e", 5), ("ab", 12)] {
            store.put(&s(k), &v).unwrap();
        }
        store.put(&s("b"), &20).unwrap();
        assert_eq!(store.put_if_absent(&s("a"), &99).unwrap(), Some(1), "{ctx}: present");
        assert_eq!(store.put_if_absent(&s("f"), &6).unwrap(), None, "{ctx}: absent");
        assert_eq!(
            store.delete(&s("f")).unwrap(),
            Some(6),
            "{ctx}: delete returns the old value"
        );
        assert_eq!(store.delete(&s("e")).unwrap(), Some(5), "{ctx}");
        assert_eq!(store.delete(&s("e")).unwrap(), None, "{ctx}: second delete");
        check_kv_reads(&store, combo);
        store.flush().unwrap();
        check_kv_reads(&store, combo);
        store.put_all(&[(s("x"), 7), (s("y"), 8)]).unwrap();
        assert_eq!(
            keys(store.range(Some(&s("x")), None).unwrap()),
            ["x", "y"],
            "{ctx}: put_all"
        );
        assert!(store.approximate_num_entries().unwrap() > 0, "{ctx}");
        let m = store.metrics().unwrap();
        assert!(
            m.puts >= 7 && m.gets >= 3 && m.ranges >= 8 && m.put_alls == 1,
            "{ctx}: {m:?}"
        );
        store.flush().unwrap();
        store.close().unwrap();
        let changelog = env.changelog("app-kv-changelog");
        if combo.logging {
            assert!(!changelog.is_empty(), "{ctx}: changelog written");
            assert!(
                changelog.iter().all(|r| r.partition == Some(3)),
                "{ctx}: on the task's partition"
            );
            let last_b = changelog.iter().rev().find(|r| r.key.as_deref() == Some(b"b")).unwrap();
            assert_eq!(last_b.value.as_deref(), Some(&20i64.to_be_bytes()[..]), "{ctx}");
            let last_e = changelog.iter().rev().find(|r| r.key.as_deref() == Some(b"e")).unwrap();
            assert_eq!(last_e.value, None, "{ctx}: deletes are tombstones");
        } else {
            assert!(changelog.is_empty(), "{ctx}: no changelog without logging");
        }
    }
}

fn window_store(combo: Combo, env: &Env, dups: bool) -> MeteredWindowStore<String, i64> {
    let supplier = combo.window_supplier("win", 100, 10, dups);
    let mut b = Stores::window_store_builder(supplier, StringSerde, I64Serde).unwrap();
    b = if combo.caching {
        b.with_caching_enabled()
    } else {
        b.with_caching_disabled()
    };
    b = if combo.logging {
        b.with_logging_enabled(BTreeMap::new())
    } else {
        b.with_logging_disabled()
    };
    let mut store = b.build_store();
    store.init(&env.context()).unwrap();
    store
}

type WindowRows = Vec<(String, i64, i64)>;

fn rows(it: streams_core::store::KeyValueIter<'_, Windowed<String>, i64>) -> WindowRows {
    it.map(|r| {
        let (w, v) = r.unwrap();
        assert_eq!(w.window.end - w.window.start, 10, "windows end at start + size");
        (w.key, w.window.start, v)
    })
    .collect()
}

fn times(it: streams_core::store::WindowIter<'_, i64>) -> Vec<(i64, i64)> {
    it.map(|r| r.unwrap()).collect()
}

fn check_window_reads(store: &MeteredWindowStore<String, i64>, ctx: &str) {
    assert_eq!(
        times(store.fetch(&s("a"), 0, 20).unwrap()),
        [(0, 1), (10, 2), (20, 3)],
        "{ctx}"
    );
    assert_eq!(
        times(store.fetch(&s("a"), 5, 15).unwrap()),
        [(10, 2)],
        "{ctx}: inclusive time bounds"
    );
    assert_eq!(
        times(store.fetch(&s("a"), 10, 20).unwrap()),
        [(10, 2), (20, 3)],
        "{ctx}"
    );
    assert_eq!(
        times(store.backward_fetch(&s("a"), 0, 20).unwrap()),
        [(20, 3), (10, 2), (0, 1)],
        "{ctx}"
    );
    assert_eq!(store.fetch_one(&s("a"), 10).unwrap(), Some(2), "{ctx}");
    assert_eq!(store.fetch_one(&s("a"), 11).unwrap(), None, "{ctx}");
    assert_eq!(
        times(store.fetch(&s("ab"), 0, 100).unwrap()),
        [(10, 9)],
        "{ctx}: a prefix key is not a match"
    );
    let range = rows(store.fetch_range(Some(&s("a")), Some(&s("b")), 10, 10).unwrap());
    assert_eq!(
        range,
        [(s("a"), 10, 2), (s("ab"), 10, 9), (s("b"), 10, 5)],
        "{ctx}: key range"
    );
    let range = rows(store.fetch_range(Some(&s("ab")), Some(&s("b")), 0, 100).unwrap());
    assert_eq!(
        range,
        [(s("ab"), 10, 9), (s("b"), 10, 5)],
        "{ctx}: inclusive key bounds"
    );
    let mut back = rows(
        store
            .backward_fetch_range(Some(&s("a")), Some(&s("b")), 10, 10)
            .unwrap(),
    );
    back.reverse();
    assert_eq!(
        back,
        [(s("a"), 10, 2), (s("ab"), 10, 9), (s("b"), 10, 5)],
        "{ctx}: backward key range"
    );
    assert_eq!(
        rows(store.fetch_all(20, 20).unwrap()),
        [(s("a"), 20, 3)],
        "{ctx}: fetch_all"
    );
    assert_eq!(rows(store.all().unwrap()).len(), 5, "{ctx}: all");
    assert_eq!(rows(store.backward_all().unwrap()).len(), 5, "{ctx}: backward_all");
}

#[test]
fn window_contract() {
    for combo in combos() {
        let env = Env::new(1 << 20);
        let ctx = combo.to_string();
        let mut store = window_store(combo, &env, false);
        for (k, v, t) in [
            ("a", 1, 0),
            ("a", 2, 10),
            ("a", 3, 20),
            ("b", 5, 10),
            ("ab", 9, 10),
            ("c", 7, 30),
        ] {
            store.put(&s(k), Some(&v), t).unwrap();
        }
        store.put(&s("c"), None, 30).unwrap();
        check_window_reads(&store, &ctx);
        store.flush().unwrap();
        check_window_reads(&store, &ctx);

        // Retention 100: once stream time reaches 200, windows starting at or
        // before 100 have expired; 101 is the first live start.
        store.put(&s("z"), Some(&1), 200).unwrap();
        assert!(
            times(store.fetch(&s("a"), 0, 300).unwrap()).is_empty(),
            "{ctx}: expired"
        );
        store.put(&s("k"), Some(&1), 100).unwrap();
        store.put(&s("k"), Some(&2), 101).unwrap();
        assert_eq!(
            times(store.fetch(&s("k"), 0, 300).unwrap()),
            [(101, 2)],
            "{ctx}: retention boundary"
        );
        store.flush().unwrap();
        assert_eq!(
            times(store.fetch(&s("k"), 0, 300).unwrap()),
            [(101, 2)],
            "{ctx}: after flush"
        );
        assert_eq!(store.fetch_one(&s("k"), 100).unwrap(), None, "{ctx}");
        assert!(
            store.metrics().unwrap().expired_dropped >= 1,
            "{ctx}: expired writes counted"
        );
        assert_eq!(
            rows(store.all().unwrap()),
            [(s("k"), 101, 2), (s("z"), 200, 1)],
            "{ctx}"
        );
        store.close().unwrap();
        let changelog = env.changelog("app-win-changelog");
        if combo.logging {
            // Kafka's layout: key ++ start ++ sequence number.
            let first = changelog
                .iter()
                .find(|r| r.key.as_deref().is_some_and(|k| k[0] == b'a'))
                .unwrap();
            let mut expected = b"a".to_vec();
            expected.extend_from_slice(&0i64.to_be_bytes());
            expected.extend_from_slice(&0u32.to_be_bytes());
            assert_eq!(first.key.as_deref(), Some(&expected[..]), "{ctx}");
        } else {
            assert!(changelog.is_empty(), "{ctx}");
        }
    }
}

#[test]
fn window_store_retaining_duplicates_keeps_every_put() {
    for combo in combos() {
        let env = Env::new(1 << 20);
        let ctx = combo.to_string();
        let mut store = window_store(combo, &env, true);
        store.put(&s("a"), Some(&1), 10).unwrap();
        store.put(&s("a"), Some(&2), 10).unwrap();
        store.put(&s("a"), None, 10).unwrap();
        assert_eq!(times(store.fetch(&s("a"), 0, 20).unwrap()), [(10, 1), (10, 2)], "{ctx}");
        store.flush().unwrap();
        assert_eq!(times(store.fetch(&s("a"), 0, 20).unwrap()), [(10, 1), (10, 2)], "{ctx}");
        store.close().unwrap();
    }
}

fn session_store(combo: Combo, env: &Env) -> MeteredSessionStore<String, i64> {
    let supplier = combo.session_supplier("sess", 100);
    let mut b = Stores::session_store_builder(supplier, StringSerde, I64Serde).unwrap();
    b = if combo.caching {
        b.with_caching_enabled()
    } else {
        b.with_caching_disabled()
    };
    b = if combo.logging {
        b.with_logging_enabled(BTreeMap::new())
    } else {
        b.with_logging_disabled()
    };
    let mut store = b.build_store();
    store.init(&env.context()).unwrap();
    store
}

fn sess(k: &str, start: i64, end: i64) -> Windowed<String> {
    Windowed::new(s(k), Window::new(start, end))
}

fn sessions(it: streams_core::store::KeyValueIter<'_, Windowed<String>, i64>) -> Vec<(String, i64, i64, i64)> {
    it.map(|r| {
        let (w, v) = r.unwrap();
        (w.key, w.window.start, w.window.end, v)
    })
    .collect()
}

fn check_session_reads(store: &MeteredSessionStore<String, i64>, ctx: &str) {
    let a = |st, en, v| (s("a"), st, en, v);
    assert_eq!(
        sessions(store.find_sessions(&s("a"), 4, 12).unwrap()),
        [a(0, 5, 1), a(10, 20, 2)],
        "{ctx}"
    );
    assert_eq!(
        sessions(store.find_sessions(&s("a"), 5, 10).unwrap()),
        [a(0, 5, 1), a(10, 20, 2)],
        "{ctx}: inclusive"
    );
    assert!(
        sessions(store.find_sessions(&s("a"), 6, 9).unwrap()).is_empty(),
        "{ctx}: in the gap"
    );
    assert_eq!(
        sessions(store.fetch(&s("a")).unwrap()),
        [a(0, 5, 1), a(10, 20, 2)],
        "{ctx}: fetch"
    );
    assert_eq!(
        sessions(store.backward_fetch(&s("a")).unwrap()),
        [a(10, 20, 2), a(0, 5, 1)],
        "{ctx}"
    );
    assert_eq!(
        sessions(store.fetch(&s("ab")).unwrap()),
        [(s("ab"), 2, 2, 7)],
        "{ctx}: prefix key is not a match"
    );
    assert_eq!(store.fetch_session(&s("b"), 3, 8).unwrap(), Some(3), "{ctx}");
    assert_eq!(store.fetch_session(&s("b"), 3, 9).unwrap(), None, "{ctx}");
    let range = sessions(
        store
            .find_sessions_range(Some(&s("ab")), Some(&s("b")), 0, 100)
            .unwrap(),
    );
    assert_eq!(range, [(s("ab"), 2, 2, 7), (s("b"), 3, 8, 3)], "{ctx}: key range");
}

#[test]
fn session_contract() {
    for combo in combos() {
        let env = Env::new(1 << 20);
        let ctx = combo.to_string();
        let mut store = session_store(combo, &env);
        store.put(&sess("a", 0, 5), &1).unwrap();
        store.put(&sess("a", 10, 20), &2).unwrap();
        store.put(&sess("b", 3, 8), &3).unwrap();
        store.put(&sess("ab", 2, 2), &7).unwrap();
        store.put(&sess("c", 1, 4), &9).unwrap();
        store.remove(&sess("c", 1, 4)).unwrap();
        assert!(sessions(store.fetch(&s("c")).unwrap()).is_empty(), "{ctx}: removed");
        check_session_reads(&store, &ctx);
        store.flush().unwrap();
        check_session_reads(&store, &ctx);

        // Retention 100 after a session ending at 300: ends before 201 expire.
        store.put(&sess("z", 250, 300), &1).unwrap();
        assert!(sessions(store.fetch(&s("a")).unwrap()).is_empty(), "{ctx}: expired");
        store.put(&sess("k", 150, 200), &1).unwrap();
        store.put(&sess("k", 150, 201), &2).unwrap();
        assert_eq!(
            sessions(store.fetch(&s("k")).unwrap()),
            [(s("k"), 150, 201, 2)],
            "{ctx}: boundary"
        );
        store.flush().unwrap();
        assert_eq!(
            sessions(store.fetch(&s("k")).unwrap()),
            [(s("k"), 150, 201, 2)],
            "{ctx}: after flush"
        );
        assert!(store.metrics().unwrap().expired_dropped >= 1, "{ctx}");
        store.close().unwrap();
        assert_eq!(env.changelog("app-sess-changelog").is_empty(), !combo.logging, "{ctx}");
    }
}

/// A time-ordered session store (Kafka's emit-on-close store) keeps writes
/// past the retention period until their whole segment expires: lookups by
/// key skip them, `find_sessions_ending` returns them, ordered by end, start,
/// then key. A plain session store drops them at once.
#[test]
fn time_ordered_session_store_expires_by_whole_segments() {
    for combo in combos() {
        for time_ordered in [false, true] {
            let env = Env::new(1 << 20);
            let ctx = format!("{combo}, time ordered: {time_ordered}");
            // Retention 100, segments of 50.
            let mut supplier = combo.session_supplier("sess", 100);
            if time_ordered {
                supplier = supplier.with_time_ordered_sessions().unwrap();
            }
            let mut b = Stores::session_store_builder(supplier, StringSerde, I64Serde).unwrap();
            b = if combo.caching {
                b.with_caching_enabled()
            } else {
                b.with_caching_disabled()
            };
            let mut store = b.with_logging_disabled().build_store();
            store.init(&env.context()).unwrap();
            store.put(&sess("c", 100, 120), &3).unwrap();
            store.put(&sess("b", 150, 199), &2).unwrap();
            store.put(&sess("a", 190, 200), &1).unwrap();
            store.put(&sess("e", 190, 200), &6).unwrap();
            store.put(&sess("a", 210, 210), &4).unwrap();
            // Observed 300: exactly live from 201; segment 4 (200..250) lives.
            store.put(&sess("z", 299, 300), &9).unwrap();
            store.put(&sess("d", 200, 200), &5).unwrap();
            store.put(&sess("f", 100, 150), &7).unwrap();
            for phase in ["before flush", "after flush"] {
                let ending = sessions(store.find_sessions_ending(0, 250).unwrap());
                let expected: &[(String, i64, i64, i64)] = if time_ordered {
                    &[
                        (s("a"), 190, 200, 1),
                        (s("e"), 190, 200, 6),
                        (s("d"), 200, 200, 5),
                        (s("a"), 210, 210, 4),
                    ]
                } else {
                    &[(s("a"), 210, 210, 4)]
                };
                assert_eq!(ending, expected, "{ctx}, {phase}");
                assert_eq!(
                    sessions(store.find_sessions_ending(200, 205).unwrap()).len(),
                    expected.len() - 1,
                    "{ctx}, {phase}: bounded by end"
                );
                assert_eq!(
                    sessions(store.fetch(&s("a")).unwrap()),
                    [(s("a"), 210, 210, 4)],
                    "{ctx}, {phase}: key lookups expire exactly"
                );
                assert_eq!(store.fetch_session(&s("d"), 200, 200).unwrap(), None, "{ctx}, {phase}");
                store.flush().unwrap();
            }
            if !combo.caching {
                // (A cache flushes one batch, judged against its newest entry.)
                let dropped = store.metrics().unwrap().expired_dropped;
                assert_eq!(dropped, if time_ordered { 1 } else { 2 }, "{ctx}: dropped writes");
            }
            store.close().unwrap();
        }
    }
}

#[test]
fn only_session_stores_can_be_time_ordered() {
    let supplier = Stores::in_memory_window_store("w", Duration::from_millis(100), Duration::from_millis(10), false);
    assert!(supplier.unwrap().with_time_ordered_sessions().is_err());
}

#[test]
fn store_latencies_are_measured_only_from_the_debug_recording_level() {
    for (level, timed) in [("INFO", false), ("DEBUG", true), ("TRACE", true)] {
        let env = Env::new(0);
        let mut store =
            Stores::key_value_store_builder(Stores::persistent_key_value_store("kv"), StringSerde, I64Serde)
                .with_caching_disabled()
                .build_store();
        let config = streams_core::StreamsConfig::new("app").with("metrics.recording.level", level);
        store.init(&env.context().with_config(config)).unwrap();
        for i in 0..50 {
            store.put(&format!("k{i}"), &i).unwrap();
            assert_eq!(store.get(&format!("k{i}")).unwrap(), Some(i));
        }
        let m = store.metrics().unwrap();
        assert_eq!((m.puts, m.gets), (50, 50), "{level}: counted at every level");
        assert_eq!(
            m.put_time > Duration::ZERO && m.get_time > Duration::ZERO,
            timed,
            "{level}: {m:?}"
        );
        store.close().unwrap();
    }
}
