package dev.ticker.bridge;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One id, one record: keyed by the dedupe id, keeps the first record that carries an id and drops
 * any later one read within the horizon (counted in {@code duplicatesDropped}). State: the clock time
 * the id was first read, with a TTL of the horizon, so memory is one entry per distinct id read
 * within the horizon. It is checkpointed with the Kafka offsets, so a replay decides the same way.
 * Records without a readable id are keyed by their origin and pass without state.
 */
final class Deduplicator extends KeyedProcessFunction<String, TimedRecord, BridgeRecord> {
    private final long horizonMs;
    private transient ValueState<Long> firstReadAt;
    private transient Counter dropped;

    Deduplicator(long horizonMs) {
        this.horizonMs = horizonMs;
    }

    /** Key: "id:" + the id, or "origin:" + topic/partition/offset for a record without one. */
    static final class DedupeKey implements KeySelector<TimedRecord, String> {
        @Override
        public String getKey(TimedRecord record) {
            return record.id != null ? "id:" + record.id : "origin:" + record.origin;
        }
    }

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<Long> descriptor = new ValueStateDescriptor<>("first-read-at", Long.class);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(horizonMs))
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        firstReadAt = getRuntimeContext().getState(descriptor);
        dropped = getRuntimeContext().getMetricGroup().counter("duplicatesDropped");
    }

    @Override
    public void processElement(TimedRecord record, Context context, Collector<BridgeRecord> out) throws Exception {
        if (record.id != null) {
            Long seen = firstReadAt.value();
            // The TTL frees the entry; the explicit check keeps the horizon exact between cleanups.
            if (seen != null && record.readAtMs - seen < horizonMs) {
                dropped.inc();
                return;
            }
            firstReadAt.update(record.readAtMs);
        }
        out.collect(record.toBridgeRecord());
    }
}
