package dev.ticker.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

/** The source's watermarks: bounded out-of-orderness over readable times, idleness, the future ignored. */
class EventTimeWatermarksTest {

    private static final java.time.format.DateTimeFormatter TS = java.time.format.DateTimeFormatter
            .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);
    private static final long DAY = 86_400_000L;
    private static final long T0 = 1_795_253_400_000L; // 2026-11-21T09:30:00.000Z
    private static final Descriptor.Watermark WATERMARK = new Descriptor.Watermark(2_000, 10_000);

    /** Records watermarks and idleness as Flink's source output would. */
    static final class Output implements WatermarkOutput {
        long watermark = Long.MIN_VALUE;
        boolean idle;

        @Override
        public void emitWatermark(Watermark w) {
            watermark = Math.max(watermark, w.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }

    /** The clock of both the reader (ahead of it?) and the generator's idleness: tests move it by hand. */
    private final ManualClock clock = new ManualClock(T0 * 1_000_000L);
    private final EventTimeReader reader = new EventTimeReader(
            new Descriptor.EventTime("field", List.of("ts"), "iso-8601", 60_000), null, clock::absoluteTimeMillis);
    private final WatermarkGenerator<TimedRecord> generator = EventTimeWatermarks.generator(WATERMARK.maxOutOfOrdernessMs(), WATERMARK.idlenessMs(), clock);
    private final Output output = new Output();

    private TimedRecord tick(long ts) {
        String json = "{\"ts\":\"" + TS.format(java.time.Instant.ofEpochMilli(ts)) + "\"}";
        TimedRecord record = reader.read(json.getBytes(StandardCharsets.UTF_8), "", clock.absoluteTimeMillis(), "t/0/0");
        generator.onEvent(record, record.timestamp, output);
        generator.onPeriodicEmit(output);
        return record;
    }

    @Test
    void boundedOutOfOrdernessOverReadTimes() {
        tick(T0 + 5_000);
        assertEquals(T0 + 5_000 - 2_000 - 1, output.watermark);
        tick(T0 + 4_000); // out of order within the bound: not late
        assertEquals(T0 + 5_000 - 2_000 - 1, output.watermark);
    }

    @Test
    void anUnreadableTimeDoesNotMoveTheWatermark() {
        tick(T0);
        TimedRecord bad = reader.read("{\"ts\":\"nope\"}".getBytes(StandardCharsets.UTF_8), "", T0 + DAY, "t/0/1");
        generator.onEvent(bad, bad.timestamp, output);
        generator.onPeriodicEmit(output);
        assertEquals(TimedRecord.UNREADABLE, bad.status);
        assertEquals(T0 + DAY, bad.timestamp, "it keeps its Kafka timestamp");
        assertEquals(T0 - 2_001, output.watermark);
    }

    @Test
    void afterATickADayAheadAndAPauseLongerThanIdlenessNoLaterTickIsLate() {
        tick(T0);
        TimedRecord future = tick(T0 + DAY);
        assertEquals(TimedRecord.AHEAD, future.status);
        assertEquals(T0 - 2_001, output.watermark, "the future tick does not move the watermark");

        // Flink's idleness timer starts at the first periodic emit without input and fires once the
        // timeout has passed since then (periodic emits come every 200 ms in a job).
        generator.onPeriodicEmit(output);
        clock.advanceTime(java.time.Duration.ofMillis(WATERMARK.idlenessMs() + 1));
        generator.onPeriodicEmit(output);
        assertTrue(output.idle, "the partition went idle");

        long later = T0 + WATERMARK.idlenessMs() + 2;
        TimedRecord next = tick(later);
        assertEquals(TimedRecord.READ, next.status);
        assertFalse(output.idle);
        assertTrue(next.timestamp > output.watermark, "the later tick is not behind the watermark");
        assertEquals(later - 2_001, output.watermark);
    }
}
