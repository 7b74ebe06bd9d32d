package dev.ticker.bridge;

import com.google.protobuf.ByteString;
import dev.ticker.bridge.grpc.AggregateRequest;
import dev.ticker.bridge.grpc.AggregateResponse;
import dev.ticker.bridge.grpc.DescribeRequest;
import dev.ticker.bridge.grpc.DescribeResponse;
import dev.ticker.bridge.grpc.Output;
import dev.ticker.bridge.grpc.ProcessRequest;
import dev.ticker.bridge.grpc.ProcessResponse;
import dev.ticker.bridge.grpc.Record;
import dev.ticker.bridge.grpc.Rejection;
import dev.ticker.bridge.grpc.WorkerGrpc;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker implemented in the test, served by a real gRPC (Netty) server on an ephemeral port.
 * Its chain "upper" maps each value to upper case, drops "drop", emits two outputs for "twice"
 * and rejects "bad" with a dead letter; chain "pass" passes values through. Aggregate emits one
 * JSON row per window. Failures and delays can be injected per Process call.
 */
final class FakeWorker extends WorkerGrpc.WorkerImplBase implements AutoCloseable {

    /** Sizes of the Process batches received, in arrival order. */
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    /** Serialized sizes of the Process requests received, in arrival order. */
    final List<Integer> requestBytes = new CopyOnWriteArrayList<>();
    /** A Process request holding a record with this value fails with INTERNAL (a worker bug on one input). */
    volatile String poisonValue;
    /** Process calls of the poison record alone (how often the bridge sent it after tracing it). */
    final AtomicInteger poisonAlone = new AtomicInteger();
    /** Nanotime of each Process call's arrival. */
    final List<Long> arrivals = new CopyOnWriteArrayList<>();
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger concurrent = new AtomicInteger();
    final AtomicInteger maxConcurrent = new AtomicInteger();
    /** The first this-many Process calls fail with {@link #failureStatus}. */
    volatile int failFirst;
    volatile Status failureStatus = Status.UNAVAILABLE.withDescription("injected failure");
    /** Each Process call waits this long before answering. */
    volatile long delayMs;
    volatile String descriptorSha256 = "0".repeat(64);

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Server server;
    private final int port;

    FakeWorker() throws IOException {
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(this)
                .executor(java.util.concurrent.Executors.newCachedThreadPool())
                .build()
                .start();
        port = server.getPort();
    }

    String target() {
        return "localhost:" + port;
    }

    @Override
    public void process(ProcessRequest request, StreamObserver<ProcessResponse> response) {
        int call = calls.incrementAndGet();
        arrivals.add(System.nanoTime());
        batchSizes.add(request.getRecordsCount());
        requestBytes.add(request.getSerializedSize());
        int now = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        try {
            if (delayMs > 0) {
                Thread.sleep(delayMs);
            }
            if (call <= failFirst) {
                response.onError(failureStatus.asRuntimeException());
                return;
            }
            String poison = poisonValue;
            if (poison != null && request.getRecordsList().stream().anyMatch(r -> r.getValue().toStringUtf8().equals(poison))) {
                if (request.getRecordsCount() == 1) {
                    poisonAlone.incrementAndGet();
                }
                response.onError(Status.INTERNAL.withDescription("boom on " + poison).asRuntimeException());
                return;
            }
            if (request.getChain().equals("pass")) {
                response.onNext(pass(request));
                response.onCompleted();
                return;
            }
            if (!request.getChain().equals("upper")) {
                response.onError(Status.NOT_FOUND.withDescription("unknown chain " + request.getChain()).asRuntimeException());
                return;
            }
            ProcessResponse.Builder out = ProcessResponse.newBuilder();
            for (int i = 0; i < request.getRecordsCount(); i++) {
                Record in = request.getRecords(i);
                String value = in.getValue().toStringUtf8();
                switch (value) {
                    case "drop" -> { }
                    case "bad" -> out.addRejections(rejection(i, in, "upper"));
                    case "twice" -> {
                        out.addOutputs(output(i, in, "TWICE-1"));
                        out.addOutputs(output(i, in, "TWICE-2"));
                    }
                    default -> out.addOutputs(output(i, in, value.toUpperCase(Locale.ROOT)));
                }
            }
            response.onNext(out.build());
            response.onCompleted();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response.onError(Status.CANCELLED.asRuntimeException());
        } finally {
            concurrent.decrementAndGet();
        }
    }

    /** Chain "pass": outputs each value unchanged (key kept), rejects values that contain "bad". */
    private static ProcessResponse pass(ProcessRequest request) {
        ProcessResponse.Builder out = ProcessResponse.newBuilder();
        for (int i = 0; i < request.getRecordsCount(); i++) {
            Record in = request.getRecords(i);
            if (in.getValue().toStringUtf8().contains("bad")) {
                out.addRejections(rejection(i, in, "pass"));
            } else {
                out.addOutputs(Output.newBuilder().setInputIndex(i).setRecord(in));
            }
        }
        return out.build();
    }

    /** A dead letter in the contract's shape (origin, step, reason, raw, ts). */
    static Rejection rejection(int index, Record in, String step) {
        ObjectNode deadLetter = JSON.createObjectNode()
                .put("origin", in.getOrigin())
                .put("step", step)
                .put("reason", "bad value")
                .put("raw", in.getValue().toStringUtf8())
                .put("ts", LateRecordDeadLetter.CLICKHOUSE_DATETIME.format(Instant.ofEpochMilli(in.getTimestamp())));
        return Rejection.newBuilder().setInputIndex(index).setStep(step).setReason("bad value")
                .setDeadLetter(ByteString.copyFromUtf8(deadLetter.toString())).build();
    }

    private static Output output(int index, Record in, String value) {
        return Output.newBuilder().setInputIndex(index).setRecord(Record.newBuilder()
                .setValue(ByteString.copyFrom(value, StandardCharsets.UTF_8))
                .setKey(in.getKey()).setTimestamp(in.getTimestamp()).setOrigin(in.getOrigin())).build();
    }

    @Override
    public void aggregate(AggregateRequest request, StreamObserver<AggregateResponse> response) {
        // One row per window: id = key-start, n = record count, ts = window start.
        String summary = JSON.createObjectNode()
                .put("id", request.getKey() + "-" + request.getWindowStart())
                .put("n", request.getRecordsCount())
                .put("ts", LateRecordDeadLetter.CLICKHOUSE_DATETIME.format(Instant.ofEpochMilli(request.getWindowStart())))
                .toString();
        response.onNext(AggregateResponse.newBuilder().addOutputs(Output.newBuilder().setInputIndex(-1).setRecord(
                Record.newBuilder().setValue(ByteString.copyFromUtf8(summary)).setKey(request.getKey()))).build());
        response.onCompleted();
    }

    @Override
    public void describe(DescribeRequest request, StreamObserver<DescribeResponse> response) {
        response.onNext(DescribeResponse.newBuilder().setDescriptorJson("{}").setDescriptorSha256(descriptorSha256).build());
        response.onCompleted();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
