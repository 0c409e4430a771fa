//! The driver hands out typed handles on every store shape, by name, and
//! store writes reach their changelog topics.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use state_stores::Stores;
use streams_core::prelude::*;
use streams_core::serde::{I64Serde, StringSerde};
use streams_core::store::{
    KeyValueStoreHandle, SessionStoreHandle, ValueAndTimestamp, Window, WindowStoreHandle, Windowed,
};
use test_driver::TopologyTestDriver;

/// Writes each record into a timestamped key-value store, a window store
/// (tumbling 10 ms windows) and a session store (one session per record).
struct Record3;

impl Processor<String, i64> for Record3 {
    fn process(&mut self, ctx: &mut ProcessorContext<String, i64>, r: Record<String, i64>) -> ProcessResult {
        let table: KeyValueStoreHandle<String, ValueAndTimestamp<i64>> = ctx.store("table")?;
        table.put(&r.key, &ValueAndTimestamp::new(r.value, r.timestamp))?;
        let windows: WindowStoreHandle<String, i64> = ctx.store("windows")?;
        let start = r.timestamp - r.timestamp % 10;
        let sum = windows.fetch_one(&r.key, start)?.unwrap_or(0) + r.value;
        windows.put(&r.key, Some(&sum), start)?;
        let sessions: SessionStoreHandle<String, i64> = ctx.store("sessions")?;
        sessions.put(
            &Windowed::new(r.key.clone(), Window::new(r.timestamp, r.timestamp)),
            &r.value,
        )?;
        Ok(())
    }
}

fn topology(persistent: bool) -> Topology {
    let (kv, win, sess) = if persistent {
        (
            Stores::persistent_timestamped_key_value_store("table"),
            Stores::persistent_window_store("windows", Duration::from_secs(60), Duration::from_millis(10), false),
            Stores::persistent_session_store("sessions", Duration::from_secs(60)),
        )
    } else {
        (
            Stores::in_memory_key_value_store("table"),
            Stores::in_memory_window_store("windows", Duration::from_secs(60), Duration::from_millis(10), false),
            Stores::in_memory_session_store("sessions", Duration::from_secs(60)),
        )
    };
    let mut t = Topology::new();
    t.add_source("src", Source::<String, i64>::with_serdes(["in"], StringSerde, I64Serde))
        .unwrap()
        .add_processor("write", || Record3, &["src"])
        .unwrap()
        .add_state_store(
            Stores::timestamped_key_value_store_builder(kv, StringSerde, I64Serde).with_caching_enabled(),
            &["write"],
        )
        .unwrap()
        .add_state_store(
            Stores::window_store_builder(win.unwrap(), StringSerde, I64Serde).unwrap(),
            &["write"],
        )
        .unwrap()
        .add_state_store(
            Stores::session_store_builder(sess.unwrap(), StringSerde, I64Serde).unwrap(),
            &["write"],
        )
        .unwrap();
    t
}

#[test]
fn typed_handles_on_every_store_shape() {
    for persistent in [false, true] {
        let driver = TopologyTestDriver::new(topology(persistent), StreamsConfig::new("app")).unwrap();
        let input = driver.create_input_topic_with_serdes("in", StringSerde, I64Serde);
        input.pipe_input_with_timestamp("a".to_owned(), 1, 3).unwrap();
        input.pipe_input_with_timestamp("a".to_owned(), 2, 7).unwrap();
        input.pipe_input_with_timestamp("b".to_owned(), 5, 12).unwrap();

        let table = driver.timestamped_key_value_store::<String, i64>("table").unwrap();
        assert_eq!(table.get(&"a".to_owned()).unwrap(), Some(ValueAndTimestamp::new(2, 7)));
        let windows = driver.window_store::<String, i64>("windows").unwrap();
        assert_eq!(windows.fetch(&"a".to_owned(), 0, 100).unwrap(), [(0, 3)]);
        let all: Vec<(String, i64, i64)> = windows
            .all()
            .unwrap()
            .into_iter()
            .map(|(w, v)| (w.key, w.window.start, v))
            .collect();
        assert_eq!(all, [("a".to_owned(), 0, 3), ("b".to_owned(), 10, 5)]);
        let sessions = driver.session_store::<String, i64>("sessions").unwrap();
        let found: Vec<(i64, i64)> = sessions
            .find_sessions(&"a".to_owned(), 0, 100)
            .unwrap()
            .into_iter()
            .map(|(w, v)| (w.window.start, v))
            .collect();
        assert_eq!(found, [(3, 1), (7, 2)]);
        assert!(
            driver.window_store::<String, String>("windows").is_err(),
            "wrong value type"
        );

        let topics = driver.produced_topic_names();
        for store in ["table", "windows", "sessions"] {
            let changelog = format!("app-{store}-changelog");
            assert!(topics.contains(&changelog), "{changelog} in {topics:?}");
        }
        driver.close().unwrap();
    }
}
