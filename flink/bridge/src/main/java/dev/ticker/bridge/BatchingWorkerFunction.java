package dev.ticker.bridge;

import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;

/**
 * A chain node: sends records to the worker's Process in batches (see {@link WorkerBatcher}).
 * Used with {@code AsyncDataStream.orderedWait}, so outputs leave in input order and in-flight
 * inputs are part of every checkpoint (re-sent after a restore).
 */
public class BatchingWorkerFunction extends WorkerAsyncFunction<BridgeRecord> {

    private final String chain;

    private transient WorkerBatcher batcher;

    public BatchingWorkerFunction(String chain, WorkerCallSettings settings, List<String> descriptorSha256,
            String poisonLedgerDir) {
        super(chain, settings, descriptorSha256, poisonLedgerDir, "bridge-batcher-" + chain);
        this.chain = chain;
    }

    @Override
    public void open(OpenContext openContext) {
        super.open(openContext);
        batcher = new WorkerBatcher(chain, client::process, settings, scheduler, metrics, this::closing, poison);
    }

    @Override
    public void asyncInvoke(BridgeRecord input, ResultFuture<Emission> resultFuture) {
        batcher.add(input, resultFuture);
    }

    @Override
    public void timeout(BridgeRecord input, ResultFuture<Emission> resultFuture) {
        fail(resultFuture, new WorkerCallException("record " + input.origin + " waited more than "
                + settings.asyncTimeoutMs() + " ms for chain '" + chain + "' at worker " + settings.worker()));
    }
}
