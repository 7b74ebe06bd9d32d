package dev.ticker.bridge;

import java.io.Serializable;

/**
 * Bounded retries with exponential backoff. After {@code retries} failed retries (so
 * {@code retries + 1} attempts) the caller gives up and fails the job: Flink's restart
 * strategy then restores from the last checkpoint, so nothing is lost by failing.
 */
public record RetryPolicy(int retries, long initialBackoffMs, long maxBackoffMs) implements Serializable {

    /** Worker calls: {@code retries} retries, 200 ms doubling up to 5 s. */
    public static RetryPolicy forWorkerCalls(int retries) {
        return new RetryPolicy(retries, 200, 5_000);
    }

    /** ClickHouse inserts: 5 retries, 500 ms doubling up to 8 s (about 15 s in all). */
    public static RetryPolicy forSinkWrites() {
        return new RetryPolicy(5, 500, 8_000);
    }

    /** Backoff before retry number {@code retry} (1-based). */
    public long backoffMs(int retry) {
        long backoff = initialBackoffMs;
        for (int i = 1; i < retry && backoff < maxBackoffMs; i++) {
            backoff *= 2;
        }
        return Math.min(backoff, maxBackoffMs);
    }

    /** The sum of all backoffs: the longest time spent waiting between attempts. */
    public long totalBackoffMs() {
        long total = 0;
        for (int retry = 1; retry <= retries; retry++) {
            total += backoffMs(retry);
        }
        return total;
    }
}
