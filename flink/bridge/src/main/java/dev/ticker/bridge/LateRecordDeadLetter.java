package dev.ticker.bridge;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Turns a record that arrived after its window's allowed lateness into a dead-letter row (same
 * shape as the worker's Rejection.dead_letter), so late data is visible, never silently dropped.
 */
public class LateRecordDeadLetter implements MapFunction<BridgeRecord, BridgeRecord> {

    /** ClickHouse DateTime text, UTC. */
    static final DateTimeFormatter CLICKHOUSE_DATETIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private final String windowNode;

    public LateRecordDeadLetter(String windowNode) {
        this.windowNode = windowNode;
    }

    @Override
    public BridgeRecord map(BridgeRecord late) {
        return new BridgeRecord(deadLetterJson(late, windowNode), late.key, late.timestamp, late.origin);
    }

    /** The dead-letter JSON for a late record of window node {@code windowNode}. */
    static byte[] deadLetterJson(BridgeRecord late, String windowNode) {
        Instant eventTime = Instant.ofEpochMilli(late.timestamp);
        String reason = "late: event time " + eventTime + " is behind watermark for window node " + windowNode;
        return DeadLetterRow.json(late.origin, windowNode, reason,
                DeadLetterRow.raw(late.value == null ? new byte[0] : late.value), late.timestamp);
    }
}
