package oracle;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.UnlimitedWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The reference topologies, by name. Each has a twin, written with the Rust
 * DSL, in {@code conformance/src/topologies/}; the two must stay the same
 * program. Inputs and output topics are declared on the Rust side.
 */
final class Topologies {
    /** Builds a topology for the given properties (which carry topology.optimization). */
    interface Definition {
        Topology build(Properties props);
    }

    static final Map<String, Definition> ALL = new LinkedHashMap<>();

    private static final Serde<String> S = Serdes.String();
    private static final Serde<Long> L = Serdes.Long();

    private Topologies() {}

    private static void dsl(String name, Consumer<StreamsBuilder> body) {
        ALL.put(name, props -> {
            StreamsBuilder b = new StreamsBuilder();
            body.accept(b);
            return b.build(props);
        });
    }

    private static void papi(String name, Supplier<Topology> topology) {
        ALL.put(name, props -> topology.get());
    }

    private static KStream<String, String> strings(StreamsBuilder b) {
        return b.stream("in", Consumed.with(S, S));
    }

    private static KStream<String, Long> longs(StreamsBuilder b) {
        return b.stream("in", Consumed.with(S, L));
    }

    private static Produced<Windowed<String>, Long> timeWindowed(long size) {
        return Produced.with(WindowedSerdes.timeWindowedSerdeFrom(String.class, size), L);
    }

    private static Produced<Windowed<String>, Long> sessionWindowed() {
        return Produced.with(WindowedSerdes.sessionWindowedSerdeFrom(String.class), L);
    }

    private static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    /** Last digit of a key like {@code k3}, parity as a group name. */
    private static String parity(String key) {
        return (key.charAt(key.length() - 1) - '0') % 2 == 0 ? "even" : "odd";
    }

