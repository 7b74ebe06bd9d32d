package dev.ticker.bridge;

/**
 * A Kafka record as the source read it, before the source-side operators (ahead-of-clock gate,
 * deduplication) turn it into a {@link BridgeRecord}. A Flink POJO. {@code timestamp} is the event
 * time assigned in the source; {@code status} says whether it came from the record's own time.
 */
public class TimedRecord {
    /** The event time was read as the descriptor says. */
    public static final int READ = 0;
    /** The event-time field was missing or malformed: timestamp is the Kafka timestamp. */
    public static final int UNREADABLE = 1;
    /** The event time is too far ahead of the clock: a dead letter (timestamp is the Kafka timestamp). */
    public static final int AHEAD = 2;

    public byte[] value;
    public String key;
    public long timestamp;
    public String origin;
    public int status;
    /** Why an AHEAD record is refused (names the time and the tolerance); null otherwise. */
    public String aheadReason;
    /** The record's dedupe id, or null (no dedupe, or no readable id). */
    public String id;
    /** Clock time (epoch ms) when the source read it: deduplication's notion of "within the horizon". */
    public long readAtMs;

    /** For Flink's POJO serializer. */
    public TimedRecord() {}

    TimedRecord(byte[] value, String key, long timestamp, String origin, int status, String aheadReason, String id,
            long readAtMs) {
        this.value = value;
        this.key = key;
        this.timestamp = timestamp;
        this.origin = origin;
        this.status = status;
        this.aheadReason = aheadReason;
        this.id = id;
        this.readAtMs = readAtMs;
    }

    /** The record the pipeline's nodes see. */
    BridgeRecord toBridgeRecord() {
        return new BridgeRecord(value, key, timestamp, origin);
    }

    @Override
    public String toString() {
        return "TimedRecord[origin=" + origin + ", timestamp=" + timestamp + ", status=" + status + ", id=" + id + "]";
    }
}
