package dev.ticker.bridge;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.eventtime.WatermarksWithIdleness;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Bounded out-of-orderness over the records whose event time was read: a record with an unreadable
 * time (it keeps its Kafka timestamp, often "now") or one too far ahead of the clock never moves the
 * watermark, so one such record cannot make every later record late. Wrapped in Flink's idleness.
 */
final class EventTimeWatermarks implements WatermarkGenerator<TimedRecord> {
    private final long maxOutOfOrdernessMs;
    private long maxTimestamp;

    EventTimeWatermarks(long maxOutOfOrdernessMs) {
        this.maxOutOfOrdernessMs = maxOutOfOrdernessMs;
        // As Flink's BoundedOutOfOrdernessWatermarks: no watermark before the first record.
        this.maxTimestamp = Long.MIN_VALUE + maxOutOfOrdernessMs + 1;
    }

    /** The source's strategy: this generator with idleness, timestamps from {@link TimedRecord#timestamp}. */
    static WatermarkStrategy<TimedRecord> strategy(Descriptor.Watermark watermark) {
        // The strategy is serialized with the job: capture plain numbers, not the descriptor record.
        long maxOutOfOrdernessMs = watermark.maxOutOfOrdernessMs();
        long idlenessMs = watermark.idlenessMs();
        return WatermarkStrategy.<TimedRecord>forGenerator(
                        context -> generator(maxOutOfOrdernessMs, idlenessMs, context.getInputActivityClock()))
                .withTimestampAssigner((record, kafkaTimestamp) -> record.timestamp);
    }

    /** This generator inside Flink's idleness wrapper, on {@code clock} (tests pass a manual clock). */
    static WatermarkGenerator<TimedRecord> generator(long maxOutOfOrdernessMs, long idlenessMs, RelativeClock clock) {
        return new WatermarksWithIdleness<>(new EventTimeWatermarks(maxOutOfOrdernessMs), Duration.ofMillis(idlenessMs), clock);
    }

    @Override
    public void onEvent(TimedRecord record, long timestamp, WatermarkOutput output) {
        if (record.status == TimedRecord.READ) {
            maxTimestamp = Math.max(maxTimestamp, timestamp);
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        output.emitWatermark(new Watermark(maxTimestamp - maxOutOfOrdernessMs - 1));
    }
}
