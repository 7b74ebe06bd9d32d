package dev.ticker.bridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** The dead-letter row of a record the source side refuses (same shape as LateRecordDeadLetter's). */
final class SourceDeadLetter {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SourceDeadLetter() {}

    /** The row: raw = the Kafka value, ts = the record's timestamp (the Kafka one for a refused time). */
    static byte[] json(TimedRecord record, String step, String reason) {
        ObjectNode row = MAPPER.createObjectNode();
        row.put("origin", record.origin);
        row.put("step", step);
        row.put("reason", reason);
        row.put("raw", record.value == null ? "" : new String(record.value, StandardCharsets.UTF_8));
        row.put("ts", LateRecordDeadLetter.CLICKHOUSE_DATETIME.format(Instant.ofEpochMilli(record.timestamp)));
        return row.toString().getBytes(StandardCharsets.UTF_8);
    }
}
