package dev.ticker.bridge;

import dev.ticker.bridge.grpc.AggregateRequest;
import dev.ticker.bridge.grpc.AggregateResponse;
import dev.ticker.bridge.grpc.Output;
import dev.ticker.bridge.grpc.Rejection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.functions.async.ResultFuture;

/**
 * A window node's aggregation: one worker Aggregate call per fired window (a window already
 * groups many records, so no further batching), with the same deadline and retries as chains.
 */
public class AggregateWorkerFunction extends WorkerAsyncFunction<FiredWindow> {

    private final String window;

    public AggregateWorkerFunction(String window, WorkerCallSettings settings, List<String> descriptorSha256) {
        super(settings, descriptorSha256, "bridge-aggregate-" + window);
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
        metrics.calls.inc();
        metrics.recordsSent.inc(fired.records.length);
        metrics.batchSize.update(fired.records.length);
        long startNanos = System.nanoTime();
        String origin = "window/" + window + "/" + fired.key + "/" + fired.start;
        long windowMaxTimestamp = fired.end - 1;
        Retrier.call("worker Aggregate call for window '" + window + "' key '" + fired.key + "'",
                        () -> client.aggregate(built, settings.callTimeoutMs()), settings.retry(), scheduler,
                        retry -> metrics.callRetries.inc())
                .whenComplete((response, error) -> {
                    metrics.callLatencyMs.update(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
                    if (error != null) {
                        if (!closing()) {
                            metrics.callFailures.inc();
                        }
                        fail(resultFuture, error);
                    } else {
                        resultFuture.complete(emissions(response, fired, windowMaxTimestamp, origin));
                    }
                });
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
