package dev.ticker.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a Kafka record's event time (and dedupe id) as the descriptor's source says, at
 * deserialization, so that Flink's per-partition watermarks see it. One JSON parse per record serves
 * both. The ISO-8601 rule is the tick schema's (common/src/tick.ts): the shared fixture
 * common/fixtures/tick-ts.json is tested against both.
 */
final class EventTimeReader implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Exactly YYYY-MM-DDTHH:mm:ss.sssZ with ASCII digits (the tick schema's TICK_TS_PATTERN). */
    private static final Pattern ISO_SHAPE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z");
    /** STRICT: a date or time that does not exist (Feb 30, 24:00, second 60) is refused, as in JS. */
    private static final DateTimeFormatter ISO_LOCAL =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS").withResolverStyle(ResolverStyle.STRICT);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A clock that can be serialized with the job (tests inject their own). */
    interface Clock extends Serializable {
        long nowMs();
    }

    private final Descriptor.EventTime eventTime;
    private final Descriptor.Dedupe dedupe;
    private final Clock clock;

    EventTimeReader(Descriptor.EventTime eventTime, Descriptor.Dedupe dedupe, Clock clock) {
        this.eventTime = eventTime;
        this.dedupe = dedupe;
        this.clock = clock;
    }

    /** The record with its event time, status and id. Never throws: bad input is the pipeline's to reject. */
    TimedRecord read(byte[] value, String key, long kafkaTimestamp, String origin) {
        long now = clock.nowMs();
        boolean fromField = "field".equals(eventTime.from());
        JsonNode tree = fromField || dedupe != null ? parse(value) : null;
        String id = dedupe == null ? null : stringAt(tree, dedupe.idPath());
        long timestamp = kafkaTimestamp;
        int status = TimedRecord.READ;
        String shown = null;
        if (fromField) {
            JsonNode field = at(tree, eventTime.path());
            Long read = field == null ? null : timeOf(field, eventTime.format());
            if (read == null) {
                status = TimedRecord.UNREADABLE;
            } else {
                timestamp = read;
                shown = field.isTextual() ? field.asText() : field.asText() + " ms";
            }
        } else {
            shown = java.time.Instant.ofEpochMilli(kafkaTimestamp) + " (Kafka timestamp)";
        }
        String aheadReason = null;
        if (status == TimedRecord.READ && timestamp - now > eventTime.maxAheadMs()) {
            status = TimedRecord.AHEAD;
            aheadReason = "event time " + shown + " is more than " + eventTime.maxAheadMs()
                    + " ms ahead of the clock (maxAheadMs)";
            // A dead letter: it keeps the Kafka timestamp, so nothing downstream sees the future time.
            timestamp = kafkaTimestamp;
        }
        return new TimedRecord(value, key, timestamp, origin, status, aheadReason, id, now);
    }

    /** Epoch ms of a field in {@code format}, or null when it is not a valid time in that format. */
    static Long timeOf(JsonNode field, String format) {
        return switch (format) {
            case "iso-8601" -> field.isTextual() ? parseIso(field.asText()) : null;
            case "epoch-millis" -> field.isIntegralNumber() && field.canConvertToLong() ? field.asLong() : null;
            default -> throw new DescriptorException("unknown event time format '" + format + "'");
        };
    }

    /** Epoch ms of a tick ts (YYYY-MM-DDTHH:mm:ss.sssZ, a real UTC time), or null. */
    static Long parseIso(String text) {
        if (!ISO_SHAPE.matcher(text).matches()) {
            return null;
        }
        try {
            return LocalDateTime.parse(text.substring(0, text.length() - 1), ISO_LOCAL).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static JsonNode parse(byte[] value) {
        try {
            return value == null || value.length == 0 ? null : MAPPER.readTree(value);
        } catch (IOException e) {
            return null;
        }
    }

    private static JsonNode at(JsonNode tree, List<String> path) {
        JsonNode node = tree;
        for (String key : path) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(key);
        }
        return node;
    }

    private static String stringAt(JsonNode tree, List<String> path) {
        JsonNode node = at(tree, path);
        return node != null && node.isTextual() && !node.asText().isEmpty() ? node.asText() : null;
    }
}