    static {
        // --- stateless operations -------------------------------------------
        dsl("stateless-chain", b -> strings(b)
                .filter((k, v) -> v.length() > 4)
                .filterNot((k, v) -> k.equals("k1"))
                .mapValues(v -> v.toUpperCase())
                .peek((k, v) -> { })
                .mapValues((k, v) -> k + ":" + v)
                .to("out", Produced.with(S, S)));

        dsl("flat-map-values", b -> strings(b)
                .flatMapValues(v -> Arrays.asList(v.split(" ")))
                .mapValues(w -> (long) w.length())
                .to("out", Produced.with(S, L)));

        dsl("map-select-key", b -> strings(b)
                .map((k, v) -> KeyValue.pair(v, k))
                .selectKey((k, v) -> k + "/" + v.length())
                .to("out", Produced.with(S, S)));

        dsl("flat-map", b -> strings(b)
                .flatMap((k, v) -> {
                    List<KeyValue<String, String>> out = new ArrayList<>();
                    for (String w : v.split(" ")) {
                        out.add(KeyValue.pair(w, k));
                    }
                    return out;
                })
                .to("out", Produced.with(S, S)));

        dsl("split-merge", b -> {
            Map<String, KStream<String, String>> branches = strings(b)
                    .split(Named.as("split-"))
                    .branch((k, v) -> v.startsWith("a"), Branched.as("a"))
                    .branch((k, v) -> v.length() > 8, Branched.as("long"))
                    .defaultBranch(Branched.as("other"));
            branches.get("split-a").to("out-a", Produced.with(S, S));
            branches.get("split-long").merge(branches.get("split-other")).to("out-rest", Produced.with(S, S));
        });

        dsl("merge-streams", b -> strings(b)
                .merge(b.stream("in2", Consumed.with(S, S)))
                .mapValues(v -> v + "!")
                .to("out", Produced.with(S, S)));

        dsl("nullable-stateless", b -> strings(b)
                .filter((k, v) -> k == null || !k.equals("k0"))
                .mapValues(v -> v == null ? "none" : v.toUpperCase())
                .to("out", Produced.with(S, S)));

        // --- re-keying and stream aggregations --------------------------------
        dsl("select-key-count", b -> strings(b)
                .selectKey((k, v) -> v.split(" ")[0])
                .groupByKey(Grouped.with(S, S))
                .count()
                .toStream()
                .to("out", Produced.with(S, L)));

        dsl("group-by-sum", b -> longs(b)
                .groupBy((k, v) -> "g" + (v % 3), Grouped.with(S, L))
                .reduce(Long::sum)
                .toStream()
                .to("out", Produced.with(S, L)));

        dsl("stream-count-nullable", b -> strings(b)
                .groupByKey()
                .count()
                .toStream()
                .to("out", Produced.with(S, L)));

        dsl("stream-reduce-nullable", b -> longs(b)
                .groupByKey(Grouped.with(S, L))
                .reduce(Long::sum, Materialized.with(S, L))
                .toStream()
                .to("out", Produced.with(S, L)));

        dsl("stream-aggregate", b -> strings(b)
                .groupByKey()
                .aggregate(() -> "", (k, v, agg) -> {
                    String s = agg + v.charAt(0);
                    return s.length() > 5 ? s.substring(s.length() - 5) : s;
                }, Materialized.with(S, S))
                .toStream()
                .to("out", Produced.with(S, S)));

        dsl("explicit-repartition", b -> strings(b)
                .mapValues(v -> (long) v.length())
                .repartition(Repartitioned.<String, Long>as("rekeyed").withKeySerde(S).withValueSerde(L))
                .groupByKey(Grouped.with(S, L))
                .reduce(Math::max, Materialized.with(S, L))
                .toStream()
                .to("out", Produced.with(S, L)));

        dsl("merge-repartitions", b -> {
            KStream<String, Long> keyed = longs(b).selectKey((k, v) -> "r" + (v % 4));
            keyed.groupByKey(Grouped.with(S, L)).count().toStream().to("out-count", Produced.with(S, L));
            keyed.groupByKey(Grouped.with(S, L)).reduce(Long::sum, Materialized.with(S, L))
                    .toStream().to("out-sum", Produced.with(S, L));
        });

        dsl("group-by-named", b -> strings(b)
                .flatMapValues(v -> Arrays.asList(v.split(" ")))
                .groupBy((k, w) -> w, Grouped.as("by-word"))
                .count(Materialized.as("word-counts"))
                .toStream()
                .to("out", Produced.with(S, L)));

        // --- tables -------------------------------------------------------------
        dsl("table-filter", b -> b.table("table-in", Consumed.with(S, L))
                .filter((k, v) -> v % 2 == 0)
                .toStream()
                .to("out", Produced.with(S, L)));

        dsl("table-map-values", b -> b.table("table-in", Consumed.with(S, L))
                .mapValues(v -> v * 10)
                .filterNot((k, v) -> v > 50)
                .toStream()
                .to("out", Produced.with(S, L)));

        dsl("table-group-by-aggregate", b -> b.table("table-in", Consumed.with(S, L))
                .groupBy((k, v) -> KeyValue.pair("g" + (v % 3), v), Grouped.with(S, L))
                .aggregate(() -> 0L, (k, v, agg) -> agg + v, (k, v, agg) -> agg - v, Materialized.with(S, L))
                .toStream()
                .to("out", Produced.with(S, L)));

        dsl("table-group-by-count", b -> b.table("table-in", Consumed.with(S, S))
                .groupBy((k, v) -> KeyValue.pair(v, k), Grouped.with(S, S))
                .count()
                .toStream()
                .to("out", Produced.with(S, L)));

        dsl("table-group-by-reduce", b -> b.table("table-in", Consumed.with(S, L))
                .groupBy((k, v) -> KeyValue.pair(parity(k), v), Grouped.with(S, L))
                .reduce(Long::sum, (a, v) -> a - v, Materialized.with(S, L))
                .toStream()
                .to("out", Produced.with(S, L)));

        dsl("stream-to-table", b -> longs(b)
                .toTable(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("latest")
                        .withKeySerde(S).withValueSerde(L))
                .filter((k, v) -> v > 2)
                .toStream()
                .to("out", Produced.with(S, L)));

        // --- windows -------------------------------------------------------------
        dsl("tumbling-count", b -> strings(b)
                .groupByKey()
                .windowedBy(TimeWindows.ofSizeAndGrace(ms(10), ms(5)))
                .count()
                .toStream()
                .to("out", timeWindowed(10)));

        dsl("hopping-aggregate", b -> longs(b)
                .groupByKey(Grouped.with(S, L))
                .windowedBy(TimeWindows.ofSizeAndGrace(ms(20), ms(8)).advanceBy(ms(5)))
                .aggregate(() -> 0L, (k, v, agg) -> agg + v, Materialized.with(S, L))
                .toStream()
                .to("out", timeWindowed(20)));

        dsl("sliding-count", b -> strings(b)
                .groupByKey()
                .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(ms(10), ms(5)))
                .count()
                .toStream()
                .to("out", timeWindowed(10)));

