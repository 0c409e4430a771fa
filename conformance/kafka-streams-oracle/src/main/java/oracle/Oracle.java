package oracle;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Command-line entry of the oracle: runs a batch of jobs, each a named
 * reference topology on one input file, through Kafka Streams' own
 * TopologyTestDriver with caching disabled.
 *
 * <p>Usage: {@code Oracle <jobs-file>}. Each line of the jobs file is one of
 * <pre>
 *   run      &lt;topology&gt; &lt;optimization&gt; &lt;input&gt; &lt;output&gt; &lt;output-topic,...&gt;
 *   describe &lt;topology&gt; &lt;optimization&gt; &lt;output&gt;
 * </pre>
 * separated by tabs. The input file holds one event per line:
 * {@code r<TAB>topic<TAB>key<TAB>value<TAB>timestamp} (key and value as hex
 * bytes, {@code -} for null) or {@code w<TAB>millis} (advance the wall clock).
 * The output file gets one line per output record, topic by topic in the order
 * given, records in the order produced: {@code topic<TAB>key<TAB>value<TAB>timestamp}.
 * A job that throws writes {@code error<TAB>message} instead.
 */
public final class Oracle {
    /** The wall clock every driver starts at, so that wall-clock punctuations line up. */
    static final Instant INITIAL_WALL_CLOCK = Instant.ofEpochMilli(0);

    private static final HexFormat HEX = HexFormat.of();

    private Oracle() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Oracle <jobs-file>");
            System.exit(2);
        }
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            switch (f[0]) {
                case "run" -> run(f[1], f[2], Path.of(f[3]), Path.of(f[4]), List.of(f[5].split(",")));
                case "describe" -> Files.writeString(Path.of(f[3]), topology(f[1], f[2]).describe().toString());
                default -> throw new IllegalArgumentException("unknown job: " + line);
            }
        }
    }

    static Properties properties(String optimization) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "conformance");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        p.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, optimization);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        return p;
    }

    static Topology topology(String name, String optimization) {
        Topologies.Definition def = Topologies.ALL.get(name);
        if (def == null) {
            throw new IllegalArgumentException("unknown topology: " + name);
        }
        return def.build(properties(optimization));
    }

    private static void run(String name, String optimization, Path input, Path output, List<String> outputTopics)
            throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            try {
                for (String record : execute(name, optimization, input, outputTopics)) {
                    out.write(record);
                    out.write('\n');
                }
            } catch (RuntimeException e) {
                out.write("error\t" + String.valueOf(e).replace('\n', ' ') + "\n");
            }
        }
    }

    private static List<String> execute(String name, String optimization, Path input, List<String> outputTopics)
            throws IOException {
        Topology topology = topology(name, optimization);
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, properties(optimization), INITIAL_WALL_CLOCK)) {
            Map<String, TestInputTopic<byte[], byte[]>> inputs = new HashMap<>();
            for (String line : Files.readAllLines(input, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f[0].equals("w")) {
                    driver.advanceWallClockTime(Duration.ofMillis(Long.parseLong(f[1])));
                } else {
                    TestInputTopic<byte[], byte[]> in = inputs.computeIfAbsent(f[1], t ->
                            driver.createInputTopic(t, new ByteArraySerializer(), new ByteArraySerializer()));
                    in.pipeInput(bytes(f[2]), bytes(f[3]), Long.parseLong(f[4]));
                }
            }
            List<String> lines = new java.util.ArrayList<>();
            for (String topic : outputTopics) {
                TestOutputTopic<byte[], byte[]> out =
                        driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                for (TestRecord<byte[], byte[]> r : out.readRecordsToList()) {
                    lines.add(topic + "\t" + hex(r.key()) + "\t" + hex(r.value()) + "\t" + r.timestamp());
                }
            }
            return lines;
        }
    }

    private static byte[] bytes(String hex) {
        return hex.equals("-") ? null : HEX.parseHex(hex);
    }

    private static String hex(byte[] bytes) {
        return bytes == null ? "-" : HEX.formatHex(bytes);
    }
}
