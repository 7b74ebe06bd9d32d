package dev.ticker.bridge;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.ticker.bridge.grpc.CallKind;
import dev.ticker.bridge.grpc.Output;
import dev.ticker.bridge.grpc.ProcessRequest;
import dev.ticker.bridge.grpc.ProcessResponse;
import dev.ticker.bridge.grpc.Record;
import dev.ticker.bridge.grpc.Rejection;
import java.nio.charset.StandardCharsets;
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
 * The bridge's one call path to the worker: batches the elements of one Async I/O operator into
 * worker Process calls, whatever they run — a chain, a window's finish (one record per fired window)
 * or a window's late records (the worker builds their dead letters). A batch is sent when
 * it holds {@code batchSize} records, when one more record would make the request larger than
 * {@code maxRequestBytes} (serialized size), or when its first record has waited
 * {@code batchTimeoutMs}; at most {@code maxInFlight} calls run at once (further batches queue,
 * nothing blocks the task thread). A record that does not fit in a request on its own is a dead
 * letter at once. Each input's ResultFuture completes when its batch returns, with that input's
 * outputs and dead letters. A call is retried with backoff; when retries are exhausted every input
 * of the batch fails, which fails the job (Flink restores from the last checkpoint and re-sends
 * in-flight inputs) — except that an error about the input (see {@link PoisonLedger}) first
 * re-sends the batch one record per call, to find the record it is about, and that record goes
 * through the {@link PoisonLedger}: a dead letter once it failed the same way after enough restarts.
 */
final class WorkerBatcher {

    /** Field number of ProcessRequest.records (worker.proto). */
    private static final int RECORDS_FIELD = ProcessRequest.RECORDS_FIELD_NUMBER;

    /** One input, with its proto form built once (for sizing and sending). */
    private record Pending(BridgeRecord input, ResultFuture<Emission> future, Record proto) {}

    /** The descriptor node called (chain or window). */
    private final String chain;
    private final CallKind kind;
    /** How messages name the node and call, e.g. "chain 'parse-tick'". */
    private final String what;
    private final BiFunction<ProcessRequest, Long, CompletableFuture<ProcessResponse>> call;
    private final WorkerCallSettings settings;
    private final ScheduledExecutorService scheduler;
    private final StepMetrics metrics;
    private final BooleanSupplier closing;
    private final PoisonLedger poison;
    /** Serialized size of a request with no records (the chain name). */
    private final int baseBytes;

    // Guarded by this.
    private List<Pending> open = new ArrayList<>();
    private int openBytes;
    private long openGeneration;
    private final ArrayDeque<List<Pending>> ready = new ArrayDeque<>();
    private int inFlight;
    private WorkerCallException failure;

