package dev.ticker.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BridgeArgsTest {

    private static final String DESCRIPTOR_B64 =
            Base64.getEncoder().encodeToString("{\"version\":1}\n".getBytes(StandardCharsets.UTF_8));

    @Test
    void appliesTheContractDefaults() {
        BridgeArgs args = BridgeArgs.parse(new String[] {"--descriptor-base64", DESCRIPTOR_B64});
        assertEquals("{\"version\":1}\n", args.descriptorJson());
        assertEquals("localhost:50051", args.worker());
        assertEquals("localhost:9092", args.kafkaBrokers());
        assertEquals("http://localhost:8123", args.clickhouseUrl());
        assertEquals("stocks", args.clickhouseDatabase());
        assertEquals("default", args.clickhouseUser());
        assertEquals("", args.clickhousePassword());
        assertEquals(500, args.batchSize());
        assertEquals(20, args.batchTimeoutMs());
        assertEquals(4, args.maxInFlight());
        assertEquals(10_000, args.callTimeoutMs());
        assertEquals(5, args.callRetries());
        assertEquals(5_000, args.checkpointIntervalMs());
        assertEquals(5_000, args.sinkBatchSize());
        assertEquals(1_000, args.sinkFlushMs());
        assertNull(args.parallelism());
        assertNull(args.groupId());
        assertEquals(8 * 1024 * 1024, args.maxRequestBytes());
        assertEquals(3, args.poisonRestarts());
    }

    @Test
    void readsEveryOptionIncludingAnEmptyPassword() {
        BridgeArgs args = BridgeArgs.parse(new String[] {
            "--descriptor-base64", DESCRIPTOR_B64, "--worker", "w:1", "--kafka-brokers", "a:1,b:2",
            "--clickhouse-url", "http://ch:8123", "--clickhouse-database", "db", "--clickhouse-user", "u",
            "--clickhouse-password", "", "--batch-size", "7", "--batch-timeout-ms", "8", "--max-in-flight", "9",
            "--call-timeout-ms", "10", "--call-retries", "0", "--checkpoint-interval-ms", "11",
            "--sink-batch-size", "12", "--sink-flush-ms", "13", "--parallelism", "3", "--group-id", "g",
            "--max-request-bytes", "4096", "--poison-restarts", "0"});
        assertEquals("w:1", args.worker());
        assertEquals("a:1,b:2", args.kafkaBrokers());
        assertEquals("", args.clickhousePassword());
        assertEquals(0, args.callRetries());
        assertEquals(3, args.parallelism());
        assertEquals("g", args.groupId());
        WorkerCallSettings calls = args.workerCallSettings();
        assertEquals(7 * 9, calls.asyncCapacity());
        assertEquals(4096, calls.maxRequestBytes());
        assertEquals(0, calls.poisonRestarts());
        // One attempt of 10 ms, no backoff: the async timeout still covers the whole budget three times over.
        assertEquals(8 + 3 * 10, calls.asyncTimeoutMs());
        ClickHouseSettings sink = args.clickHouseSettings("ticks");
        assertEquals(12, sink.batchSize());
        assertEquals(13, sink.flushMs());
    }

    @Test
    void theDefaultAsyncTimeoutExceedsTheRetryBudget() {
        WorkerCallSettings calls = BridgeArgs.parse(new String[] {"--descriptor-base64", DESCRIPTOR_B64}).workerCallSettings();
        // 6 attempts of 10 s plus backoffs 0.2+0.4+0.8+1.6+3.2 s.
        assertEquals(66_200, calls.retryBudgetMs());
        assertTrue(calls.asyncTimeoutMs() > calls.retryBudgetMs());
    }

    @Test
    void refusesMissingDescriptorUnknownArgumentsAndBadNumbers() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BridgeArgs.parse(new String[] {}))
                .getMessage().startsWith("--descriptor-base64 is required"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                        () -> BridgeArgs.parse(new String[] {"--descriptor-base64", DESCRIPTOR_B64, "--batchsize", "3"}))
                .getMessage().startsWith("unknown argument --batchsize"));
        assertEquals("--batch-size must be a positive integer, got '0'", assertThrows(IllegalArgumentException.class,
                        () -> BridgeArgs.parse(new String[] {"--descriptor-base64", DESCRIPTOR_B64, "--batch-size", "0"}))
                .getMessage());
        assertEquals("--max-request-bytes must be at most 33554432 (half the 64 MiB gRPC message limit), got 67108864",
                assertThrows(IllegalArgumentException.class, () -> BridgeArgs.parse(new String[] {
                    "--descriptor-base64", DESCRIPTOR_B64, "--max-request-bytes", "67108864"})).getMessage());
        assertEquals("argument --worker needs a value", assertThrows(IllegalArgumentException.class,
                        () -> BridgeArgs.parse(new String[] {"--descriptor-base64", DESCRIPTOR_B64, "--worker"}))
                .getMessage());
    }

    @Test
    void neverPrintsThePassword() {
        BridgeArgs args = BridgeArgs.parse(new String[] {"--descriptor-base64", DESCRIPTOR_B64, "--clickhouse-password", "s3cret"});
        assertFalse(args.toString().contains("s3cret"));
    }
}
