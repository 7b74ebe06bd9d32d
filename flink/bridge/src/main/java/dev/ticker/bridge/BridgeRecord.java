package dev.ticker.bridge;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One record flowing through the job (a Flink POJO, so Flink serializes it without Kryo).
 * Mirrors the proto Record: value bytes (raw Kafka value at the source, JSON after a step),
 * partitioning key, event time (epoch ms) and origin (topic/partition/offset).
 */
public class BridgeRecord {
    public byte[] value;
    public String key;
    public long timestamp;
    public String origin;
    /**
     * Outputs of a keyed chain: one one-record accumulator per window node reading it (descriptor
     * order); a fired window: its merged accumulator. Null otherwise.
     */
    public WindowAccumulator[] accumulators;

    /** For Flink's POJO serializer. */
    public BridgeRecord() {}

    public BridgeRecord(byte[] value, String key, long timestamp, String origin) {
        this.value = value;
        this.key = key;
        this.timestamp = timestamp;
        this.origin = origin;
    }

    /** The value as UTF-8 text. */
    public String valueText() {
        return value == null ? "" : new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BridgeRecord r && timestamp == r.timestamp && Arrays.equals(value, r.value)
                && Objects.equals(key, r.key) && Objects.equals(origin, r.origin)
                && Arrays.equals(accumulators, r.accumulators);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(value), key, timestamp, origin);
    }

    @Override
    public String toString() {
        return "BridgeRecord[origin=" + origin + ", key=" + key + ", timestamp=" + timestamp + ", value=" + valueText() + "]";
    }
}
