package dev.ticker.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
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
    void aRecordThatCannotFitAloneIsADeadLetterAndItsNeighboursGoThrough() throws Exception {
        WorkerBatcher batcher = batcher("upper", 100, 20, 4, 5_000, 0, 500, PoisonLedger.inMemory(3));
        List<TestResult> results = addAll(batcher, List.of("a", "x".repeat(600), "b"));
        assertEquals(List.of("A"), texts(results.get(0).get()));
        assertEquals(List.of("B"), texts(results.get(2).get()));
        List<Emission> oversized = results.get(1).get();
        assertEquals(1, oversized.size());
        assertTrue(oversized.get(0).deadLetter);
        JsonNode row = JSON.readTree(oversized.get(0).record.value);
        assertEquals("t/0/1", row.get("origin").asText());
        assertEquals("upper", row.get("step").asText());
        assertEquals("too large: this record makes a Process request of 631 bytes on its own, over the bridge's "
                + "bound of 500 bytes (--max-request-bytes)", row.get("reason").asText());
        assertEquals("x".repeat(600), row.get("raw").asText());
        assertEquals(600, row.get("raw_bytes").asLong());
        assertEquals("5130b33e6b87fbf5316ed9049e98924eb110800bcbaaad8050f642fba6df37c9", row.get("raw_sha256").asText());
        assertEquals("utf8", row.get("raw_encoding").asText());
        assertEquals(List.of(2), worker.batchSizes); // the oversized record never went to the worker
        assertEquals(1, metrics.oversizedInputs.getCount());
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
        // The batch, then one call per record of it.
        assertEquals(List.of(3, 1, 1, 1), worker.batchSizes);
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
