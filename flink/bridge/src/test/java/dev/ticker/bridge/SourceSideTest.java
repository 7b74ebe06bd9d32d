package dev.ticker.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * The source side on a MiniCluster: records ahead of the clock are refused and become dead letters
 * through the worker's REJECT calls, repeated ids count once.
 */
class SourceSideTest {

    private static final long NOW = 1_795_253_407_045L;
    private static final Descriptor.Source SOURCE = new Descriptor.Source("source", "read", "kafka", "in", "earliest",
            new Descriptor.Watermark(0, 1_000),
            new Descriptor.EventTime("field", List.of("ts"), "iso-8601", 60_000),
            new Descriptor.Dedupe(List.of("id"), 60_000));
    private static final EventTimeReader READER =
            new EventTimeReader(SOURCE.eventTime(), SOURCE.dedupe(), () -> NOW);

    private static int offset;

    /** A record read {@code readAfterMs} after NOW (the reader's clock decides ahead-ness at NOW). */
    private static TimedRecord read(String json, long readAfterMs) {
        return read("K", json, readAfterMs);
    }

    private static TimedRecord read(String key, String json, long readAfterMs) {
        TimedRecord record = READER.read(json.getBytes(StandardCharsets.UTF_8), key, NOW, "in/0/" + offset++);
        record.readAtMs += readAfterMs;
        return record;
    }

    /** The records the source side passes on, or (with a worker) the dead letters of those it refused. */
    private static List<String> run(FakeWorker worker, TimedRecord... records) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<TimedRecord> input = env.fromData(records)
                .assignTimestampsAndWatermarks(EventTimeWatermarks.strategy(SOURCE.watermark()));
        EventTimeSource.Streams streams = EventTimeSource.after(input, SOURCE);
        DataStream<BridgeRecord> output = worker == null ? streams.records()
                : BridgeJob.refusedDeadLetters(streams.refused(), SOURCE.name(), List.of(worker.descriptorSha256),
                        BridgeArgs.parse(new String[] {"--descriptor-base64", "e30=", "--worker", worker.target(),
                            "--batch-timeout-ms", "5"}).workerCallSettings());
        List<String> out = new ArrayList<>();
        try (CloseableIterator<BridgeRecord> it = output.executeAndCollect()) {
            it.forEachRemaining(r -> out.add(r.origin + " " + r.timestamp + " " + r.valueText()));
        }
        out.sort(null);
        return out;
    }

    @Test
    void repeatedIdsOfAKeyWithinTheHorizonCountOnceAndOthersPass() throws Exception {
        offset = 0;
        List<String> records = run(null,
                read("{\"id\":\"a\",\"ts\":\"2026-11-21T09:30:00.000Z\"}", 0),
                read("{\"id\":\"b\",\"ts\":\"2026-11-21T09:30:01.000Z\"}", 0),
                read("{\"id\":\"a\",\"ts\":\"2026-11-21T09:30:00.000Z\"}", 59_999), // within the horizon: dropped
                read("{\"id\":\"b\",\"ts\":\"2026-11-21T09:30:01.000Z\"}", 60_000), // horizon over: counts again
                read("no id, no time", 0),
                read("no id, no time", 0), // no id: never dropped
                read("L", "{\"id\":\"a\",\"ts\":\"2026-11-21T09:30:00.000Z\"}", 0)); // another Kafka key: counts
        assertEquals(List.of(
                "in/0/0 1795253400000 {\"id\":\"a\",\"ts\":\"2026-11-21T09:30:00.000Z\"}",
                "in/0/1 1795253401000 {\"id\":\"b\",\"ts\":\"2026-11-21T09:30:01.000Z\"}",
                "in/0/3 1795253401000 {\"id\":\"b\",\"ts\":\"2026-11-21T09:30:01.000Z\"}",
                "in/0/4 1795253407045 no id, no time",
                "in/0/5 1795253407045 no id, no time",
                "in/0/6 1795253400000 {\"id\":\"a\",\"ts\":\"2026-11-21T09:30:00.000Z\"}"), records);
    }

    @Test
    void aRecordAheadOfTheClockIsRefusedNamingItsTimeAndTheToleranceAndTheWorkerMakesItsDeadLetter() throws Exception {
        offset = 0;
        TimedRecord[] input = {
            read("{\"id\":\"a\",\"ts\":\"2026-11-22T09:30:00.000Z\"}", 0),
            read("{\"id\":\"b\",\"ts\":\"2026-11-21T09:30:00.000Z\"}", 0)};
        try (FakeWorker worker = new FakeWorker()) {
            // The row is the worker's (the fake echoes what it was sent); its time is the Kafka timestamp.
            assertEquals(List.of("in/0/0 1795253407045 {\"origin\":\"in/0/0\",\"step\":\"read\",\"reason\":"
                            + "\"event time 2026-11-22T09:30:00.000Z is more than 60000 ms ahead of the clock (maxAheadMs)\","
                            + "\"raw\":\"{\\\"id\\\":\\\"a\\\",\\\"ts\\\":\\\"2026-11-22T09:30:00.000Z\\\"}\",\"raw_bytes\":42,"
                            + "\"raw_sha256\":\"8b1e32af15db55b0b028fd139406b92bdea01fecfdc559fe75e61da82d6f2d49\",\"raw_encoding\":\"utf8\","
                            + "\"ts\":\"2026-11-21 09:30:07\"}"),
                    run(worker, input));
            assertEquals(1, worker.refused.size());
            assertEquals("", worker.refused.get(0).getKey()); // the row does not hold the key
            assertFalse(worker.refused.get(0).getRefusal().hasPrefix()); // small enough to go whole
        }
        assertEquals(List.of("in/0/1 1795253400000 {\"id\":\"b\",\"ts\":\"2026-11-21T09:30:00.000Z\"}"), run(null, input));
    }
}
