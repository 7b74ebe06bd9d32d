package dev.ticker.bridge;

import com.google.protobuf.ByteString;
import dev.ticker.bridge.grpc.Accumulator;
import dev.ticker.bridge.grpc.CallKind;
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
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker implemented in the test, served by a real gRPC (Netty) server on an ephemeral port.
 * Its chain "upper" maps each value to upper case, drops "drop", emits two outputs for "twice"
 * and rejects "bad" with a dead letter; chain "pass" passes values through, each with a one-record
 * accumulator (order = timestamp, numbers [count 1, n], values [id, id]) for window "per-10s", whose
 * finish emits one JSON row per window and whose late records get a dead letter each. REJECT calls
 * (any node) get a row echoing what the bridge sent; the real worker's rows are tested in TypeScript.
 * Failures and delays can be injected per Process call.
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
    /** When set, REJECT calls fail with this status. */
    volatile Status rejectFailure;
    /** REJECT calls are answered with no rejection at all (a broken worker). */
    volatile boolean rejectAnswersNothing;
    /** The records of every REJECT call received, in arrival order. */
    final List<Record> refused = new CopyOnWriteArrayList<>();
    /** ClickHouse DateTime text, UTC (the test rows' time format). */
    static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

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
            if (request.getKind() == CallKind.REJECT && rejectFailure != null) {
                response.onError(rejectFailure.asRuntimeException());
                return;
            }
            if (request.getKind() == CallKind.REJECT) {
                // Like the real worker: a refused record's value is never read, so poison cannot fail it.
                ProcessResponse.Builder out = ProcessResponse.newBuilder();
                for (int i = 0; i < request.getRecordsCount(); i++) {
                    refused.add(request.getRecords(i));
                    if (!rejectAnswersNothing) {
                        out.addRejections(refusedRow(i, request.getRecords(i), request.getNode()));
                    }
                }
                response.onNext(out.build());
                response.onCompleted();
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
            if (request.getKind() == CallKind.FINISH && request.getNode().equals("per-10s")) {
                response.onNext(finish(request));
                response.onCompleted();
                return;
            }
            if (request.getKind() == CallKind.LATE && request.getNode().equals("per-10s")) {
                ProcessResponse.Builder out = ProcessResponse.newBuilder();
                for (int i = 0; i < request.getRecordsCount(); i++) {
                    out.addRejections(rejection(i, request.getRecords(i), "per-10s", "late for per-10s"));
                }
                response.onNext(out.build());
                response.onCompleted();
                return;
            }
            if (request.getKind() == CallKind.CHAIN && request.getNode().equals("pass")) {
                response.onNext(pass(request));
                response.onCompleted();
                return;
            }
            if (request.getKind() != CallKind.CHAIN || !request.getNode().equals("upper")) {
                response.onError(Status.NOT_FOUND.withDescription("unknown " + request.getKind() + " node " + request.getNode())
                        .asRuntimeException());
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
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            response.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
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
                String id;
                double n;
                try {
                    var row = JSON.readTree(in.getValue().toByteArray());
                    id = row.get("id").asText();
                    n = row.get("n").asDouble();
                } catch (IOException e) {
                    out.addRejections(rejection(i, in, "pass"));
                    continue;
                }
                ByteString order = ByteString.copyFrom(java.nio.ByteBuffer.allocate(8).putLong(in.getTimestamp()).array());
                ByteString idJson = ByteString.copyFromUtf8(JSON.createArrayNode().add(id).get(0).toString());
                Accumulator acc = Accumulator.newBuilder().setOrder(order).addNumbers(1).addNumbers(n)
                        .addValues(idJson).addValues(idJson).build();
                out.addOutputs(Output.newBuilder().setInputIndex(i).setRecord(in.toBuilder().addAccumulators(acc)));
            }
        }
        return out.build();
    }

    /** Window "per-10s": id = key-start-count-first-last, n = sum of n, ts = window start. */
    private static ProcessResponse finish(ProcessRequest request) throws IOException {
        ProcessResponse.Builder out = ProcessResponse.newBuilder();
        for (int i = 0; i < request.getRecordsCount(); i++) {
            Record in = request.getRecords(i);
            Accumulator acc = in.getAccumulators(0);
            String summary = JSON.createObjectNode()
                    .put("id", in.getKey() + "-" + acc.getWindowStart() + "-" + (long) acc.getNumbers(0) + "-"
                            + JSON.readTree(acc.getValues(0).toByteArray()).asText() + "-"
                            + JSON.readTree(acc.getValues(1).toByteArray()).asText())
                    .put("n", (long) acc.getNumbers(1))
                    .put("ts", DATETIME.format(Instant.ofEpochMilli(acc.getWindowStart())))
                    .toString();
            out.addOutputs(Output.newBuilder().setInputIndex(i).setRecord(
                    Record.newBuilder().setValue(ByteString.copyFromUtf8(summary)).setKey(in.getKey())));
        }
        return out.build();
    }

    /** A dead letter in the contract's shape (origin, step, reason, raw, ts). */
    static Rejection rejection(int index, Record in, String step) {
        return rejection(index, in, step, "bad value");
    }

    static Rejection rejection(int index, Record in, String step, String reason) {
        ObjectNode deadLetter = JSON.createObjectNode()
                .put("origin", in.getOrigin())
                .put("step", step)
                .put("reason", reason)
                .put("raw", in.getValue().toStringUtf8())
                .put("ts", DATETIME.format(Instant.ofEpochMilli(in.getTimestamp())));
        return Rejection.newBuilder().setInputIndex(index).setStep(step).setReason(reason)
                .setDeadLetter(ByteString.copyFromUtf8(deadLetter.toString())).build();
    }

    /** A REJECT row echoing the request: raw is the value sent; length, SHA-256 and encoding the prefix's if any. */
    static Rejection refusedRow(int index, Record in, String node) throws java.security.NoSuchAlgorithmException {
        boolean cut = in.getRefusal().hasPrefix();
        byte[] sha = cut ? in.getRefusal().getPrefix().getSha256().toByteArray()
                : java.security.MessageDigest.getInstance("SHA-256").digest(in.getValue().toByteArray());
        ObjectNode row = JSON.createObjectNode()
                .put("origin", in.getOrigin())
                .put("step", node)
                .put("reason", in.getRefusal().getReason())
                .put("raw", in.getValue().toStringUtf8())
                .put("raw_bytes", cut ? in.getRefusal().getPrefix().getBytes() : in.getValue().size())
                .put("raw_sha256", HexFormat.of().formatHex(sha))
                .put("raw_encoding", !cut || in.getRefusal().getPrefix().getUtf8() ? "utf8" : "base64")
                .put("ts", DATETIME.format(Instant.ofEpochMilli(in.getTimestamp())));
        return Rejection.newBuilder().setInputIndex(index).setStep(node).setReason(in.getRefusal().getReason())
                .setDeadLetter(ByteString.copyFromUtf8(row.toString())).build();
    }

    private static Output output(int index, Record in, String value) {
        return Output.newBuilder().setInputIndex(index).setRecord(Record.newBuilder()
                .setValue(ByteString.copyFrom(value, StandardCharsets.UTF_8))
                .setKey(in.getKey()).setTimestamp(in.getTimestamp()).setOrigin(in.getOrigin())).build();
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
