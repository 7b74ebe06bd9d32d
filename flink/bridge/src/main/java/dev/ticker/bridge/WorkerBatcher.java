package dev.ticker.bridge;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.ticker.bridge.grpc.CallKind;
import dev.ticker.bridge.grpc.Output;
import dev.ticker.bridge.grpc.Prefix;
import dev.ticker.bridge.grpc.ProcessRequest;
import dev.ticker.bridge.grpc.ProcessResponse;
import dev.ticker.bridge.grpc.Record;
import dev.ticker.bridge.grpc.Refusal;
import dev.ticker.bridge.grpc.Rejection;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;

/**
 * The bridge's one call path to the worker: batches the elements of one Async I/O operator into
 * worker Process calls, whatever they run — a chain, a window's finish (one record per fired window),
 * a window's late records, or records the bridge refused (REJECT: the worker builds every dead-letter
 * row). A batch is sent when it holds {@code batchSize} records, when one more record would make the
 * request larger than {@code maxRequestBytes} (serialized size), or when its first record has waited
 * {@code batchTimeoutMs}; at most {@code maxInFlight} calls run at once (further batches queue,
 * nothing blocks the task thread; a node's REJECT calls are a second lane with a limit of their own). A record that does not fit in a request on its own is refused:
 * it goes to the worker in a REJECT call instead, as a prefix of its value (see {@link #refusal}).
 * Each input's ResultFuture completes when its batch returns, with that input's
 * outputs and dead letters. A call is retried with backoff; when retries are exhausted every input
 * of the batch fails, which fails the job (Flink restores from the last checkpoint and re-sends
 * in-flight inputs) — except that an error about the input (see {@link PoisonLedger}) first
 * re-sends the batch one record per call, to find the record it is about, and that record goes
 * through the {@link PoisonLedger}: refused (a dead letter) once it failed the same way after enough
 * restarts. REJECT calls themselves are never refused again: any failure of theirs fails the job.
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
    /** This node's REJECT calls (refused inputs); this batcher itself when it makes REJECT calls. */
    private final WorkerBatcher rejects;

    /**
     * Most bytes of a refused value sent when the whole does not fit in a request: the row keeps at
     * most 64 KiB of it on a character boundary (worker.proto, Refusal.prefix), and a character has at
     * most 4 bytes.
     */
    static final int REFUSED_PREFIX_BYTES = 64 * 1024 + 4;

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
        this(chain, kind, call, settings, scheduler, metrics, closing, poison, true);
    }

    private WorkerBatcher(String chain, CallKind kind,
            BiFunction<ProcessRequest, Long, CompletableFuture<ProcessResponse>> call, WorkerCallSettings settings,
            ScheduledExecutorService scheduler, StepMetrics metrics, BooleanSupplier closing, PoisonLedger poison,
            boolean registerGauges) {
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
        // The REJECT lane shares the call, metrics and settings; its calls count in this node's gauges.
        this.rejects = kind == CallKind.REJECT ? this
                : new WorkerBatcher(chain, CallKind.REJECT, call, settings, scheduler, metrics, closing, poison, false);
        if (registerGauges) {
            metrics.gauge("workerCallsInFlight", () -> inFlight() + (rejects == this ? 0 : rejects.inFlight()));
            metrics.gauge("workerBatchesQueued", () -> queued() + (rejects == this ? 0 : rejects.queued()));
        }
    }

    /** Adds one input; its future completes when the batch it lands in has been processed. */
    void add(BridgeRecord input, ResultFuture<Emission> future) {
        if (kind == CallKind.REJECT) {
            throw new IllegalStateException("a REJECT input needs its reason: use refuse()");
        }
        // Only a finish reads accumulators; late records and chain inputs are sent without them.
        Record proto = toProto(input, kind == CallKind.FINISH);
        int bytes = CodedOutputStream.computeMessageSize(RECORDS_FIELD, proto);
        if (baseBytes + bytes > settings.maxRequestBytes()) {
            metrics.oversizedInputs.inc();
            String reason = "too large: this record makes a Process request of " + (baseBytes + bytes)
                    + " bytes on its own, over the bridge's bound of " + settings.maxRequestBytes()
                    + " bytes (--max-request-bytes)";
            refuse(input, reason, future);
            return;
        }
        enqueue(new Pending(input, future, proto), bytes);
    }

    /**
     * Refuses one input of this node: a REJECT call gets the worker to build its dead-letter row
     * (step = this node, the given reason); the future completes with that one dead letter.
     */
    void refuse(BridgeRecord input, String reason, ResultFuture<Emission> future) {
        if (rejects != this) {
            rejects.refuse(input, reason, future);
            return;
        }
        Record proto = refusal(input, reason);
        enqueue(new Pending(input, future, proto), CodedOutputStream.computeMessageSize(RECORDS_FIELD, proto));
    }

    /**
     * The REJECT form of a refused input. The value goes whole when the request fits the bound; else
     * only its first bytes (at most {@link #REFUSED_PREFIX_BYTES}, fewer if the bound leaves less room)
     * with the whole's length, SHA-256 and UTF-8 validity; if even an empty prefix does not fit, the
     * reason is cut too. The key is not sent: the row does not hold it, and it can be as large as the value.
     */
    private Record refusal(BridgeRecord input, String reason) {
        byte[] value = input.value == null ? new byte[0] : input.value;
        Record.Builder record = Record.newBuilder()
                .setTimestamp(input.timestamp)
                .setOrigin(input.origin == null ? "" : input.origin)
                .setRefusal(Refusal.newBuilder().setReason(reason));
        Record whole = record.setValue(ByteString.copyFrom(value)).build();
        if (fits(whole)) {
            return whole;
        }
        record.getRefusalBuilder().setPrefix(Prefix.newBuilder()
                .setBytes(value.length).setSha256(ByteString.copyFrom(sha256(value))).setUtf8(isUtf8(value)));
        int length = Math.min(value.length, REFUSED_PREFIX_BYTES);
        Record cut = record.setValue(ByteString.copyFrom(value, 0, length)).build();
        while (!fits(cut) && length > 0) {
            length = Math.max(0, length - excess(cut));
            cut = record.setValue(ByteString.copyFrom(value, 0, length)).build();
        }
        String kept = reason;
        while (!fits(cut) && !kept.isEmpty()) {
            // UTF-8 has at most 3 bytes per char; never split a surrogate pair.
            int end = Math.max(0, kept.length() - Math.max(1, excess(cut) / 3 + 1));
            if (end > 0 && Character.isHighSurrogate(kept.charAt(end - 1))) {
                end--;
            }
            kept = kept.substring(0, end);
            record.getRefusalBuilder().setReason(kept);
            cut = record.build();
        }
        return cut; // over the bound only when the bound cannot hold an origin and a prefix header
    }

    private boolean fits(Record record) {
        return excess(record) <= 0;
    }

    /** How many bytes a request holding only {@code record} is over the bound. */
    private int excess(Record record) {
        return baseBytes + CodedOutputStream.computeMessageSize(RECORDS_FIELD, record) - settings.maxRequestBytes();
    }

    private void enqueue(Pending pending, int bytes) {
        List<List<Pending>> toSend;
        synchronized (this) {
            if (failure != null) {
                pending.future().completeExceptionally(failure);
                return;
            }
            if (!open.isEmpty() && baseBytes + openBytes + bytes > settings.maxRequestBytes()) {
                seal(); // the open batch is as large as a request may be: this record starts the next one
            }
            open.add(pending);
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
        // A REJECT call only formats: its failure is the worker's, and refusing a refusal would loop.
        if (closing.getAsBoolean() || kind == CallKind.REJECT || !PoisonLedger.isInputError(error)) {
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
                refuse(pending.input(), reason, forgettingOnSuccess(pending.future(), fingerprint(pending)));
            }
        }
    }

    /**
     * {@code future}, which also tells the poison ledger to forget the input once its dead letter is
     * made; until then the ledger keeps it, so a REJECT call that fails costs no extra restarts.
     */
    private ResultFuture<Emission> forgettingOnSuccess(ResultFuture<Emission> future, String fingerprint) {
        return new ResultFuture<>() {
            @Override
            public void complete(java.util.Collection<Emission> result) {
                poison.succeeded(fingerprint);
                future.complete(result);
            }

            @Override
            public void complete(org.apache.flink.streaming.api.functions.async.CollectionSupplier<Emission> supplier) {
                poison.succeeded(fingerprint);
                future.complete(supplier);
            }

            @Override
            public void completeExceptionally(Throwable error) {
                future.completeExceptionally(error);
            }
        };
    }

    private String fingerprint(Pending pending) {
        return PoisonLedger.fingerprint(chain.getBytes(StandardCharsets.UTF_8), pending.proto().toByteArray());
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    /** Whether {@code bytes} are well-formed UTF-8. */
    static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private void deliver(List<Pending> batch, ProcessResponse response) {
        if (kind == CallKind.REJECT) {
            checkOneRejectionEach(batch.size(), response);
        }
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
        if (batch.size() == 1 && kind != CallKind.REJECT && poison.remembers()) {
            poison.succeeded(fingerprint(batch.get(0)));
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).future().complete(perInput.get(i));
        }
    }

    /** A REJECT answer must hold exactly one dead letter per input, and nothing else: none may be lost. */
    private void checkOneRejectionEach(int size, ProcessResponse response) {
        int[] seen = new int[size];
        for (Rejection rejection : response.getRejectionsList()) {
            seen[checkIndex(rejection.getInputIndex(), size)]++;
        }
        if (response.getOutputsCount() > 0 || Arrays.stream(seen).anyMatch(n -> n != 1)) {
            throw new PoisonLedger.ProtocolViolation("worker answered " + what + " for " + size + " records with "
                    + response.getOutputsCount() + " outputs and rejections per input " + Arrays.toString(seen)
                    + " (protocol violation: exactly one rejection each)");
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
            case REJECT -> "node '" + node + "' dead letters";
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
