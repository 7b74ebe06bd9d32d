package dev.ticker.bridge;

import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
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
 * it was first read: one entry per distinct id read within the horizon (plus at most one cleanup
 * interval). It is checkpointed with the Kafka offsets, so a replay decides the same way. Records
 * without a readable id pass without state.
 *
 * <p>Expired entries are removed by a processing-time timer per key, at most one per cleanup
 * interval (a tenth of the horizon, at least a second), which sweeps that key's map once. Not Flink's
 * state TTL: its incremental cleanup on the heap backend copies a key's whole map on every access, so
 * one hot key (all of a symbol's ticks share a Kafka key) made each record cost the size of the map.
 */
final class Deduplicator extends KeyedProcessFunction<String, TimedRecord, BridgeRecord> {
    private final long horizonMs;
    private final long cleanupIntervalMs;
    private transient MapState<String, Long> firstReadAt;
    private transient Counter dropped;

    Deduplicator(long horizonMs) {
        this.horizonMs = horizonMs;
        this.cleanupIntervalMs = Math.max(1_000, horizonMs / 10);
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
        // A new state name: the TTL-wrapped state of earlier bridges ("first-read-at") cannot be read without TTL.
        firstReadAt = getRuntimeContext().getMapState(new MapStateDescriptor<>("first-read", String.class, Long.class));
        dropped = getRuntimeContext().getMetricGroup().counter("duplicatesDropped");
    }

    @Override
    public void processElement(TimedRecord record, Context context, Collector<BridgeRecord> out) throws Exception {
        if (record.id != null) {
            Long seen = firstReadAt.get(record.id);
            // The sweep frees the entry; this check keeps the horizon exact between sweeps.
            if (seen != null && record.readAtMs - seen < horizonMs) {
                dropped.inc();
                return;
            }
            firstReadAt.put(record.id, record.readAtMs);
            // Rounded up to the interval: Flink keeps one timer per key and time, so at most one per interval.
            long due = record.readAtMs + horizonMs;
            context.timerService().registerProcessingTimeTimer((due / cleanupIntervalMs + 1) * cleanupIntervalMs);
        }
        out.collect(record.toBridgeRecord());
    }

    /** Sweeps the key's map: entries read a horizon or more before {@code timestamp} go. */
    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<BridgeRecord> out) throws Exception {
        Iterator<Map.Entry<String, Long>> entries = firstReadAt.iterator();
        while (entries.hasNext()) {
            if (timestamp - entries.next().getValue() >= horizonMs) {
                entries.remove();
            }
        }
    }
}
