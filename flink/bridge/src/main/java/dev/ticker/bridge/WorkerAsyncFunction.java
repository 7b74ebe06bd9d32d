package dev.ticker.bridge;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * What every worker-calling Async I/O step shares: the gRPC connection, the descriptor check, a
 * scheduler for retries and batch timers, step metrics, and a quiet close.
 *
 * <p>Quiet close: when Flink closes the operator (stop-with-savepoint, cancel, failover) its
 * in-flight inputs are already part of the snapshot it will restore from, so a call that fails
 * because the channel is being shut down must not fail the record: that would turn a clean
 * stop-with-savepoint into a failed job. Such futures are left incomplete; the records are re-sent
 * after a restore.
 */
abstract class WorkerAsyncFunction<IN> extends RichAsyncFunction<IN, Emission> {

    protected final WorkerCallSettings settings;
    /** The descriptor node this function calls the worker for. */
    protected final String step;
    private final List<String> descriptorSha256;
    private final String poisonLedgerDir;
    private final String threadName;

    protected transient WorkerClient client;
    protected transient ScheduledExecutorService scheduler;
    protected transient StepMetrics metrics;
    protected transient PoisonLedger poison;
    private transient volatile boolean closing;

    /** @param poisonLedgerDir where {@link PoisonLedger} files live; null keeps no ledger across restarts */
    WorkerAsyncFunction(String step, WorkerCallSettings settings, List<String> descriptorSha256, String poisonLedgerDir,
            String threadName) {
        this.step = step;
        this.settings = settings;
        this.descriptorSha256 = List.copyOf(descriptorSha256);
        this.poisonLedgerDir = poisonLedgerDir;
        this.threadName = threadName;
    }

    @Override
    public void open(OpenContext openContext) {
        client = WorkerClient.connect(settings.worker());
        // A worker redeployed with other logic must not silently process this job's records.
        client.checkDescriptor(descriptorSha256, settings.callTimeoutMs());
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
        metrics = new StepMetrics(getRuntimeContext().getMetricGroup());
        TaskInfo task = getRuntimeContext().getTaskInfo();
        // The attempt number survives restarts (it grows with each); the ledger file says what failed in earlier ones.
        poison = PoisonLedger.open(poisonLedgerDir, getRuntimeContext().getJobInfo().getJobId().toString(), step,
                task.getIndexOfThisSubtask(), task.getAttemptNumber(), settings.poisonRestarts());
    }

    /** True once close() began: failures from then on are the shutdown's, not the worker's. */
    final boolean closing() {
        return closing;
    }

    /** Fails one record's future, unless the operator is closing (see the class comment). */
    final void fail(ResultFuture<Emission> future, Throwable error) {
        if (!closing) {
            future.completeExceptionally(error);
        }
    }

    @Override
    public void close() {
        closing = true;
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (client != null) {
            client.close();
        }
    }
}
