package dev.ticker.bridge;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One id, one record: keeps the first record that carries an id and drops any later one with the
 * same Kafka key and id read within the horizon (counted in {@code duplicatesDropped}). Keyed by the
 * Kafka key, not the id, so that each key's records keep their partition order on the way to the
 * windows (a producer's retry repeats the key too). State: per key, a map from id to the clock time
 * it was first read, each entry with a TTL of the horizon: one entry per distinct id read within the
 * horizon. It is checkpointed with the Kafka offsets, so a replay decides the same way. Records
 * without a readable id pass without state.
 */
final class Deduplicator extends KeyedProcessFunction<String, TimedRecord, BridgeRecord> {
    private final long horizonMs;
    private transient MapState<String, Long> firstReadAt;
    private transient Counter dropped;

    Deduplicator(long horizonMs) {
        this.horizonMs = horizonMs;
    }

    /** Key: "key:" + the Kafka key, or "partition:" + topic/partition for a record without one. */
    static final class DedupeKey implements KeySelector<TimedRecord, String> {
        @Override
        public String getKey(TimedRecord record) {
            return record.key != null && !record.key.isEmpty()
                    ? "key:" + record.key
                    : "partition:" + record.origin.substring(0, Math.max(0, record.origin.lastIndexOf('/')));
        }
    }

    @Override
    public void open(OpenContext context) {
        MapStateDescriptor<String, Long> descriptor = new MapStateDescriptor<>("first-read-at", String.class, Long.class);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(horizonMs))
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        firstReadAt = getRuntimeContext().getMapState(descriptor);
        dropped = getRuntimeContext().getMetricGroup().counter("duplicatesDropped");
    }

    @Override
    public void processElement(TimedRecord record, Context context, Collector<BridgeRecord> out) throws Exception {
        if (record.id != null) {
            Long seen = firstReadAt.get(record.id);
            // The TTL frees the entry; the explicit check keeps the horizon exact between cleanups.
            if (seen != null && record.readAtMs - seen < horizonMs) {
                dropped.inc();
                return;
            }
            firstReadAt.put(record.id, record.readAtMs);
        }
        out.collect(record.toBridgeRecord());
    }
}