        dsl("sliding-reduce", b -> longs(b)
                .groupByKey(Grouped.with(S, L))
                .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(ms(8), ms(4)))
                .reduce(Long::sum, Materialized.with(S, L))
                .toStream()
                .to("out", timeWindowed(8)));

        dsl("session-count", b -> strings(b)
                .groupByKey()
                .windowedBy(SessionWindows.ofInactivityGapAndGrace(ms(6), ms(4)))
                .count()
                .toStream()
                .to("out", sessionWindowed()));

        dsl("session-aggregate", b -> strings(b)
                .groupByKey()
                .windowedBy(SessionWindows.ofInactivityGapAndGrace(ms(5), ms(3)))
                .aggregate(() -> "", (k, v, agg) -> agg + v.charAt(0), (k, a, c) -> a + c, Materialized.with(S, S))
                .toStream()
                .to("out", Produced.with(WindowedSerdes.sessionWindowedSerdeFrom(String.class), S)));

        dsl("unlimited-count", b -> strings(b)
                .groupByKey()
                .windowedBy(UnlimitedWindows.of().startOn(Instant.ofEpochMilli(20)))
                .count()
                .toStream()
                .to("out", timeWindowed(Long.MAX_VALUE)));

        // --- emit on window close --------------------------------------------------
        dsl("tumbling-emit-final", b -> strings(b)
                .groupByKey()
                .windowedBy(TimeWindows.ofSizeAndGrace(ms(10), ms(4)))
                .emitStrategy(EmitStrategy.onWindowClose())
                .count()
                .toStream()
                .to("out", timeWindowed(10)));

        dsl("sliding-emit-final", b -> strings(b)
                .groupByKey()
                .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(ms(10), ms(3)))
                .emitStrategy(EmitStrategy.onWindowClose())
                .count()
                .toStream()
                .to("out", timeWindowed(10)));

        dsl("session-emit-final", b -> strings(b)
                .groupByKey()
                .windowedBy(SessionWindows.ofInactivityGapAndGrace(ms(5), ms(2)))
                .emitStrategy(EmitStrategy.onWindowClose())
                .count()
                .toStream()
                .to("out", sessionWindowed()));

        // --- suppression ---------------------------------------------------------------
        dsl("suppress-window-close", b -> strings(b)
                .groupByKey()
                .windowedBy(TimeWindows.ofSizeAndGrace(ms(10), ms(5)))
                .count()
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
                .toStream()
                .to("out", timeWindowed(10)));

        dsl("suppress-session-close", b -> strings(b)
                .groupByKey()
                .windowedBy(SessionWindows.ofInactivityGapAndGrace(ms(5), ms(3)))
                .count()
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
                .toStream()
                .to("out", sessionWindowed()));

        dsl("suppress-time-limit", b -> strings(b)
                .groupByKey()
                .count()
                .suppress(Suppressed.untilTimeLimit(ms(15), Suppressed.BufferConfig.unbounded()))
                .toStream()
                .to("out", Produced.with(S, L)));

        dsl("suppress-time-limit-bounded", b -> longs(b)
                .toTable()
                .suppress(Suppressed.untilTimeLimit(ms(20), Suppressed.BufferConfig.maxRecords(3).emitEarlyWhenFull()))
                .toStream()
                .to("out", Produced.with(S, L)));

        // --- Processor API ------------------------------------------------------------------
        papi("papi-stream-time", () -> new Topology()
                .addSource("Source", "in")
                .addProcessor("Counter", StreamTimeCounter::new, "Source")
                .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("counts"), S, L), "Counter")
                .addSink("Sink", "out", S.serializer(), L.serializer(), "Counter"));

        papi("papi-wall-clock", () -> new Topology()
                .addSource("Source", "in")
                .addProcessor("Ticker", WallClockTicker::new, "Source")
                .addSink("Sink", "out", S.serializer(), L.serializer(), "Ticker"));

        dsl("dsl-process", b -> {
            b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("last"), S, S));
            strings(b).process(LastValue::new, "last").to("out", Produced.with(S, S));
        });
    }

    /** Counts records per key; every 10 ms of stream time forwards all counts. */
    static final class StreamTimeCounter implements Processor<String, String, String, Long> {
        private ProcessorContext<String, Long> context;
        private KeyValueStore<String, Long> store;

        @Override
        public void init(ProcessorContext<String, Long> context) {
            this.context = context;
            this.store = context.getStateStore("counts");
            context.schedule(Duration.ofMillis(10), PunctuationType.STREAM_TIME, this::emitAll);
        }

        @Override
        public void process(Record<String, String> record) {
            if (record.key() == null) {
                return;
            }
            Long old = store.get(record.key());
            store.put(record.key(), old == null ? 1L : old + 1);
        }

        private void emitAll(long timestamp) {
            try (KeyValueIterator<String, Long> it = store.all()) {
                while (it.hasNext()) {
                    KeyValue<String, Long> kv = it.next();
                    context.forward(new Record<>(kv.key, kv.value, timestamp));
                }
            }
        }
    }

    /** Counts records; every second of wall-clock time forwards and resets the count. */
    static final class WallClockTicker implements Processor<String, String, String, Long> {
        private ProcessorContext<String, Long> context;
        private long seen;

        @Override
        public void init(ProcessorContext<String, Long> context) {
            this.context = context;
            context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, timestamp -> {
                context.forward(new Record<>("tick", seen, timestamp));
                seen = 0;
            });
        }

        @Override
        public void process(Record<String, String> record) {
            seen += 1;
        }
    }

    /** Forwards each record's value joined to the key's previous one, kept in store "last". */
    static final class LastValue implements Processor<String, String, String, String> {
        private ProcessorContext<String, String> context;
        private KeyValueStore<String, String> store;

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
            this.store = context.getStateStore("last");
        }

        @Override
        public void process(Record<String, String> record) {
            String previous = store.get(record.key());
            store.put(record.key(), record.value());
            context.forward(record.withValue((previous == null ? "" : previous) + "->" + record.value()));
        }
    }
}
