package dev.ticker.bridge;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The bridge job's program arguments ({@code --name value}), with the defaults of the
 * bridge-args contract. Parsing is strict: an unknown or malformed argument is an error,
 * because a typo silently falling back to a default is worse than a failed deploy.
 */
public record BridgeArgs(
        String descriptorJson,
        String worker,
        String kafkaBrokers,
        String clickhouseUrl,
        String clickhouseDatabase,
        String clickhouseUser,
        String clickhousePassword,
        int batchSize,
        long batchTimeoutMs,
        int maxInFlight,
        long callTimeoutMs,
        int callRetries,
        long checkpointIntervalMs,
        int sinkBatchSize,
        long sinkFlushMs,
        Integer parallelism,
        String groupId,
        int maxRequestBytes,
        int poisonRestarts)
        implements Serializable {

    private static final Set<String> KNOWN = Set.of(
            "descriptor-base64", "worker", "kafka-brokers", "clickhouse-url", "clickhouse-database",
            "clickhouse-user", "clickhouse-password", "batch-size", "batch-timeout-ms", "max-in-flight",
            "call-timeout-ms", "call-retries", "checkpoint-interval-ms", "sink-batch-size", "sink-flush-ms",
            "parallelism", "group-id", "max-request-bytes", "poison-restarts");

    /** Default byte bound of one worker request: far below the 64 MiB message limit of both sides. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 8 * 1024 * 1024;

    /** Parses {@code --name value} pairs; throws IllegalArgumentException naming the bad argument. */
    public static BridgeArgs parse(String[] argv) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got '" + arg + "'");
            }
            String name = arg.substring(2);
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException("unknown argument --" + name + "; known: --" + String.join(", --", KNOWN.stream().sorted().toList()));
            }
            if (i + 1 >= argv.length) {
                throw new IllegalArgumentException("argument --" + name + " needs a value");
            }
            values.put(name, argv[++i]);
        }
        String encoded = values.get("descriptor-base64");
        if (encoded == null || encoded.isBlank()) {
            throw new IllegalArgumentException("--descriptor-base64 is required (the output of `pipeline describe`, base64-encoded)");
        }
        String descriptorJson;
        try {
            descriptorJson = new String(Base64.getDecoder().decode(encoded.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--descriptor-base64 is not valid base64: " + e.getMessage(), e);
        }
        String parallelism = values.get("parallelism");
        return new BridgeArgs(
                descriptorJson,
                values.getOrDefault("worker", "localhost:50051"),
                values.getOrDefault("kafka-brokers", "localhost:9092"),
                values.getOrDefault("clickhouse-url", "http://localhost:8123"),
                values.getOrDefault("clickhouse-database", "stocks"),
                values.getOrDefault("clickhouse-user", "default"),
                values.getOrDefault("clickhouse-password", ""),
                positiveInt(values, "batch-size", 500),
                positiveLong(values, "batch-timeout-ms", 20),
                positiveInt(values, "max-in-flight", 4),
                positiveLong(values, "call-timeout-ms", 10_000),
                nonNegativeInt(values, "call-retries", 5),
                positiveLong(values, "checkpoint-interval-ms", 5_000),
                positiveInt(values, "sink-batch-size", 5_000),
                positiveLong(values, "sink-flush-ms", 1_000),
                parallelism == null ? null : positiveInt(values, "parallelism", 1),
                values.get("group-id"),
                maxRequestBytes(values),
                nonNegativeInt(values, "poison-restarts", 3));
    }

    /** The byte bound must leave room under the gRPC message limit (the bound counts the request body only). */
    private static int maxRequestBytes(Map<String, String> values) {
        int bound = positiveInt(values, "max-request-bytes", DEFAULT_MAX_REQUEST_BYTES);
        if (bound > WorkerClient.MAX_MESSAGE_BYTES / 2) {
            throw new IllegalArgumentException("--max-request-bytes must be at most " + WorkerClient.MAX_MESSAGE_BYTES / 2
                    + " (half the 64 MiB gRPC message limit), got " + bound);
        }
        return bound;
    }

    /** The batching and retry settings of worker calls. */
    public WorkerCallSettings workerCallSettings() {
        return new WorkerCallSettings(worker, batchSize, batchTimeoutMs, maxInFlight, callTimeoutMs,
                RetryPolicy.forWorkerCalls(callRetries), maxRequestBytes, poisonRestarts, checkpointIntervalMs);
    }

    /** The ClickHouse sink settings for one table. */
    public ClickHouseSettings clickHouseSettings(String table) {
        return new ClickHouseSettings(clickhouseUrl, clickhouseDatabase, table, clickhouseUser, clickhousePassword,
                sinkBatchSize, sinkFlushMs, RetryPolicy.forSinkWrites());
    }

    private static int positiveInt(Map<String, String> values, String name, int fallback) {
        long value = positiveLong(values, name, fallback);
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--" + name + " is too large: " + value);
        }
        return (int) value;
    }

    private static int nonNegativeInt(Map<String, String> values, String name, int fallback) {
        String raw = values.get(name);
        if (raw == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value < 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a non-negative integer, got '" + raw + "'");
        }
    }

    private static long positiveLong(Map<String, String> values, String name, long fallback) {
        String raw = values.get(name);
        if (raw == null) {
            return fallback;
        }
        try {
            long value = Long.parseLong(raw.trim());
            if (value <= 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a positive integer, got '" + raw + "'");
        }
    }

    @Override
    public String toString() {
        // Never print the password (the job's arguments end up in logs).
        return "BridgeArgs[worker=" + worker + ", kafkaBrokers=" + kafkaBrokers + ", clickhouseUrl=" + clickhouseUrl
                + ", clickhouseDatabase=" + clickhouseDatabase + ", batchSize=" + batchSize + ", batchTimeoutMs="
                + batchTimeoutMs + ", maxInFlight=" + maxInFlight + ", callTimeoutMs=" + callTimeoutMs
                + ", callRetries=" + callRetries + ", checkpointIntervalMs=" + checkpointIntervalMs
                + ", sinkBatchSize=" + sinkBatchSize + ", sinkFlushMs=" + sinkFlushMs + ", parallelism="
                + parallelism + ", groupId=" + groupId + ", maxRequestBytes=" + maxRequestBytes + ", poisonRestarts="
                + poisonRestarts + "]";
    }
}
