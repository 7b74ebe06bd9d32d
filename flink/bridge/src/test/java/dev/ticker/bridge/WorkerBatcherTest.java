package dev.ticker.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.ticker.bridge.grpc.CallKind;
import dev.ticker.bridge.grpc.ProcessRequest;
import dev.ticker.bridge.grpc.Record;
import io.grpc.Status;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batching worker caller against a real gRPC server implemented in the test. */
class WorkerBatcherTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeWorker worker;
    private WorkerClient client;
    private ScheduledExecutorService scheduler;
    private StepMetrics metrics;

    @BeforeEach
    void start() throws Exception {
        worker = new FakeWorker();
        client = WorkerClient.connect(worker.target());
        scheduler = Executors.newSingleThreadScheduledExecutor();
        metrics = new StepMetrics(new UnregisteredMetricsGroup());
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.shutdownNow();
        client.close();
        worker.close();
    }

    /** A ResultFuture backed by a CompletableFuture, as the test's view of what Flink would get. */
    static final class TestResult implements ResultFuture<Emission> {
        final CompletableFuture<List<Emission>> future = new CompletableFuture<>();

        @Override
        public void complete(Collection<Emission> result) {
            future.complete(new ArrayList<>(result));
        }

        @Override
        public void completeExceptionally(Throwable error) {
            future.completeExceptionally(error);
        }

        @Override
        public void complete(CollectionSupplier<Emission> supplier) {
            try {
                complete(supplier.get());
            } catch (Exception e) {
                completeExceptionally(e);
            }
        }

        List<Emission> get() throws Exception {
            return future.get(20, TimeUnit.SECONDS);
        }
    }

    private WorkerBatcher batcher(String chain, int batchSize, long batchTimeoutMs, int maxInFlight, long callTimeoutMs, int retries) {
        return batcher(chain, batchSize, batchTimeoutMs, maxInFlight, callTimeoutMs, retries,
                BridgeArgs.DEFAULT_MAX_REQUEST_BYTES, PoisonLedger.inMemory(3));
    }

    private WorkerBatcher batcher(String chain, int batchSize, long batchTimeoutMs, int maxInFlight, long callTimeoutMs,
            int retries, int maxRequestBytes, PoisonLedger poison) {
        WorkerCallSettings settings = new WorkerCallSettings(worker.target(), batchSize, batchTimeoutMs, maxInFlight,
                callTimeoutMs, new RetryPolicy(retries, 20, 100), maxRequestBytes, 3, 5_000);
        return new WorkerBatcher(chain, dev.ticker.bridge.grpc.CallKind.CHAIN, client::process, settings, scheduler, metrics, () -> false, poison);
    }

    private static BridgeRecord record(String value, int offset) {
        return new BridgeRecord(value.getBytes(StandardCharsets.UTF_8), "K" + offset, 1_700_000_000_000L + offset, "t/0/" + offset);
    }

    private List<TestResult> addAll(WorkerBatcher batcher, List<String> values) {
        List<TestResult> results = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            TestResult result = new TestResult();
            batcher.add(record(values.get(i), i), result);
            results.add(result);
        }
        return results;
    }

    private static List<String> texts(List<Emission> emissions) {
        return emissions.stream().map(e -> (e.deadLetter ? "DL:" : "") + e.record.valueText()).toList();
    }

    @Test
    void fullBatchesGoAtOnceAndTheRemainderAfterTheBatchTimeout() throws Exception {
        WorkerBatcher batcher = batcher("upper", 4, 1_000, 4, 5_000, 0);
        long start = System.nanoTime();
        List<TestResult> results = addAll(batcher, List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"));
        for (TestResult result : results) {
            result.get();
        }
        assertEquals(List.of(4, 4, 2), worker.batchSizes);
        long fullBatchMs = TimeUnit.NANOSECONDS.toMillis(worker.arrivals.get(1) - start);
        long partialBatchMs = TimeUnit.NANOSECONDS.toMillis(worker.arrivals.get(2) - start);
        assertTrue(fullBatchMs < 1_000, "full batches must not wait for the timeout, took " + fullBatchMs + " ms");
        assertTrue(partialBatchMs >= 990, "the partial batch must wait for the batch timeout, took " + partialBatchMs + " ms");
        assertEquals(10, metrics.recordsSent.getCount());
        assertEquals(3, metrics.calls.getCount());
    }

    @Test
    void aLoneRecordIsSentWhenTheBatchTimeoutExpires() throws Exception {
        WorkerBatcher batcher = batcher("upper", 500, 50, 4, 5_000, 0);
        long start = System.nanoTime();
        List<TestResult> results = addAll(batcher, List.of("solo"));
        assertEquals(List.of("SOLO"), texts(results.get(0).get()));
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waitedMs >= 45, "sent after " + waitedMs + " ms, before the 50 ms batch timeout");
        assertEquals(List.of(1), worker.batchSizes);
    }

    @Test
    void eachInputGetsItsOwnOutputsAndDeadLettersWithOriginAndTimestamp() throws Exception {
        WorkerBatcher batcher = batcher("upper", 5, 1_000, 4, 5_000, 0);
        List<TestResult> results = addAll(batcher, List.of("a", "drop", "twice", "bad", "e"));
        assertEquals(List.of("A"), texts(results.get(0).get()));
        assertEquals(List.of(), texts(results.get(1).get()));
        assertEquals(List.of("TWICE-1", "TWICE-2"), texts(results.get(2).get()));
        assertEquals(List.of("DL:{\"origin\":\"t/0/3\",\"step\":\"upper\",\"reason\":\"bad value\",\"raw\":\"bad\","
                + "\"ts\":\"2023-11-14 22:13:20\"}"), texts(results.get(3).get()));
        assertEquals(List.of("E"), texts(results.get(4).get()));
        BridgeRecord deadLetter = results.get(3).get().get(0).record;
        assertEquals("t/0/3", deadLetter.origin);
        assertEquals(1_700_000_000_003L, deadLetter.timestamp);
        assertEquals("K3", deadLetter.key);
        BridgeRecord output = results.get(4).get().get(0).record;
        assertEquals("t/0/4", output.origin);
        assertEquals(1_700_000_000_004L, output.timestamp);
        assertEquals(List.of(5), worker.batchSizes);
        assertEquals(4, metrics.outputs.getCount());
        assertEquals(1, metrics.rejections.getCount());
    }

    @Test
    void resultsMatchInputsAcrossManyConcurrentBatches() throws Exception {
        WorkerBatcher batcher = batcher("upper", 7, 5, 3, 5_000, 0);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            values.add("v" + i);
        }
        List<TestResult> results = addAll(batcher, values);
        for (int i = 0; i < values.size(); i++) {
            assertEquals(List.of("V" + i), texts(results.get(i).get()));
        }
        assertEquals(500, worker.batchSizes.stream().mapToInt(Integer::intValue).sum());
        assertTrue(worker.maxConcurrent.get() <= 3, "at most 3 calls in flight, saw " + worker.maxConcurrent.get());
    }

    @Test
    void noMoreThanMaxInFlightCallsRunAtOnce() throws Exception {
        worker.delayMs = 150;
        WorkerBatcher batcher = batcher("upper", 1, 1_000, 2, 5_000, 0);
        List<TestResult> results = addAll(batcher, List.of("a", "b", "c", "d", "e", "f"));
        for (TestResult result : results) {
            result.get();
        }
        assertEquals(2, worker.maxConcurrent.get());
        assertEquals(6, worker.calls.get());
    }

    @Test
    void transientFailuresAreRetriedWithBackoff() throws Exception {
        worker.failFirst = 2;
        WorkerBatcher batcher = batcher("upper", 2, 1_000, 1, 5_000, 3);
        List<TestResult> results = addAll(batcher, List.of("x", "y"));
        assertEquals(List.of("X"), texts(results.get(0).get()));
        assertEquals(List.of("Y"), texts(results.get(1).get()));
        assertEquals(3, worker.calls.get());
        assertEquals(2, metrics.callRetries.getCount());
        assertEquals(0, metrics.callFailures.getCount());
    }

    @Test
    void batchesAreSplitSoThatNoRequestExceedsTheByteBound() throws Exception {
        // Each record of a 100-byte value takes 122 bytes in the request, the chain name 7: 4 fit in 500.
        WorkerBatcher batcher = batcher("upper", 100, 50, 4, 5_000, 0, 500, PoisonLedger.inMemory(3));
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            values.add("x".repeat(99) + i);
        }
        List<TestResult> results = addAll(batcher, values);
        for (int i = 0; i < 10; i++) {
            assertEquals(List.of("X".repeat(99) + i), texts(results.get(i).get()));
        }
        assertEquals(List.of(4, 4, 2), worker.batchSizes);
        assertEquals(List.of(495, 495, 251), worker.requestBytes);
        assertEquals(495, metrics.maxRequestBytes());
    }

    @Test
    void aRecordThatCannotFitAloneIsRefusedWithTheLargestPrefixThatFitsAndItsNeighboursGoThrough() throws Exception {
        WorkerBatcher batcher = batcher("upper", 100, 20, 4, 5_000, 0, 500, PoisonLedger.inMemory(3));
        List<TestResult> results = addAll(batcher, List.of("a", "x".repeat(600), "b"));
        assertEquals(List.of("A"), texts(results.get(0).get()));
        assertEquals(List.of("B"), texts(results.get(2).get()));
        List<Emission> oversized = results.get(1).get();
        assertEquals(1, oversized.size());
        assertTrue(oversized.get(0).deadLetter);
        BridgeRecord deadLetter = oversized.get(0).record;
        assertEquals(List.of("t/0/1", "K1", 1_700_000_000_001L), List.of(deadLetter.origin, deadLetter.key, deadLetter.timestamp));
        String reason = "too large: this record makes a Process request of 631 bytes on its own, over the bridge's "
                + "bound of 500 bytes (--max-request-bytes)";
        // The worker's row (the fake echoes what the bridge sent).
        JsonNode row = JSON.readTree(deadLetter.value);
        assertEquals("t/0/1", row.get("origin").asText());
        assertEquals("upper", row.get("step").asText());
        assertEquals(reason, row.get("reason").asText());
        assertEquals(600, row.get("raw_bytes").asLong());
        assertEquals("5130b33e6b87fbf5316ed9049e98924eb110800bcbaaad8050f642fba6df37c9", row.get("raw_sha256").asText());
        assertEquals("utf8", row.get("raw_encoding").asText());
        // The REJECT call: the value's longest prefix that keeps the request within the bound, no key.
        assertEquals(1, worker.refused.size());
        Record sent = worker.refused.get(0);
        int kept = sent.getValue().size();
        assertEquals("x".repeat(kept), sent.getValue().toStringUtf8());
        assertEquals("", sent.getKey());
        assertEquals(reason, sent.getRefusal().getReason());
        assertEquals(600, sent.getRefusal().getPrefix().getBytes());
        assertTrue(sent.getRefusal().getPrefix().getUtf8());
        assertEquals(500, rejectRequestBytes(sent));
        assertEquals(501, rejectRequestBytes(sent.toBuilder().setValue(ByteString.copyFromUtf8("x".repeat(kept + 1))).build()));
        assertEquals(List.of(1, 2), worker.batchSizes.stream().sorted().toList()); // the whole record never went
        assertEquals(1, metrics.oversizedInputs.getCount());
        assertEquals(1, metrics.rejections.getCount());
        assertEquals(500, metrics.maxRequestBytes());
    }

    /** Serialized size of a REJECT request for node "upper" holding only {@code record}. */
    private static int rejectRequestBytes(Record record) {
        return ProcessRequest.newBuilder().setNode("upper").setKind(CallKind.REJECT).addRecords(record).build()
                .getSerializedSize();
    }

    @Test
    void aRefusedValueIsSentAsAtMostItsFirst65540BytesWithTheWholesLengthHashAndEncoding() throws Exception {
        WorkerBatcher batcher = batcher("upper", 2, 10_000, 4, 5_000, 0, 200_000, PoisonLedger.inMemory(3));
        byte[] text = ("a" + "é".repeat(110_000)).getBytes(StandardCharsets.UTF_8); // 220,001 bytes
        byte[] binary = new byte[220_000];
        binary[70_000] = (byte) 0xff; // not UTF-8, though its first 65,540 bytes are
        TestResult textResult = new TestResult();
        TestResult binaryResult = new TestResult();
        batcher.add(new BridgeRecord(text, "K", 5, "t/0/0"), textResult);
        batcher.add(new BridgeRecord(binary, "K", 6, "t/0/1"), binaryResult);
        textResult.get();
        binaryResult.get();
        assertEquals(List.of(2), worker.batchSizes); // one REJECT call for both
        Record sentText = worker.refused.get(0);
        Record sentBinary = worker.refused.get(1);
        assertEquals(ByteString.copyFrom(text, 0, 65_540), sentText.getValue()); // ends inside a character
        assertEquals(List.of(220_001L, true, ByteString.copyFrom(MessageDigest.getInstance("SHA-256").digest(text))),
                List.of(sentText.getRefusal().getPrefix().getBytes(), sentText.getRefusal().getPrefix().getUtf8(),
                        sentText.getRefusal().getPrefix().getSha256()));
        assertEquals(ByteString.copyFrom(binary, 0, 65_540), sentBinary.getValue());
        assertEquals(List.of(220_000L, false, ByteString.copyFrom(MessageDigest.getInstance("SHA-256").digest(binary))),
                List.of(sentBinary.getRefusal().getPrefix().getBytes(), sentBinary.getRefusal().getPrefix().getUtf8(),
                        sentBinary.getRefusal().getPrefix().getSha256()));
        assertEquals(List.of(5L, 6L), List.of(sentText.getTimestamp(), sentBinary.getTimestamp()));
    }

    @Test
    void underABoundTooSmallForTheReasonTheReasonIsCutAndNoValueSent() throws Exception {
        WorkerBatcher batcher = batcher("upper", 100, 20, 4, 5_000, 0, 150, PoisonLedger.inMemory(3));
        List<TestResult> results = addAll(batcher, List.of("x".repeat(600)));
        results.get(0).get();
        Record sent = worker.refused.get(0);
        String reason = "too large: this record makes a Process request of 631 bytes on its own, over the bridge's "
                + "bound of 150 bytes (--max-request-bytes)";
        assertEquals(0, sent.getValue().size());
        assertTrue(reason.startsWith(sent.getRefusal().getReason()) && sent.getRefusal().getReason().length() > 40,
                sent.getRefusal().getReason());
        assertTrue(rejectRequestBytes(sent) <= 150, "request of " + rejectRequestBytes(sent) + " bytes");
        assertEquals(600, sent.getRefusal().getPrefix().getBytes());
    }

    @Test
    void aRejectAnswerWithoutTheDeadLetterBreaksTheProtocolAndFailsTheInput() throws Exception {
        worker.rejectAnswersNothing = true;
        PoisonLedger ledger = PoisonLedger.inMemory(0);
        WorkerBatcher batcher = batcher("upper", 100, 20, 4, 5_000, 0, 500, ledger);
        List<TestResult> results = addAll(batcher, List.of("x".repeat(600)));
        WorkerCallException failed = assertInstanceOf(WorkerCallException.class,
                assertThrows(ExecutionException.class, results.get(0)::get).getCause());
        assertEquals("worker answered node 'upper' dead letters for 1 records with 0 outputs and rejections per input [0] "
                + "(protocol violation: exactly one rejection each)", failed.getMessage());
        assertEquals(List.of(1), worker.batchSizes); // never re-sent: a lost dead letter fails the job, Flink replays
        assertFalse(ledger.remembers());
    }

    @Test
    void aFailedRejectCallFailsItsInputAndIsNeverTracedAsPoison() throws Exception {
        worker.failFirst = Integer.MAX_VALUE;
        worker.failureStatus = Status.INTERNAL.withDescription("worker bug");
        PoisonLedger ledger = PoisonLedger.inMemory(0);
        WorkerBatcher batcher = batcher("upper", 100, 20, 4, 5_000, 0, 500, ledger);
        List<TestResult> results = addAll(batcher, List.of("x".repeat(600)));
        WorkerCallException failed = assertInstanceOf(WorkerCallException.class,
                assertThrows(ExecutionException.class, results.get(0)::get).getCause());
        assertTrue(failed.getMessage().contains("node 'upper' dead letters"), failed.getMessage());
        assertEquals(List.of(1), worker.batchSizes); // no retracing, no second refusal
        assertFalse(ledger.remembers());
        assertEquals(1, metrics.callFailures.getCount());
    }

    @Test
    void anErrorAboutOneRecordIsTracedToItAndTheRestOfTheBatchGoesThrough() throws Exception {
        worker.poisonValue = "poison";
        WorkerBatcher batcher = batcher("upper", 3, 1_000, 1, 5_000, 0, 500, PoisonLedger.inMemory(0));
        List<TestResult> results = addAll(batcher, List.of("a", "poison", "b"));
        assertEquals(List.of("A"), texts(results.get(0).get()));
        assertEquals(List.of("B"), texts(results.get(2).get()));
        JsonNode row = JSON.readTree(results.get(1).get().get(0).record.value);
        assertEquals("poison: failed the same way in 1 attempt (0 restarts, --poison-restarts 0): INTERNAL: boom on poison",
                row.get("reason").asText());
        assertEquals("poison", row.get("raw").asText());
        // The batch, then one call per record of it, then the REJECT call for the poison one.
        assertEquals(List.of(3, 1, 1, 1, 1), worker.batchSizes);
        assertEquals(List.of("poison"), worker.refused.stream().map(r -> r.getValue().toStringUtf8()).toList());
        assertEquals(1, metrics.poisonInputs.getCount());
    }

    @Test
    void aPoisonRecordFailsTheJobUntilItFailedTheSameWayAfterPoisonRestarts(@TempDir java.nio.file.Path dir) throws Exception {
        worker.poisonValue = "poison";
        String ledgerDir = dir.toUri().toString();
        // Attempt 0 (the first run) and attempt 1 (after one restart) of subtask 0, --poison-restarts 1.
        WorkerBatcher first = batcher("upper", 2, 1_000, 1, 5_000, 0, 500, PoisonLedger.open(ledgerDir, "job", "upper", 0, 0, 1));
        List<TestResult> firstRun = addAll(first, List.of("a", "poison"));
        assertEquals(List.of("A"), texts(firstRun.get(0).get()));
        WorkerCallException failed = assertInstanceOf(WorkerCallException.class,
                assertThrows(ExecutionException.class, firstRun.get(1)::get).getCause());
        assertTrue(failed.getMessage().contains("INTERNAL: boom on poison"), failed.getMessage());

        WorkerBatcher second = batcher("upper", 2, 1_000, 1, 5_000, 0, 500, PoisonLedger.open(ledgerDir, "job", "upper", 0, 1, 1));
        List<TestResult> secondRun = addAll(second, List.of("a", "poison"));
        assertEquals(List.of("A"), texts(secondRun.get(0).get()));
        JsonNode row = JSON.readTree(secondRun.get(1).get().get(0).record.value);
        assertEquals("poison: failed the same way in 2 attempts (1 restart, --poison-restarts 1): INTERNAL: boom on poison",
                row.get("reason").asText());
    }

    @Test
    void aPoisonInputWhoseDeadLetterCouldNotBeMadeIsADeadLetterAtItsNextFailure(@TempDir java.nio.file.Path dir)
            throws Exception {
        worker.poisonValue = "poison";
        worker.rejectFailure = Status.UNAVAILABLE.withDescription("worker down");
        String ledgerDir = dir.toUri().toString();
        PoisonLedger firstLedger = PoisonLedger.open(ledgerDir, "job", "upper", 0, 0, 0);
        WorkerBatcher first = batcher("upper", 1, 1_000, 1, 5_000, 0, 500, firstLedger);
        List<TestResult> firstRun = addAll(first, List.of("poison"));
        // Poison at once (--poison-restarts 0), but its REJECT call fails: the job fails, the ledger keeps the input.
        assertInstanceOf(WorkerCallException.class, assertThrows(ExecutionException.class, firstRun.get(0)::get).getCause());
        assertTrue(firstLedger.remembers());

        worker.rejectFailure = null;
        PoisonLedger secondLedger = PoisonLedger.open(ledgerDir, "job", "upper", 0, 1, 0);
        WorkerBatcher second = batcher("upper", 1, 1_000, 1, 5_000, 0, 500, secondLedger);
        List<TestResult> secondRun = addAll(second, List.of("poison"));
        JsonNode row = JSON.readTree(secondRun.get(0).get().get(0).record.value);
        assertEquals("poison: failed the same way in 2 attempts (1 restart, --poison-restarts 0): INTERNAL: boom on poison",
                row.get("reason").asText());
        assertFalse(secondLedger.remembers()); // forgotten once its dead letter was made
        assertFalse(PoisonLedger.open(ledgerDir, "job", "upper", 0, 2, 0).remembers());
    }

    @Test
    void anOutageIsNeverTakenForAPoisonInput() throws Exception {
        worker.failFirst = Integer.MAX_VALUE; // UNAVAILABLE
        PoisonLedger ledger = PoisonLedger.inMemory(0);
        WorkerBatcher batcher = batcher("upper", 2, 1_000, 1, 5_000, 0, 500, ledger);
        List<TestResult> results = addAll(batcher, List.of("x", "y"));
        for (TestResult result : results) {
            assertInstanceOf(WorkerCallException.class, assertThrows(ExecutionException.class, result::get).getCause());
        }
        assertEquals(List.of(2), worker.batchSizes); // not split record by record either
        assertFalse(ledger.remembers());
    }

    @Test
    void exhaustedRetriesFailEveryInputOfTheBatchAndLaterInputs() throws Exception {
        worker.failFirst = Integer.MAX_VALUE;
        WorkerBatcher batcher = batcher("upper", 2, 1_000, 1, 5_000, 2);
        List<TestResult> results = addAll(batcher, List.of("x", "y"));
        for (TestResult result : results) {
            ExecutionException error = assertThrows(ExecutionException.class, result::get);
            WorkerCallException cause = assertInstanceOf(WorkerCallException.class, error.getCause());
            assertTrue(cause.getMessage().contains("chain 'upper' (2 records) failed after 3 attempts"), cause.getMessage());
            assertTrue(cause.getMessage().contains("UNAVAILABLE"), cause.getMessage());
        }
        assertEquals(3, worker.calls.get());
        TestResult later = new TestResult();
        batcher.add(record("z", 9), later);
        assertInstanceOf(WorkerCallException.class, assertThrows(ExecutionException.class, later::get).getCause());
        assertEquals(3, worker.calls.get());
    }

    @Test
    void anUnknownChainFailsAtOnceWithoutRetries() throws Exception {
        WorkerBatcher batcher = batcher("no-such-chain", 1, 1_000, 1, 5_000, 5);
        TestResult result = addAll(batcher, List.of("x")).get(0);
        WorkerCallException cause = assertInstanceOf(WorkerCallException.class,
                assertThrows(ExecutionException.class, result::get).getCause());
        assertTrue(cause.getMessage().contains("not retryable"), cause.getMessage());
        assertTrue(cause.getMessage().contains("NOT_FOUND"), cause.getMessage());
        assertEquals(1, worker.calls.get());
    }

    @Test
    void aSlowWorkerHitsTheCallDeadlineAndIsRetriedThenFails() throws Exception {
        worker.delayMs = 400;
        WorkerBatcher batcher = batcher("upper", 1, 1_000, 1, 100, 1);
        TestResult result = addAll(batcher, List.of("x")).get(0);
        WorkerCallException cause = assertInstanceOf(WorkerCallException.class,
                assertThrows(ExecutionException.class, result::get).getCause());
        assertTrue(cause.getMessage().contains("failed after 2 attempts"), cause.getMessage());
        assertTrue(cause.getMessage().contains("DEADLINE_EXCEEDED"), cause.getMessage());
        assertEquals(Status.Code.DEADLINE_EXCEEDED, Status.fromThrowable(cause.getCause()).getCode());
    }

    @Test
    void aCallCutOffByTheOperatorClosingLeavesItsInputsUnfailed() throws Exception {
        // What close() does on stop-with-savepoint: flag, stop the scheduler, shut the channel down
        // under a call in flight. The input is in the savepoint; failing it would fail the stop.
        worker.delayMs = 5_000;
        AtomicBoolean closing = new AtomicBoolean();
        WorkerClient ownClient = WorkerClient.connect(worker.target());
        ScheduledExecutorService ownScheduler = Executors.newSingleThreadScheduledExecutor();
        WorkerCallSettings settings = new WorkerCallSettings(worker.target(), 1, 1_000, 1, 10_000,
                new RetryPolicy(3, 20, 100), BridgeArgs.DEFAULT_MAX_REQUEST_BYTES, 3, 5_000);
        WorkerBatcher batcher = new WorkerBatcher("upper", dev.ticker.bridge.grpc.CallKind.CHAIN, ownClient::process, settings, ownScheduler, metrics, closing::get,
                PoisonLedger.inMemory(3));
        TestResult result = addAll(batcher, List.of("x")).get(0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (worker.calls.get() < 1) {
            assertTrue(System.nanoTime() < deadline, "the call never reached the worker");
            Thread.sleep(10);
        }
        closing.set(true);
        ownScheduler.shutdownNow();
        ownClient.close();
        // The call's completion handler records its latency first: wait for it, then look.
        while (metrics.callLatencyMs.getCount() < 1) {
            assertTrue(System.nanoTime() < deadline, "the cut-off call never completed");
            Thread.sleep(10);
        }
        assertFalse(result.future.isDone(), "the input's future must stay incomplete");
        assertEquals(0, metrics.callFailures.getCount());
    }

    @Test
    void aWorkerThatIsDownFailsAfterRetries() throws Exception {
        worker.close();
        WorkerBatcher batcher = batcher("upper", 1, 1_000, 1, 1_000, 2);
        TestResult result = addAll(batcher, List.of("x")).get(0);
        WorkerCallException cause = assertInstanceOf(WorkerCallException.class,
                assertThrows(ExecutionException.class, result::get).getCause());
        assertTrue(cause.getMessage().contains("failed after 3 attempts"), cause.getMessage());
        assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(cause.getCause()).getCode());
    }

    @Test
    void describeCheckAcceptsTheSameDescriptorAndNamesBothHashesOtherwise() {
        String descriptorText = "{\"version\":1}\n";
        worker.descriptorSha256 = Descriptor.sha256(descriptorText);
        client.checkDescriptor(Descriptor.acceptedSha256(descriptorText), 5_000);
        client.checkDescriptor(Descriptor.acceptedSha256(descriptorText.strip()), 5_000);
        List<String> other = Descriptor.acceptedSha256("{\"version\":1,\"x\":2}");
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> client.checkDescriptor(other, 5_000));
        assertTrue(error.getMessage().contains("runs a different pipeline"), error.getMessage());
        assertTrue(error.getMessage().contains(worker.descriptorSha256), error.getMessage());
        assertTrue(error.getMessage().contains(other.get(0)), error.getMessage());
    }

    @Test
    void describeCheckNamesTheWorkerAddressWhenItIsDown() throws Exception {
        worker.close();
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> client.checkDescriptor(List.of("x"), 300));
        assertTrue(error.getMessage().contains("worker at " + worker.target()), error.getMessage());
        assertTrue(error.getMessage().contains("is it running?"), error.getMessage());
    }
}
