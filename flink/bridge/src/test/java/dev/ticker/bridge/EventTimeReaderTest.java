package dev.ticker.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The event-time reader: the shared ts fixture, formats, paths, ahead of the clock, dedupe ids. */
class EventTimeReaderTest {

    /** Shared with common/test/tick-ts-fixture.test.ts (the zod tick schema). */
    private static final Path FIXTURE = Path.of("../../common/fixtures/tick-ts.json");
    private static final long NOW = 1_795_253_407_045L; // 2026-11-21T09:30:07.045Z
    private static final long KAFKA_TS = 1_800_000_000_000L;

    private static EventTimeReader reader(String format, long maxAheadMs) {
        return new EventTimeReader(new Descriptor.EventTime("field", List.of("ts"), format, maxAheadMs),
                new Descriptor.Dedupe(List.of("id"), 60_000), () -> NOW);
    }

    private static TimedRecord read(EventTimeReader reader, String json) {
        return reader.read(json.getBytes(StandardCharsets.UTF_8), "K", KAFKA_TS, "t/0/7");
    }

    @Test
    void acceptsAndRefusesExactlyTheFixturesTsStrings() throws Exception {
        JsonNode fixture = new ObjectMapper().readTree(Files.readString(FIXTURE));
        assertTrue(fixture.get("accepted").size() > 0 && fixture.get("refused").size() > 0);
        for (JsonNode accepted : fixture.get("accepted")) {
            assertEquals(accepted.get("epochMs").asLong(), EventTimeReader.parseIso(accepted.get("ts").asText()),
                    "accepted " + accepted.get("ts"));
        }
        for (JsonNode refused : fixture.get("refused")) {
            assertNull(EventTimeReader.parseIso(refused.asText()), "refused " + refused);
        }
    }

    @Test
    void assignsTheFieldsTimeAndReadsTheId() {
        TimedRecord record = read(reader("iso-8601", 60_000), "{\"id\":\"A-1\",\"ts\":\"2026-11-21T09:30:00.125Z\"}");
        assertEquals(1_795_253_400_125L, record.timestamp);
        assertEquals(TimedRecord.READ, record.status);
        assertEquals("A-1", record.id);
        assertEquals(NOW, record.readAtMs);
        assertEquals("t/0/7", record.origin);
        assertEquals("K", record.key);
    }

    @Test
    void anUnreadableTimeKeepsTheKafkaTimestamp() {
        EventTimeReader reader = reader("iso-8601", 60_000);
        for (String json : List.of("not json", "{\"id\":\"A-1\"}", "{\"ts\":17}", "[1]", "",
                "{\"ts\":\"2026-02-30T00:00:00.000Z\"}", "{\"ts\":null}")) {
            TimedRecord record = read(reader, json);
            assertEquals(TimedRecord.UNREADABLE, record.status, json);
            assertEquals(KAFKA_TS, record.timestamp, json);
            assertNull(record.aheadReason, json);
        }
        assertNull(read(reader, "{\"id\":17,\"ts\":\"2026-11-21T09:30:00.125Z\"}").id, "a number is not an id");
        assertNull(read(reader, "{\"id\":\"\",\"ts\":\"2026-11-21T09:30:00.125Z\"}").id, "an empty id is none");
    }

    @Test
    void readsEpochMillisAndNestedPaths() {
        EventTimeReader nested = new EventTimeReader(
                new Descriptor.EventTime("field", List.of("meta", "at"), "epoch-millis", 1_000), null, () -> NOW);
        TimedRecord record = nested.read("{\"meta\":{\"at\":1795253400000}}".getBytes(StandardCharsets.UTF_8), "", KAFKA_TS, "o");
        assertEquals(1_795_253_400_000L, record.timestamp);
        assertNull(record.id);
        assertEquals(TimedRecord.UNREADABLE,
                nested.read("{\"meta\":{\"at\":1.5}}".getBytes(StandardCharsets.UTF_8), "", KAFKA_TS, "o").status);
        assertEquals(TimedRecord.UNREADABLE,
                nested.read("{\"meta\":\"x\"}".getBytes(StandardCharsets.UTF_8), "", KAFKA_TS, "o").status);
    }

    @Test
    void aTimeBeyondTheToleranceIsAheadAndNamesTsAndTolerance() {
        EventTimeReader reader = reader("iso-8601", 60_000);
        // Exactly the tolerance ahead is still accepted; one millisecond more is not.
        TimedRecord edge = read(reader, "{\"ts\":\"2026-11-21T09:31:07.045Z\"}");
        assertEquals(TimedRecord.READ, edge.status);
        assertEquals(NOW + 60_000, edge.timestamp);
        TimedRecord ahead = read(reader, "{\"ts\":\"2026-11-21T09:31:07.046Z\"}");
        assertEquals(TimedRecord.AHEAD, ahead.status);
        assertEquals(KAFKA_TS, ahead.timestamp);
        assertEquals("event time 2026-11-21T09:31:07.046Z is more than 60000 ms ahead of the clock (maxAheadMs)",
                ahead.aheadReason);
    }

    @Test
    void kafkaTimeIsTheRecordTimestampAndIsCheckedToo() {
        EventTimeReader reader = new EventTimeReader(new Descriptor.EventTime("kafka", null, null, 1_000), null, () -> NOW);
        TimedRecord record = reader.read(new byte[0], "", NOW - 5, "o");
        assertEquals(NOW - 5, record.timestamp);
        assertEquals(TimedRecord.READ, record.status);
        TimedRecord ahead = reader.read(new byte[0], "", NOW + 1_001, "o");
        assertEquals(TimedRecord.AHEAD, ahead.status);
        assertEquals("event time 2026-11-21T09:30:08.046Z (Kafka timestamp) is more than 1000 ms ahead of the clock (maxAheadMs)",
                ahead.aheadReason);
    }
}