    /**
     * @param call one Process attempt: (request, deadline ms) -> response
     * @param closing true once the operator is closing: failures are then left unreported (see
     *     {@link WorkerAsyncFunction})
     */
    WorkerBatcher(String chain, CallKind kind, BiFunction<ProcessRequest, Long, CompletableFuture<ProcessResponse>> call,
            WorkerCallSettings settings, ScheduledExecutorService scheduler, StepMetrics metrics,
            BooleanSupplier closing, PoisonLedger poison) {
        this.chain = chain;
        this.kind = kind;
        this.what = describe(chain, kind);
        this.poison = poison;
        this.baseBytes = ProcessRequest.newBuilder().setNode(chain).setKind(kind).build().getSerializedSize();
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
        // Only a finish reads accumulators; late records and chain inputs are sent without them.
        Record proto = toProto(input, kind == CallKind.FINISH);
        int bytes = CodedOutputStream.computeMessageSize(RECORDS_FIELD, proto);
        if (baseBytes + bytes > settings.maxRequestBytes()) {
            metrics.oversizedInputs.inc();
            metrics.rejections.inc();
            String reason = "too large: this record makes a Process request of " + (baseBytes + bytes)
                    + " bytes on its own, over the bridge's bound of " + settings.maxRequestBytes()
                    + " bytes (--max-request-bytes)";
            future.complete(List.of(deadLetter(input, reason)));
            return;
        }
        List<List<Pending>> toSend;
        synchronized (this) {
            if (failure != null) {
                future.completeExceptionally(failure);
                return;
            }
            if (!open.isEmpty() && baseBytes + openBytes + bytes > settings.maxRequestBytes()) {
                seal(); // the open batch is as large as a request may be: this record starts the next one
            }
            open.add(new Pending(input, future, proto));
            openBytes += bytes;
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
        openBytes = 0;
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
        ProcessRequest.Builder request = ProcessRequest.newBuilder().setNode(chain).setKind(kind);
        for (Pending pending : batch) {
            request.addRecords(pending.proto());
        }
        ProcessRequest built = request.build();
        metrics.requestSent(built.getSerializedSize());
        metrics.calls.inc();
        metrics.recordsSent.inc(batch.size());
        metrics.batchSize.update(batch.size());
        long startNanos = System.nanoTime();
        Retrier.call("worker Process call for " + what + " (" + batch.size() + " records)",
                        () -> call.apply(built, settings.callTimeoutMs()), settings.retry(), scheduler,
                        retry -> metrics.callRetries.inc())
                .whenComplete((response, error) -> {
                    metrics.callLatencyMs.update(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
                    WorkerCallException failed = null;
                    if (error == null) {
                        try {
                            deliver(batch, response);
                        } catch (WorkerCallException protocolError) {
                            failed = protocolError;
                        }
                    } else {
                        failed = error instanceof WorkerCallException w ? w
                                : new WorkerCallException("worker Process call for " + what + " failed", error);
                    }
                    if (failed != null) {
                        failedForGood(batch, failed);
                    }
                    List<List<Pending>> next;
                    synchronized (this) {
                        inFlight--;
                        next = takeSendable();
                    }
                    next.forEach(this::send);
                });
    }

    /** A call failed after its retries: an error about an input is traced to it, anything else fails the batch. */
    private void failedForGood(List<Pending> batch, WorkerCallException error) {
        if (closing.getAsBoolean() || !PoisonLedger.isInputError(error)) {
            fail(batch, error);
        } else if (batch.size() > 1) {
            synchronized (this) {
                // One record per call, ahead of everything queued: the one the error is about fails alone.
                for (int i = batch.size() - 1; i >= 0; i--) {
                    ready.addFirst(List.of(batch.get(i)));
                }
            }
        } else {
            Pending pending = batch.get(0);
            String reason = poison.failed(fingerprint(pending), PoisonLedger.describe(error));
            if (reason == null) {
                fail(batch, error);
            } else {
                metrics.poisonInputs.inc();
                metrics.rejections.inc();
                pending.future().complete(List.of(deadLetter(pending.input(), reason)));
            }
        }
    }

    private String fingerprint(Pending pending) {
        return PoisonLedger.fingerprint(chain.getBytes(StandardCharsets.UTF_8), pending.proto().toByteArray());
    }

    /** A dead letter made by the bridge for an input of this chain. */
    private Emission deadLetter(BridgeRecord input, String reason) {
        byte[] row = DeadLetterRow.json(input.origin, chain, reason,
                DeadLetterRow.raw(input.value == null ? new byte[0] : input.value), input.timestamp);
        return Emission.deadLetter(new BridgeRecord(row, input.key, input.timestamp, input.origin));
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
        if (batch.size() == 1 && poison.remembers()) {
            poison.succeeded(fingerprint(batch.get(0)));
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).future().complete(perInput.get(i));
        }
    }

    private int checkIndex(int index, int size) {
        if (index < 0 || index >= size) {
            throw new PoisonLedger.ProtocolViolation("worker answered " + what + " with input_index " + index
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

    /** "chain 'x'", "window 'x' finish", "window 'x' late records": the node and call, for messages. */
    static String describe(String node, CallKind kind) {
        return switch (kind) {
            case FINISH -> "window '" + node + "' finish";
            case LATE -> "window '" + node + "' late records";
            default -> "chain '" + node + "'";
        };
    }

    /** The proto form of a record (its accumulators only when asked: a finish is the one call that reads them). */
    static Record toProto(BridgeRecord record, boolean withAccumulators) {
        Record.Builder proto = Record.newBuilder()
                .setValue(record.value == null ? ByteString.EMPTY : ByteString.copyFrom(record.value))
                .setKey(record.key == null ? "" : record.key)
                .setTimestamp(record.timestamp)
                .setOrigin(record.origin == null ? "" : record.origin);
        if (withAccumulators && record.accumulators != null) {
            for (WindowAccumulator acc : record.accumulators) {
                proto.addAccumulators(acc.toProto());
            }
        }
        return proto.build();
    }

    /** A worker output as a record; origin and timestamp default to the given ones when the worker left them out. */
    static BridgeRecord fromProto(Record record, long defaultTimestamp, String defaultOrigin) {
        BridgeRecord out = new BridgeRecord(
                record.getValue().toByteArray(),
                record.getKey(),
                record.getTimestamp() != 0 ? record.getTimestamp() : defaultTimestamp,
                record.getOrigin().isEmpty() ? defaultOrigin : record.getOrigin());
        int accumulators = record.getAccumulatorsCount();
        if (accumulators > 0) {
            out.accumulators = new WindowAccumulator[accumulators];
            for (int i = 0; i < accumulators; i++) {
                out.accumulators[i] = WindowAccumulator.fromProto(record.getAccumulators(i));
            }
        }
        return out;
    }
}
