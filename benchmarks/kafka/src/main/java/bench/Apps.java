package bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The Kafka Streams side of the runtime benchmark: the same two applications
 * as ours (a stateless filter / mapValues, and a count by key on RocksDB
 * with a changelog), run until the benchmark stops the process (SIGTERM),
 * then printing the process's CPU time and peak RSS.
 *
 * <p>Usage: {@code Apps <stateless|count> <bootstrap> <input> <output> <threads> <state-dir> <app-id> [commit-ms]}
 * (the commit interval is 100 ms unless given).
 */
public final class Apps {
    private Apps() {}

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, args[6]);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[1]);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.parseInt(args[4]));
        p.put(StreamsConfig.STATE_DIR_CONFIG, args[5]);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, args.length > 7 ? Long.parseLong(args[7]) : 100L);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");

        StreamsBuilder builder = new StreamsBuilder();
        if (kind.equals("stateless")) {
            builder.stream(args[2], Consumed.with(Serdes.String(), Serdes.String()))
                    .filter((k, v) -> v != null && !v.startsWith("#"))
                    .mapValues(v -> v.toUpperCase())
                    .to(args[3], Produced.with(Serdes.String(), Serdes.String()));
        } else if (kind.equals("count")) {
            builder.stream(args[2], Consumed.with(Serdes.String(), Serdes.String()))
                    .groupByKey()
                    .count()
                    .toStream()
                    .to(args[3], Produced.with(Serdes.String(), Serdes.Long()));
        } else {
            throw new IllegalArgumentException("unknown application " + kind);
        }
        KafkaStreams streams = new KafkaStreams(builder.build(), p);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close();
            report();
            stopped.countDown();
        }));
        streams.start();
        System.out.println("STARTED");
        System.out.flush();
        stopped.await();
    }

    /** One line the benchmark reads: CPU milliseconds and peak RSS in KiB. */
    static void report() {
        long cpuNanos = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        long hwm = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    hwm = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            // Reported as -1.
        }
        System.out.println("RESULT cpu_ms=" + cpuNanos / 1_000_000 + " peak_rss_kb=" + hwm);
        System.out.flush();
    }
}
