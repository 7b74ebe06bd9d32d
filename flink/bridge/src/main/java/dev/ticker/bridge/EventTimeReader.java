package dev.ticker.bridge;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.time.LocalDate;
import java.time.Year;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a Kafka record's event time (and dedupe id) as the descriptor's source says, at
 * deserialization, so that Flink's per-partition watermarks see it. One streaming pass over the JSON
 * value per record serves both. The ISO-8601 rule is the tick schema's (common/src/tick.ts): the shared fixture
 * common/fixtures/tick-ts.json is tested against both.
 */
final class EventTimeReader implements Serializable {
    private static final long serialVersionUID = 1L;

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
        JsonValue[] found = fromField || dedupe != null
                ? find(value, fromField ? eventTime.path() : null, dedupe == null ? null : dedupe.idPath())
                : new JsonValue[2];
        JsonValue idValue = found[1];
        String id = idValue != null && idValue.text() != null && !idValue.text().isEmpty() ? idValue.text() : null;
        long timestamp = kafkaTimestamp;
        int status = TimedRecord.READ;
        String shown = null;
        if (fromField) {
            JsonValue field = found[0];
            Long read = field == null ? null : timeOf(field, eventTime.format());
            if (read == null) {
                status = TimedRecord.UNREADABLE;
            } else {
                timestamp = read;
                shown = field.text() != null ? field.text() : field.integral() + " ms";
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
    static Long timeOf(JsonValue field, String format) {
        return switch (format) {
            case "iso-8601" -> field.text() != null ? parseIso(field.text()) : null;
            case "epoch-millis" -> field.integral();
            default -> throw new DescriptorException("unknown event time format '" + format + "'");
        };
    }

    /** Epoch ms of a tick ts (YYYY-MM-DDTHH:mm:ss.sssZ, a real UTC time), or null. */
    static Long parseIso(String text) {
        // Read by position, not by regex and java.time's parser: this runs for every record.
        if (text.length() != 24 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(19) != '.' || text.charAt(23) != 'Z') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        int millis = digits(text, 20, 3);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || millis < 0) {
            return null;
        }
        long days = LocalDate.of(year, month, day).toEpochDay();
        return ((days * 24 + hour) * 60 + minute) * 60_000L + second * 1_000L + millis;
    }

    /** The ASCII digits text[from, from + count) as a number, or -1 if one is not an ASCII digit. */
    private static int digits(String text, int from, int count) {
        int n = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static int daysIn(int year, int month) {
        return switch (month) {
            case 2 -> Year.isLeap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /**
     * A JSON value found at a path: its text if it is a string, its value if it is an integer that fits
     * a long; both null for any other value.
     */
    record JsonValue(String text, Long integral) {}

    /**
     * The values at {@code timePath} and {@code idPath} of a JSON object (null paths are not read), read
     * with Jackson's streaming parser: no tree is built. Same answers as reading a tree: a value that is
     * not valid JSON, or whose root is not an object, has neither; of duplicate keys the last counts.
     */
    private static JsonValue[] find(byte[] value, List<String> timePath, List<String> idPath) {
        JsonValue[] found = new JsonValue[2];
        if (value == null || value.length == 0) {
            return found;
        }
        List<List<String>> paths = java.util.Arrays.asList(timePath, idPath);
        try (JsonParser parser = MAPPER.getFactory().createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return found;
            }
            scanObject(parser, new ArrayList<>(), paths, found);
        } catch (IOException e) {
            return new JsonValue[2];
        }
        return found;
    }

    /** Reads the object the parser is in up to its END_OBJECT, filling {@code found} for the paths under {@code at}. */
    private static void scanObject(JsonParser parser, List<String> at, List<List<String>> paths, JsonValue[] found)
            throws IOException {
        JsonToken next;
        while ((next = parser.nextToken()) == JsonToken.FIELD_NAME) {
            at.add(parser.currentName());
            JsonToken token = parser.nextToken();
            boolean descend = false;
            for (int i = 0; i < paths.size(); i++) {
                List<String> path = paths.get(i);
                if (path == null || path.size() < at.size() || !path.subList(0, at.size()).equals(at)) {
                    continue;
                }
                // A later duplicate key replaces whatever an earlier one held under it.
                found[i] = null;
                if (path.size() == at.size()) {
                    found[i] = valueOf(parser, token);
                } else if (token == JsonToken.START_OBJECT) {
                    descend = true;
                }
            }
            if (descend) {
                scanObject(parser, at, paths, found);
            } else {
                skipValue(parser, token);
            }
            at.remove(at.size() - 1);
        }
        if (next != JsonToken.END_OBJECT) {
            throw new IOException("unexpected end of input in an object");
        }
    }

    /**
     * Reads past the value that starts at {@code token}, decoding every string on the way (as building a
     * tree would), so that a value Jackson cannot decode (e.g. bytes that are not UTF-8) fails here too.
     */
    private static void skipValue(JsonParser parser, JsonToken token) throws IOException {
        int depth = 0;
        do {
            if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                depth++;
            } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                depth--;
            } else if (token == JsonToken.VALUE_STRING) {
                parser.getText();
            } else if (token == null) {
                throw new IOException("unexpected end of input");
            }
            if (depth > 0) {
                token = parser.nextToken();
            }
        } while (depth > 0);
    }

    private static JsonValue valueOf(JsonParser parser, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_STRING) {
            return new JsonValue(parser.getText(), null);
        }
        if (token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return new JsonValue(null, parser.getLongValue());
        }
        return new JsonValue(null, null);
    }
}
