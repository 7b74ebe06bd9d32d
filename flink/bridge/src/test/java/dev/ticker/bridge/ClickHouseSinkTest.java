package dev.ticker.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ClickHouse sink against the real ClickHouse on localhost:8123 (CLICKHOUSE_URL overrides),
 * in a database of its own. If ClickHouse is not reachable the tests fail, saying where they looked.
 */
class ClickHouseSinkTest {

    static final String URL = System.getenv().getOrDefault("CLICKHOUSE_URL", "http://localhost:8123");
    private static final String DATABASE = "test_bridge_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private static final String TABLE_DDL =
            "(id String, n UInt32, ts DateTime('UTC')) ENGINE = ReplacingMergeTree() ORDER BY id";

    private String table;

    static String query(String sql) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(URL + "/"))
                .POST(HttpRequest.BodyPublishers.ofString(sql)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("ClickHouse at " + URL + " refused `" + sql + "`: " + response.body());
        }
        return response.body().strip();
    }

    @BeforeAll
    static void createDatabase() throws Exception {
        try {
            query("SELECT 1");
        } catch (IOException e) {
            fail("ClickHouse is not reachable at " + URL + " (" + e + "); start the local stack with `npm run stack:up`", e);
        }
        query("CREATE DATABASE " + DATABASE);
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        query("DROP DATABASE IF EXISTS " + DATABASE);
    }

    @BeforeEach
    void createTable() throws Exception {
        table = "rows_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        query("CREATE TABLE " + DATABASE + "." + table + " " + TABLE_DDL);
    }

    private ClickHouseSettings settings(String url, String targetTable, int batchSize, long flushMs, RetryPolicy retry) {
        return new ClickHouseSettings(url, DATABASE, targetTable, "default", "", batchSize, flushMs, retry);
    }

    private static BridgeRecord row(int n) {
        String json = "{\"id\":\"id-" + n + "\",\"n\":" + n + ",\"ts\":\"2026-01-02 03:04:05\"}";
        return new BridgeRecord(json.getBytes(StandardCharsets.UTF_8), "k", 0, "t/0/" + n);
    }

    private String count() throws Exception {
        return query("SELECT count(), sum(n) FROM " + DATABASE + "." + table);
    }

    @Test
    void insertsFullBatchesAtOnceAndTheRestOnFlush() throws Exception {
        ClickHouseSink.Writer writer = new ClickHouseSink.Writer(
                settings(URL, table, 3, 60_000, RetryPolicy.forSinkWrites()), null,
                UnregisteredMetricsGroup.createSinkWriterMetricGroup());
        for (int n = 1; n <= 7; n++) {
            writer.write(row(n), null);
        }
        assertEquals("6\t21", count());
        assertEquals(1, writer.buffered());
        writer.flush(false); // what Flink calls before every checkpoint barrier
        assertEquals("7\t28", count());
        assertEquals(0, writer.buffered());
        writer.flush(false);
        assertEquals("7\t28", count());
        assertEquals("2026-01-02 03:04:05", query("SELECT toString(ts) FROM " + DATABASE + "." + table + " WHERE n = 7"));
    }

    @Test
    void aReplayedBatchChangesNoQueryResultOfAReplacingMergeTree() throws Exception {
        ClickHouseSink.Writer writer = new ClickHouseSink.Writer(
                settings(URL, table, 100, 60_000, RetryPolicy.forSinkWrites()), null,
                UnregisteredMetricsGroup.createSinkWriterMetricGroup());
        for (int round = 0; round < 2; round++) {
            for (int n = 1; n <= 4; n++) {
                writer.write(row(n), null);
            }
            writer.flush(false);
        }
        assertEquals("4\t10", query("SELECT count(), sum(n) FROM " + DATABASE + "." + table + " FINAL"));
    }

    @Test
    void flushesByTimeWhenTheOldestRowHasWaitedFlushMs() throws Exception {
        ManualTime time = new ManualTime();
        ClickHouseSink.Writer writer = new ClickHouseSink.Writer(
                settings(URL, table, 100, 1_000, RetryPolicy.forSinkWrites()), time,
                UnregisteredMetricsGroup.createSinkWriterMetricGroup());
        writer.write(row(1), null);
        time.now = 400;
        writer.write(row(2), null);
        assertEquals(List.of(1_000L), time.dueTimes());
        time.advanceTo(999);
        assertEquals("0\t0", count());
        time.advanceTo(1_000);
        assertEquals("2\t3", count());
        assertEquals(0, writer.buffered());
        writer.write(row(3), null);
        assertEquals(List.of(2_000L), time.dueTimes());
        writer.flush(false);
        time.advanceTo(2_000); // nothing left to flush
        assertEquals("3\t6", count());
    }

    @Test
    void retriesAFailedInsertUntilItSucceeds() throws Exception {
        String missing = table + "_later";
        AtomicInteger retries = new AtomicInteger();
        ClickHouseInserter inserter = new ClickHouseInserter(settings(URL, missing, 10, 1_000, new RetryPolicy(3, 50, 200)),
                retry -> {
                    retries.incrementAndGet();
                    try {
                        // ClickHouse refused the insert (no such table); it appears before the retry.
                        query("CREATE TABLE IF NOT EXISTS " + DATABASE + "." + missing + " " + TABLE_DDL);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        inserter.insert(List.of(row(5).value, row(6).value));
        assertEquals(1, retries.get());
        assertEquals("2\t11", query("SELECT count(), sum(n) FROM " + DATABASE + "." + missing));
    }

    @Test
    void failsLoudlyWhenClickHouseStaysDown() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String downUrl = "http://127.0.0.1:" + closedPort;
        List<Integer> retries = new ArrayList<>();
        ClickHouseInserter inserter = new ClickHouseInserter(settings(downUrl, table, 10, 1_000, new RetryPolicy(2, 20, 50)),
                retries::add);
        IOException error = assertThrows(IOException.class, () -> inserter.insert(List.of(row(1).value)));
        assertEquals(List.of(1, 2), retries);
        assertTrue(error.getMessage().startsWith("ClickHouse insert of 1 rows into " + DATABASE + "." + table + " at "
                + downUrl + " failed after 3 attempts; last error: ConnectException"), error.getMessage());
    }

    @Test
    void reportsTheServersErrorText() throws Exception {
        ClickHouseInserter inserter = new ClickHouseInserter(settings(URL, table, 10, 1_000, new RetryPolicy(0, 10, 10)),
                retry -> {});
        byte[] wrongColumns = "{\"nope\":1}".getBytes(StandardCharsets.UTF_8);
        IOException error = assertThrows(IOException.class, () -> inserter.insert(List.of(wrongColumns)));
        assertTrue(error.getMessage().contains("failed after 1 attempts; last error: HTTP "), error.getMessage());
        assertTrue(error.getMessage().contains("nope"), error.getMessage());
    }

    /** A processing-time service whose clock the test moves; due timers fire on advanceTo. */
    static final class ManualTime implements ProcessingTimeService {
        long now;
        private final List<Object[]> timers = new ArrayList<>();

        @Override
        public long getCurrentProcessingTime() {
            return now;
        }

        @Override
        public ScheduledFuture<?> registerTimer(long timestamp, ProcessingTimeCallback callback) {
            timers.add(new Object[] {timestamp, callback});
            return null;
        }

        List<Long> dueTimes() {
            return timers.stream().map(t -> (Long) t[0]).toList();
        }

        void advanceTo(long time) throws Exception {
            now = time;
            List<Object[]> due = timers.stream().filter(t -> (Long) t[0] <= time).toList();
            timers.removeAll(due);
            for (Object[] timer : due) {
                ((ProcessingTimeCallback) timer[1]).onProcessingTime(time);
            }
        }
    }
}
