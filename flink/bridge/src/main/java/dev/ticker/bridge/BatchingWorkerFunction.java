package dev.ticker.bridge;

import dev.ticker.bridge.grpc.CallKind;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;

/**
 * A node's worker calls: a chain, or a window's finish or late records. Sends records to the worker's
 * Process in batches (see {@link WorkerBatcher}), the one call path of the bridge.
 * Used with {@code AsyncDataStream.orderedWait}, so outputs leave in input order and in-flight
 * inputs are part of every checkpoint (re-sent after a restore).
 */
public class BatchingWorkerFunction extends WorkerAsyncFunction<BridgeRecord> {

    private final String chain;
    private final CallKind kind;

    private transient WorkerBatcher batcher;

    /** A chain node's calls. */
    public BatchingWorkerFunction(String chain, WorkerCallSettings settings, List<String> descriptorSha256,
            String poisonLedgerDir) {
        this(chain, CallKind.CHAIN, settings, descriptorSha256, poisonLedgerDir);
    }

    /**
     * Calls of {@code kind} for node {@code node}; the metric and poison-ledger step is the node name,
     * suffixed -finish / -late for a window's calls.
     */
    public BatchingWorkerFunction(String node, CallKind kind, WorkerCallSettings settings, List<String> descriptorSha256,
            String poisonLedgerDir) {
        super(stepName(node, kind), settings, descriptorSha256, poisonLedgerDir, "bridge-batcher-" + stepName(node, kind));
        this.chain = node;
        this.kind = kind;
    }

    private static String stepName(String node, CallKind kind) {
        return switch (kind) {
            case FINISH -> node + "-finish";
            case LATE -> node + "-late";
            default -> node;
        };
    }

    @Override
    public void open(OpenContext openContext) {
        super.open(openContext);
        batcher = new WorkerBatcher(chain, kind, client::process, settings, scheduler, metrics, this::closing, poison);
    }

    @Override
    public void asyncInvoke(BridgeRecord input, ResultFuture<Emission> resultFuture) {
        batcher.add(input, resultFuture);
    }

    @Override
    public void timeout(BridgeRecord input, ResultFuture<Emission> resultFuture) {
        fail(resultFuture, new WorkerCallException("record " + input.origin + " waited more than "
                + settings.asyncTimeoutMs() + " ms for " + WorkerBatcher.describe(chain, kind) + " at worker " + settings.worker()));
    }
}
