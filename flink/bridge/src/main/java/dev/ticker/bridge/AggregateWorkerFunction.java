package dev.ticker.bridge;

import dev.ticker.bridge.grpc.AggregateRequest;
import dev.ticker.bridge.grpc.AggregateResponse;
import dev.ticker.bridge.grpc.Output;
import dev.ticker.bridge.grpc.Rejection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * A window node's aggregation: one worker Aggregate call per fired window (a window already
 * groups many records, so no further batching), with the same deadline and retries as chains.
 */
public class AggregateWorkerFunction extends RichAsyncFunction<FiredWindow, Emission> {

    private final String window;
    private final WorkerCallSettings settings;
    private final List<String> descriptorSha256;

    private transient WorkerClient client;
    private transient ScheduledExecutorService scheduler;
    private transient StepMetrics metrics;

    public AggregateWorkerFunction(String window, WorkerCallSettings settings, List<String> descriptorSha256) {
        this.window = window;
        this.settings = settings;
        this.descriptorSha256 = List.copyOf(descriptorSha256);
    }

    @Override
    public void open(OpenContext openContext) {
        client = WorkerClient.connect(settings.worker());
        client.checkDescriptor(descriptorSha256, settings.callTimeoutMs());
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bridge-aggregate-" + window);
            thread.setDaemon(true);
            return thread;
        });
        metrics = new StepMetrics(getRuntimeContext().getMetricGroup());
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
                        metrics.callFailures.inc();
                        resultFuture.completeExceptionally(error);
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
        resultFuture.completeExceptionally(new WorkerCallException("window '" + window + "' key '" + fired.key
                + "' waited more than " + settings.asyncTimeoutMs() + " ms for worker " + settings.worker()));
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
