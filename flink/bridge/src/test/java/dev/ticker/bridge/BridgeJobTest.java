package dev.ticker.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The composed job: operator uids, and a whole run on a local Flink MiniCluster into ClickHouse. */
class BridgeJobTest {

    private static final String DATABASE = "test_bridge_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    private static final String E2E_DESCRIPTOR = """
            {"version":3,"name":"mini-e2e",
             "source":{"kind":"source","name":"read","type":"kafka","topic":"in","startingOffsets":"earliest",
                       "watermark":{"maxOutOfOrdernessMs":0,"idlenessMs":1000},
                       "eventTime":{"from":"kafka","maxAheadMs":60000}},
             "nodes":[
               {"kind":"chain","name":"pass","input":"read","steps":[{"name":"pass","kind":"keyBy"}],"keyed":true},
               {"kind":"sink","name":"write-rows","input":"pass","target":{"type":"clickhouse","table":"rows"}},
               {"kind":"window","name":"per-10s","input":"pass","window":{"type":"tumbling","sizeMs":10000},"allowedLatenessMs":0,
                "accumulator":{"ordered":true,"fields":[{"name":"n","op":"count"},{"name":"total","op":"sum"},
                  {"name":"first","op":"first"},{"name":"last","op":"last"}]}},
               {"kind":"sink","name":"write-windows","input":"per-10s","target":{"type":"clickhouse","table":"windows"}}
             ],
             "deadLetter":{"name":"dead-letter","targets":[{"type":"clickhouse","table":"rejected"}]},
             "parallelism":1}
            """;

    @BeforeAll
    static void createDatabase() throws Exception {
        try {
            ClickHouseSinkTest.query("SELECT 1");
        } catch (IOException e) {
            fail("ClickHouse is not reachable at " + ClickHouseSinkTest.URL + " (" + e + "); start the local stack with `npm run stack:up`", e);
        }
        ClickHouseSinkTest.query("CREATE DATABASE " + DATABASE);
        ClickHouseSinkTest.query("CREATE TABLE " + DATABASE + ".rows (id String, n UInt32, ts DateTime('UTC')) "
                + "ENGINE = ReplacingMergeTree() ORDER BY id");
        ClickHouseSinkTest.query("CREATE TABLE " + DATABASE + ".windows (id String, n UInt32, ts DateTime('UTC')) "
                + "ENGINE = ReplacingMergeTree(n) ORDER BY id");
        ClickHouseSinkTest.query("CREATE TABLE " + DATABASE + ".rejected (origin String, step String, reason String, "
                + "raw String, raw_bytes UInt64, raw_sha256 String, raw_encoding String, ts DateTime('UTC')) "
                + "ENGINE = ReplacingMergeTree() ORDER BY (origin, step)");
        for (String table : List.of("rows", "windows", "rejected")) {
            ClickHouseSinkTest.query("CREATE TABLE " + DATABASE + ".poison_" + table + " AS " + DATABASE + "." + table);
        }
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        ClickHouseSinkTest.query("DROP DATABASE IF EXISTS " + DATABASE);
    }

    private static BridgeArgs args(String descriptorJson, String worker) {
        return BridgeArgs.parse(new String[] {
            "--descriptor-base64", Base64.getEncoder().encodeToString(descriptorJson.getBytes(StandardCharsets.UTF_8)),
            "--worker", worker, "--clickhouse-url", ClickHouseSinkTest.URL, "--clickhouse-database", DATABASE, "--batch-size", "2", "--batch-timeout-ms", "5",
            "--call-timeout-ms", "5000", "--call-retries", "1"});
    }

    @Test
    void operatorUidsAreTheDescriptorNodeNames() throws Exception {
        String text = DescriptorTest.stockDescriptor();
        Descriptor descriptor = Descriptor.parse(text);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        BridgeJob.compose(env, descriptor, Descriptor.acceptedSha256(text), args(text, "localhost:1"));
        Set<String> uids = env.getStreamGraph().getStreamNodes().stream()
                .map(StreamNode::getTransformationUID).filter(uid -> uid != null).collect(Collectors.toSet());
        for (String uid : List.of("read-ticks", "read-ticks-gate", "read-ticks-dedupe", "read-ticks-refused",
                "read-ticks-refused-split", "parse-tick", "parse-tick-split", "write-ticks",
                "candles-1m-acc", "candles-1m-acc-late", "candles-1m-acc-late-split", "candles-1m-acc-finish",
                "candles-1m-acc-finish-split", "write-candles",
                "price-move-alerts", "write-alerts", "dead-letter-0", "dead-letter-1")) {
            assertTrue(uids.contains(uid), "no operator with uid " + uid + " in " + uids);
        }
        // The record-list window state of earlier bridges lived under the bare node name: no operator may claim it.
        assertTrue(!uids.contains("candles-1m"), "uid candles-1m is reused: " + uids);
    }

    @Test
    void runsChainsWindowsSinksAndDeadLettersOnAMiniCluster() throws Exception {
        Descriptor descriptor = Descriptor.parse(E2E_DESCRIPTOR);
        try (FakeWorker worker = new FakeWorker()) {
            List<String> sha = Descriptor.acceptedSha256(E2E_DESCRIPTOR);
            worker.descriptorSha256 = sha.get(0);
            BridgeArgs args = args(E2E_DESCRIPTOR, worker.target());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(1);
            DataStream<BridgeRecord> source = env.fromData(
                            row("r1", "A", 1, BASE + 1_000), row("r2", "B", 2, BASE + 1_500),
                            row("r3", "A", 3, BASE + 2_500), bad("r4", "A", BASE + 3_000),
                            row("r5", "A", 5, BASE + 12_000), row("r6", "A", 6, BASE + 5_000))
                    .assignTimestampsAndWatermarks(WatermarkStrategy
                            .<BridgeRecord>forGenerator(context -> new EveryEvent())
                            .withTimestampAssigner((record, previous) -> record.timestamp));
            BridgeJob.composeNodes(source, descriptor, sha, args, null);
            env.execute("bridge-test");
        }
        // Every valid record reached the chain's sink, the late one too (it is only late for the window).
        assertEquals("5\t17", ClickHouseSinkTest.query("SELECT count(), sum(n) FROM " + DATABASE + ".rows FINAL"));
        // Window [0, 10 s): A has r1, r3 (r6 came after the watermark passed 12 s), B has r2; [10 s, 20 s): A has r5.
        // Flink merged the accumulators: count, sum of n, first and last id by event time.
        assertEquals("A-1700000000000-2-r1-r3\t4\t2023-11-14 22:13:20\nA-1700000010000-1-r5-r5\t5\t2023-11-14 22:13:30\n"
                        + "B-1700000000000-1-r2-r2\t2\t2023-11-14 22:13:20",
                ClickHouseSinkTest.query("SELECT id, n, toString(ts) FROM " + DATABASE + ".windows FINAL ORDER BY id"));
        assertEquals("in/0/3\tpass\tbad value\t2023-11-14 22:13:23\n"
                        + "in/0/5\tper-10s\tlate for per-10s"
                        + "\t2023-11-14 22:13:25",
                ClickHouseSinkTest.query("SELECT origin, step, reason, toString(ts) FROM " + DATABASE
                        + ".rejected FINAL ORDER BY origin"));
        assertEquals("{\"id\":\"r6\",\"n\":6,\"ts\":\"2023-11-14 22:13:25\"}", ClickHouseSinkTest.query(
                "SELECT raw FROM " + DATABASE + ".rejected WHERE origin = 'in/0/5'"));
    }

    @Test
    void aPoisonRecordIsADeadLetterAfterPoisonRestartsAndTheJobFinishes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path ledger)
            throws Exception {
        // Tables of its own: the other MiniCluster test counts every row of its tables.
        String descriptorJson = E2E_DESCRIPTOR.replace("mini-e2e", "mini-poison").replace("\"table\":\"", "\"table\":\"poison_");
        Descriptor descriptor = Descriptor.parse(descriptorJson);
        try (FakeWorker worker = new FakeWorker()) {
            worker.poisonValue = "poison";
            List<String> sha = Descriptor.acceptedSha256(descriptorJson);
            worker.descriptorSha256 = sha.get(0);
            BridgeArgs args = BridgeArgs.parse(new String[] {
                "--descriptor-base64", Base64.getEncoder().encodeToString(descriptorJson.getBytes(StandardCharsets.UTF_8)),
                "--worker", worker.target(), "--clickhouse-url", ClickHouseSinkTest.URL, "--clickhouse-database", DATABASE,
                "--batch-size", "3", "--batch-timeout-ms", "5", "--call-timeout-ms", "5000", "--call-retries", "0",
                "--poison-restarts", "2"});
            org.apache.flink.configuration.Configuration config = new org.apache.flink.configuration.Configuration();
            config.set(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            config.set(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
            config.set(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    java.time.Duration.ofMillis(100));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
            env.setParallelism(1);
            BridgeRecord poison = new BridgeRecord("poison".getBytes(StandardCharsets.UTF_8), "P", BASE + 4_000, "in/9/1");
            // Origins of their own: row() numbers the other test's records.
            DataStream<BridgeRecord> source = env.fromData(
                            new BridgeRecord("{\"id\":\"p1\",\"n\":1,\"ts\":\"2023-11-14 22:13:21\"}".getBytes(StandardCharsets.UTF_8),
                                    "P", BASE + 1_000, "in/9/0"),
                            poison,
                            new BridgeRecord("{\"id\":\"p2\",\"n\":2,\"ts\":\"2023-11-14 22:13:22\"}".getBytes(StandardCharsets.UTF_8),
                                    "P", BASE + 2_000, "in/9/2"))
                    .assignTimestampsAndWatermarks(WatermarkStrategy
                            .<BridgeRecord>forGenerator(context -> new EveryEvent())
                            .withTimestampAssigner((record, previous) -> record.timestamp));
            BridgeJob.composeNodes(source, descriptor, sha, args, ledger.toUri().toString());
            env.execute("bridge-poison-test");
            // Failed alone in attempt 0 and after restarts 1 and 2; the third time it is a dead letter.
            assertEquals(3, worker.poisonAlone.get());
        }
        assertEquals("in/9/1\tpass\tpoison: failed the same way in 3 attempts (2 restarts, --poison-restarts 2): "
                        + "INTERNAL: boom on poison\tpoison\t6\tutf8",
                ClickHouseSinkTest.query("SELECT origin, step, reason, raw, raw_bytes, raw_encoding FROM " + DATABASE
                        + ".poison_rejected FINAL"));
        assertEquals("2\t3", ClickHouseSinkTest.query("SELECT count(), sum(n) FROM " + DATABASE + ".poison_rows FINAL"));
    }

    /** Event times start here (a multiple of the 10 s window; ClickHouse 18.16 shows epoch 0 as a zero date). */
    private static final long BASE = 1_700_000_000_000L;
    private static int offset;

    private static BridgeRecord row(String id, String key, int n, long timestamp) {
        String json = "{\"id\":\"" + id + "\",\"n\":" + n + ",\"ts\":\""
                + FakeWorker.DATETIME.format(java.time.Instant.ofEpochMilli(timestamp)) + "\"}";
        return new BridgeRecord(json.getBytes(StandardCharsets.UTF_8), key, timestamp, "in/0/" + offset++);
    }

    private static BridgeRecord bad(String id, String key, long timestamp) {
        return new BridgeRecord(("bad " + id).getBytes(StandardCharsets.UTF_8), key, timestamp, "in/0/" + offset++);
    }

    /** A watermark right behind every event, so lateness in the test does not depend on timing. */
    static final class EveryEvent implements WatermarkGenerator<BridgeRecord> {
        private long max = Long.MIN_VALUE;

        @Override
        public void onEvent(BridgeRecord event, long timestamp, WatermarkOutput output) {
            max = Math.max(max, timestamp);
            output.emitWatermark(new Watermark(max));
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {}
    }
}
