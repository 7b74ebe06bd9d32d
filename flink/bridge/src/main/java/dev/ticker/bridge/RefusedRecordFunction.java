package dev.ticker.bridge;

import dev.ticker.bridge.grpc.CallKind;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;

/**
 * Records the source side refused (ahead of the clock, see {@link SourceGate}): the worker builds
 * their dead letters in REJECT calls for the source node (step = the source name), through the one
 * call path ({@link WorkerBatcher}: batches, byte bound, retries, metrics, quiet close). Used with
 * {@code AsyncDataStream.orderedWait}, so in-flight records are part of every checkpoint.
 */
final class RefusedRecordFunction extends WorkerAsyncFunction<TimedRecord> {

    private final String source;

    private transient WorkerBatcher batcher;

    RefusedRecordFunction(String source, WorkerCallSettings settings, List<String> descriptorSha256) {
        // No poison ledger: a REJECT call that fails fails the job (nothing to trace).
        super(source + "-refused", settings, descriptorSha256, null, "bridge-refused-" + source);
        this.source = source;
    }

    @Override
    public void open(OpenContext openContext) {
        super.open(openContext);
        batcher = new WorkerBatcher(source, CallKind.REJECT, client::process, settings, scheduler, metrics, this::closing,
                poison);
    }

    @Override
    public void asyncInvoke(TimedRecord input, ResultFuture<Emission> resultFuture) {
        batcher.refuse(input.toBridgeRecord(), input.aheadReason, resultFuture);
    }

    @Override
    public void timeout(TimedRecord input, ResultFuture<Emission> resultFuture) {
        fail(resultFuture, new WorkerCallException("record " + input.origin + " waited more than "
                + settings.asyncTimeoutMs() + " ms for " + WorkerBatcher.describe(source, CallKind.REJECT) + " at worker "
                + settings.worker()));
    }
}
