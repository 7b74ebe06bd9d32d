package dev.ticker.bridge;

import dev.ticker.bridge.grpc.AggregateRequest;
import dev.ticker.bridge.grpc.AggregateResponse;
import dev.ticker.bridge.grpc.Output;
import dev.ticker.bridge.grpc.Rejection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.functions.async.ResultFuture;

/**
 * A window node's aggregation: one worker Aggregate call per fired window (a window already
 * groups many records, so no further batching), with the same deadline and retries as chains.
 * A fired window is one input: if its request would exceed {@code maxRequestBytes} it cannot be
 * split (the aggregate needs every record at once), so it is a dead letter naming the window's key
 * and bounds; an error about it goes through the {@link PoisonLedger} like a record's.
 */
public class AggregateWorkerFunction extends WorkerAsyncFunction<FiredWindow> {

    private final String window;

    public AggregateWorkerFunction(String window, WorkerCallSettings settings, List<String> descriptorSha256,
            String poisonLedgerDir) {
        super(window, settings, descriptorSha256, poisonLedgerDir, "bridge-aggregate-" + window);
        this.window = window;
    }

    @Override
    public void asyncInvoke(FiredWindow fired, ResultFuture<Emission> resultFuture) {
        AggregateRequest.Builder request = AggregateRequest.newBuilder()
                .setWindow(window).setKey(fired.key).setWindowStart(fired.start).setWindowEnd(fired.end);
        for (BridgeRecord record : fired.records) {
            request.addRecords(WorkerBatcher.toProto(record));
        }
        AggregateRequest built = request.build();
        long windowMaxTimestamp = fired.end - 1;
        int bytes = built.getSerializedSize();
        if (bytes > settings.maxRequestBytes()) {
            metrics.oversizedInputs.inc();
            metrics.rejections.inc();
            resultFuture.complete(List.of(deadLetter(fired, "too large: " + describe(fired) + " makes an Aggregate request of "
                    + bytes + " bytes, over the bridge's bound of " + settings.maxRequestBytes() + " bytes (--max-request-bytes)")));
            return;
        }
        metrics.requestSent(bytes);
        metrics.calls.inc();
        metrics.recordsSent.inc(fired.records.length);
        metrics.batchSize.update(fired.records.length);
        long startNanos = System.nanoTime();
        String origin = "window/" + window + "/" + fired.key + "/" + fired.start;
        Retrier.call("worker Aggregate call for window '" + window + "' key '" + fired.key + "'",
                        () -> client.aggregate(built, settings.callTimeoutMs()), settings.retry(), scheduler,
                        retry -> metrics.callRetries.inc())
                .whenComplete((response, error) -> {
                    metrics.callLatencyMs.update(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
                    if (error == null) {
                        if (poison.remembers()) {
                            poison.succeeded(fingerprint(fired));
                        }
                        resultFuture.complete(emissions(response, fired, windowMaxTimestamp, origin));
                    } else if (closing()) {
                        fail(resultFuture, error);
                    } else if (PoisonLedger.isInputError(error)) {
                        String reason = poison.failed(fingerprint(fired), PoisonLedger.describe(error));
                        if (reason == null) {
                            metrics.callFailures.inc();
                            fail(resultFuture, error);
                        } else {
                            metrics.poisonInputs.inc();
                            metrics.rejections.inc();
                            resultFuture.complete(List.of(deadLetter(fired, reason + " (" + describe(fired) + ")")));
                        }
                    } else {
                        metrics.callFailures.inc();
                        fail(resultFuture, error);
                    }
                });
    }

    /** "window [start, end) of key 'K' (N records)", for reasons. */
    private static String describe(FiredWindow fired) {
        return "window [" + Instant.ofEpochMilli(fired.start) + ", " + Instant.ofEpochMilli(fired.end) + ") of key '"
                + fired.key + "' (" + fired.records.length + " records)";
    }

    /** The window as one input: node, key, bounds and size. */
    private String fingerprint(FiredWindow fired) {
        return PoisonLedger.fingerprint(window.getBytes(StandardCharsets.UTF_8), fired.key.getBytes(StandardCharsets.UTF_8),
                (fired.start + "/" + fired.end + "/" + fired.records.length).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The whole window as a dead letter, shaped like the worker's (origin {@code <window>/<key>/<start>},
     * raw = the records as a JSON array), its raw bounded by {@link DeadLetterRow}.
     */
    private BridgeRecord deadLetterRecord(FiredWindow fired, String reason) {
        DeadLetterRow.Raw raw = new DeadLetterRow.Raw().add("[");
        for (int i = 0; i < fired.records.length; i++) {
            if (i > 0) {
                raw.add(",");
            }
            byte[] value = fired.records[i].value;
            raw.add(value == null ? new byte[0] : value);
        }
        raw.add("]");
        String origin = window + "/" + fired.key + "/" + fired.start;
        long timestamp = fired.end - 1;
        return new BridgeRecord(DeadLetterRow.json(origin, window, reason, raw, timestamp), fired.key, timestamp, origin);
    }

    private Emission deadLetter(FiredWindow fired, String reason) {
        return Emission.deadLetter(deadLetterRecord(fired, reason));
    }

    private List<Emission> emissions(AggregateResponse response, FiredWindow fired, long timestamp, String origin) {
        List<Emission> emissions = new ArrayList<>();
        for (Output output : response.getOutputsList()) {
            emissions.add(Emission.output(WorkerBatcher.fromProto(output.getRecord(), timestamp, origin)));
            metrics.outputs.inc();
        }
        for (Rejection rejection : response.getRejectionsList()) {
            emissions.add(Emission.deadLetter(
                    new BridgeRecord(rejection.getDeadLetter().toByteArray(), fired.key, timestamp, origin)));
            metrics.rejections.inc();
        }
        return emissions;
    }

    @Override
    public void timeout(FiredWindow fired, ResultFuture<Emission> resultFuture) {
        fail(resultFuture, new WorkerCallException("window '" + window + "' key '" + fired.key
                + "' waited more than " + settings.asyncTimeoutMs() + " ms for worker " + settings.worker()));
    }
}
