package dev.ticker.bridge;

import com.google.protobuf.ByteString;
import dev.ticker.bridge.grpc.Output;
import dev.ticker.bridge.grpc.ProcessRequest;
import dev.ticker.bridge.grpc.ProcessResponse;
import dev.ticker.bridge.grpc.Record;
import dev.ticker.bridge.grpc.Rejection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;

/**
 * Batches the elements of one Async I/O operator into worker Process calls: a batch is sent when
 * it holds {@code batchSize} records or its first record has waited {@code batchTimeoutMs}; at most
 * {@code maxInFlight} calls run at once (further batches queue, nothing blocks the task thread).
 * Each input's ResultFuture completes when its batch returns, with that input's outputs and dead
 * letters. A call is retried with backoff; when retries are exhausted every input of the batch
 * fails, which fails the job (Flink restores from the last checkpoint and re-sends in-flight inputs).
 */
final class WorkerBatcher {

    private record Pending(BridgeRecord input, ResultFuture<Emission> future) {}

    private final String chain;
    private final BiFunction<ProcessRequest, Long, CompletableFuture<ProcessResponse>> call;
    private final WorkerCallSettings settings;
    private final ScheduledExecutorService scheduler;
    private final StepMetrics metrics;
    private final BooleanSupplier closing;

    // Guarded by this.
    private List<Pending> open = new ArrayList<>();
    private long openGeneration;
    private final ArrayDeque<List<Pending>> ready = new ArrayDeque<>();
    private int inFlight;
    private WorkerCallException failure;

    /**
     * @param call one Process attempt: (request, deadline ms) -> response
     * @param closing true once the operator is closing: failures are then left unreported (see
     *     {@link WorkerAsyncFunction})
     */
    WorkerBatcher(String chain, BiFunction<ProcessRequest, Long, CompletableFuture<ProcessResponse>> call,
            WorkerCallSettings settings, ScheduledExecutorService scheduler, StepMetrics metrics,
            BooleanSupplier closing) {
        this.chain = chain;
        this.call = call;
        this.settings = settings;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.closing = closing;
        metrics.gauge("workerCallsInFlight", this::inFlight);
        metrics.gauge("workerBatchesQueued", this::queued);
    }

    /** Adds one input; its future completes when the batch it lands in has been processed. */
    void add(BridgeRecord input, ResultFuture<Emission> future) {
        List<List<Pending>> toSend;
        synchronized (this) {
            if (failure != null) {
                future.completeExceptionally(failure);
                return;
            }
            open.add(new Pending(input, future));
            if (open.size() >= settings.batchSize()) {
                seal();
            } else if (open.size() == 1) {
                long generation = openGeneration;
                scheduler.schedule(() -> onBatchTimeout(generation), settings.batchTimeoutMs(), TimeUnit.MILLISECONDS);
            }
            toSend = takeSendable();
        }
        toSend.forEach(this::send);
    }

    synchronized int inFlight() {
        return inFlight;
    }

    synchronized int queued() {
        return ready.size();
    }

    private void onBatchTimeout(long generation) {
        List<List<Pending>> toSend;
        synchronized (this) {
            if (generation != openGeneration || open.isEmpty()) {
                return; // that batch was already sealed by size
            }
            seal();
            toSend = takeSendable();
        }
        toSend.forEach(this::send);
    }

    /** Caller holds the lock. */
    private void seal() {
        ready.add(open);
        open = new ArrayList<>();
        openGeneration++;
    }

    /** Caller holds the lock. Takes the batches that may start now. */
    private List<List<Pending>> takeSendable() {
        List<List<Pending>> batches = new ArrayList<>();
        while (inFlight < settings.maxInFlight() && !ready.isEmpty()) {
            inFlight++;
            batches.add(ready.poll());
        }
        return batches;
    }

    private void send(List<Pending> batch) {
        ProcessRequest.Builder request = ProcessRequest.newBuilder().setChain(chain);
        for (Pending pending : batch) {
            request.addRecords(toProto(pending.input()));
        }
        ProcessRequest built = request.build();
        metrics.calls.inc();
        metrics.recordsSent.inc(batch.size());
        metrics.batchSize.update(batch.size());
        long startNanos = System.nanoTime();
        Retrier.call("worker Process call for chain '" + chain + "' (" + batch.size() + " records)",
                        () -> call.apply(built, settings.callTimeoutMs()), settings.retry(), scheduler,
                        retry -> metrics.callRetries.inc())
                .whenComplete((response, error) -> {
                    metrics.callLatencyMs.update(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
                    if (error == null) {
                        try {
                            deliver(batch, response);
                        } catch (WorkerCallException protocolError) {
                            fail(batch, protocolError);
                        }
                    } else {
                        fail(batch, error instanceof WorkerCallException w ? w
                                : new WorkerCallException("worker Process call for chain '" + chain + "' failed", error));
                    }
                    List<List<Pending>> next;
                    synchronized (this) {
                        inFlight--;
                        next = takeSendable();
                    }
                    next.forEach(this::send);
                });
    }

    private void deliver(List<Pending> batch, ProcessResponse response) {
        List<List<Emission>> perInput = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            perInput.add(new ArrayList<>(1));
        }
        for (Output output : response.getOutputsList()) {
            int index = checkIndex(output.getInputIndex(), batch.size());
            BridgeRecord input = batch.get(index).input();
            perInput.get(index).add(Emission.output(fromProto(output.getRecord(), input.timestamp, input.origin)));
            metrics.outputs.inc();
        }
        for (Rejection rejection : response.getRejectionsList()) {
            int index = checkIndex(rejection.getInputIndex(), batch.size());
            BridgeRecord input = batch.get(index).input();
            perInput.get(index).add(Emission.deadLetter(
                    new BridgeRecord(rejection.getDeadLetter().toByteArray(), input.key, input.timestamp, input.origin)));
            metrics.rejections.inc();
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).future().complete(perInput.get(i));
        }
    }

    private int checkIndex(int index, int size) {
        if (index < 0 || index >= size) {
            throw new WorkerCallException("worker answered chain '" + chain + "' with input_index " + index
                    + " for a batch of " + size + " records (protocol violation)");
        }
        return index;
    }

    private void fail(List<Pending> batch, WorkerCallException error) {
        if (closing.getAsBoolean()) {
            return; // the inputs are in the snapshot Flink restores from; failing them would fail the stop
        }
        metrics.callFailures.inc();
        synchronized (this) {
            if (failure == null) {
                failure = error;
            }
        }
        for (Pending pending : batch) {
            pending.future().completeExceptionally(error);
        }
    }

    /** The proto form of a record. */
    static Record toProto(BridgeRecord record) {
        return Record.newBuilder()
                .setValue(record.value == null ? ByteString.EMPTY : ByteString.copyFrom(record.value))
                .setKey(record.key == null ? "" : record.key)
                .setTimestamp(record.timestamp)
                .setOrigin(record.origin == null ? "" : record.origin)
                .build();
    }

    /** A worker output as a record; origin and timestamp default to the given ones when the worker left them out. */
    static BridgeRecord fromProto(Record record, long defaultTimestamp, String defaultOrigin) {
        return new BridgeRecord(
                record.getValue().toByteArray(),
                record.getKey(),
                record.getTimestamp() != 0 ? record.getTimestamp() : defaultTimestamp,
                record.getOrigin().isEmpty() ? defaultOrigin : record.getOrigin());
    }
}
