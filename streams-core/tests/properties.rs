//! Property tests: serde round trips on arbitrary values, and the in-memory
//! key-value store against a `BTreeMap` oracle over random operation sequences.

// A failing test panics: that is how it reports.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::ops::Bound;

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use streams_core::engine::TaskId;
use streams_core::serde::{BoolSerde, F64Serde, I32Serde, I64Serde, OptionSerde, StringSerde, U64Serde};
use streams_core::{
    Bincode, DefaultSerde, InMemoryKeyValueStore, Json, KeyValueStore, Serde, StateStore, StateStoreContext,
};

fn round_trip<T: PartialEq + std::fmt::Debug, S: Serde<T>>(serde: &S, value: &T) -> T {
    let bytes = serde.serialize("t", value).unwrap();
    serde.deserialize("t", bytes.as_deref()).unwrap()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Event {
    id: u64,
    user: String,
    tags: Vec<String>,
    score: Option<i32>,
}

fn event() -> impl Strategy<Value = Event> {
    (
        any::<u64>(),
        ".{0,12}",
        prop::collection::vec(".{0,6}", 0..4),
        any::<Option<i32>>(),
    )
        .prop_map(|(id, user, tags, score)| Event { id, user, tags, score })
}

proptest! {
    #[test]
    fn primitives_round_trip(s in ".*", i in any::<i32>(), l in any::<i64>(), u in any::<u64>(), f in any::<f64>(), b in any::<bool>()) {
        prop_assert_eq!(round_trip(&StringSerde, &s), s.clone());
        prop_assert_eq!(round_trip(&I32Serde, &i), i);
        prop_assert_eq!(round_trip(&I64Serde, &l), l);
        prop_assert_eq!(round_trip(&U64Serde, &u), u);
        prop_assert_eq!(round_trip(&F64Serde, &f).to_bits(), f.to_bits());
        prop_assert_eq!(round_trip(&BoolSerde, &b), b);
        // Kafka's layouts: big-endian, fixed width; strings are their UTF-8 bytes.
        prop_assert_eq!(I64Serde.serialize("t", &l).unwrap().unwrap(), l.to_be_bytes().to_vec());
        prop_assert_eq!(StringSerde.serialize("t", &s).unwrap().unwrap(), s.as_bytes().to_vec());
    }

    #[test]
    fn options_and_serde_types_round_trip(o in any::<Option<String>>(), e in event()) {
        prop_assert_eq!(round_trip(&OptionSerde(StringSerde), &o), o.clone());
        prop_assert_eq!(round_trip(&<Option<String>>::default_serde(), &o), o);
        prop_assert_eq!(round_trip(&Json::<Event>::new(), &e), e.clone());
        prop_assert_eq!(round_trip(&Bincode::<Event>::new(), &e), e);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..40), null in any::<bool>()) {
        let data = if null { None } else { Some(bytes.as_slice()) };
        let _ = StringSerde.deserialize("t", data);
        let _ = I32Serde.deserialize("t", data);
        let _ = I64Serde.deserialize("t", data);
        let _ = BoolSerde.deserialize("t", data);
        let _ = Json::<Event>::new().deserialize("t", data);
        let _ = Bincode::<Event>::new().deserialize("t", data);
    }
}

#[derive(Debug, Clone)]
enum Op {
    Put(String, i64),
    PutIfAbsent(String, i64),
    Delete(String),
    Get(String),
    Range(Option<String>, Option<String>, bool),
}

fn key() -> impl Strategy<Value = String> {
    // A small key space so operations collide; includes non-ASCII.
    prop::sample::select(vec!["", "a", "ab", "b", "ba", "z", "é", "日本"]).prop_map(str::to_owned)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (key(), any::<i64>()).prop_map(|(k, v)| Op::Put(k, v)),
        (key(), any::<i64>()).prop_map(|(k, v)| Op::PutIfAbsent(k, v)),
        key().prop_map(Op::Delete),
        key().prop_map(Op::Get),
        (prop::option::of(key()), prop::option::of(key()), any::<bool>()).prop_map(|(a, b, r)| Op::Range(a, b, r)),
    ]
}

proptest! {
    #[test]
    fn in_memory_store_matches_a_btreemap(ops in prop::collection::vec(op(), 1..60)) {
        let mut store = InMemoryKeyValueStore::<String, i64>::new("s", String::default_serde(), i64::default_serde());
        store.init(&StateStoreContext::new("app", TaskId::new(0, 0), std::env::temp_dir())).unwrap();
        // String order is UTF-8 byte order, the order of the serialized keys.
        let mut model = BTreeMap::<String, i64>::new();
        for op in ops {
            match op {
                Op::Put(k, v) => { store.put(&k, &v).unwrap(); model.insert(k, v); }
                Op::PutIfAbsent(k, v) => {
                    let got = store.put_if_absent(&k, &v).unwrap();
                    let want = model.get(&k).copied();
                    if want.is_none() { model.insert(k, v); }
                    prop_assert_eq!(got, want);
                }
                Op::Delete(k) => prop_assert_eq!(store.delete(&k).unwrap(), model.remove(&k)),
                Op::Get(k) => prop_assert_eq!(store.get(&k).unwrap(), model.get(&k).copied()),
                Op::Range(a, b, reverse) => {
                    let got: Vec<(String, i64)> = if reverse {
                        store.reverse_range(a.as_ref(), b.as_ref()).unwrap().map(Result::unwrap).collect()
                    } else {
                        store.range(a.as_ref(), b.as_ref()).unwrap().map(Result::unwrap).collect()
                    };
                    let empty = matches!((&a, &b), (Some(a), Some(b)) if a > b);
                    let mut want: Vec<(String, i64)> = if empty {
                        Vec::new()
                    } else {
                        let lo = a.map_or(Bound::Unbounded, Bound::Included);
                        let hi = b.map_or(Bound::Unbounded, Bound::Included);
                        model.range::<String, _>((lo, hi)).map(|(k, v)| (k.clone(), *v)).collect()
                    };
                    if reverse { want.reverse(); }
                    prop_assert_eq!(got, want);
                }
            }
            prop_assert_eq!(store.approximate_num_entries().unwrap(), model.len() as u64);
        }
    }
}
