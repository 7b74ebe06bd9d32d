package dev.ticker.bridge;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * A chain node: sends records to the worker's Process in batches (see {@link WorkerBatcher}).
 * Used with {@code AsyncDataStream.orderedWait}, so outputs leave in input order and in-flight
 * inputs are part of every checkpoint (re-sent after a restore).
 */
public class BatchingWorkerFunction extends RichAsyncFunction<BridgeRecord, Emission> {

    private final String chain;
    private final WorkerCallSettings settings;
    private final List<String> descriptorSha256;

    private transient WorkerClient client;
    private transient ScheduledExecutorService scheduler;
    private transient WorkerBatcher batcher;

    public BatchingWorkerFunction(String chain, WorkerCallSettings settings, List<String> descriptorSha256) {
        this.chain = chain;
        this.settings = settings;
        this.descriptorSha256 = List.copyOf(descriptorSha256);
    }

    @Override
    public void open(OpenContext openContext) {
        client = WorkerClient.connect(settings.worker());
        // A worker redeployed with other logic must not silently process this job's records.
        client.checkDescriptor(descriptorSha256, settings.callTimeoutMs());
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bridge-batcher-" + chain);
            thread.setDaemon(true);
            return thread;
        });
        StepMetrics metrics = new StepMetrics(getRuntimeContext().getMetricGroup());
        batcher = new WorkerBatcher(chain, client::process, settings, scheduler, metrics);
    }

    @Override
    public void asyncInvoke(BridgeRecord input, ResultFuture<Emission> resultFuture) {
        batcher.add(input, resultFuture);
    }

    @Override
    public void timeout(BridgeRecord input, ResultFuture<Emission> resultFuture) {
        resultFuture.completeExceptionally(new WorkerCallException("record " + input.origin + " waited more than "
                + settings.asyncTimeoutMs() + " ms for chain '" + chain + "' at worker " + settings.worker()));
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (client != null) {
            client.close();
        }
    }
}
