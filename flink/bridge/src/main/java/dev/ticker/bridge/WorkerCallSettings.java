package dev.ticker.bridge;

import java.io.Serializable;

/**
 * How the bridge talks to the worker: where, how many records and bytes per call, how long a
 * partial batch may wait, how many calls may be in flight per subtask, the per-call deadline and
 * retries, and after how many restarts an input that keeps failing the same way is a dead letter
 * ({@code poisonRestarts}; the checkpoint interval bounds how long a failure waits to be recorded).
 */
public record WorkerCallSettings(
        String worker, int batchSize, long batchTimeoutMs, int maxInFlight, long callTimeoutMs, RetryPolicy retry,
        int maxRequestBytes, int poisonRestarts, long checkpointIntervalMs)
        implements Serializable {

    /** Longest time one batch can take from first attempt to final failure. */
    public long retryBudgetMs() {
        return (retry.retries() + 1L) * callTimeoutMs + retry.totalBackoffMs();
    }

    /**
     * The Async I/O timeout per element. It must be larger than a batch's whole retry budget
     * (our own retries decide failure, with a clear message), plus the batch wait and time queued
     * behind other in-flight calls; the Flink timeout is only a last-resort guard.
     */
    public long asyncTimeoutMs() {
        return batchTimeoutMs + 3 * retryBudgetMs();
    }

    /** Async I/O queue capacity: room for {@code maxInFlight} full batches. */
    public int asyncCapacity() {
        return Math.max(1, batchSize * maxInFlight);
    }
}
