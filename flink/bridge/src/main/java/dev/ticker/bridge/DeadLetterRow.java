package dev.ticker.bridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The few dead-letter rows the bridge must write itself, because the input never reached the worker
 * or cannot (inputs over the request bound, poison inputs, records ahead of the clock); every other
 * row, late records included, is the worker's. Same shape as the worker's (pipeline/src/contract/deadLetter.ts). The raw
 * input is bounded so that no dead letter can break the DLQ topic or the table: at most
 * {@value #RAW_CAP_BYTES} bytes of it are kept, with its full length and SHA-256 beside it, and
 * bytes that are not UTF-8 are stored as base64 ({@code raw_encoding}).
 */
final class DeadLetterRow {

    /** Most bytes of raw text kept (UTF-8, cut on a character boundary; base64 text is this long too). */
    static final int RAW_CAP_BYTES = 64 * 1024;
    /** Most bytes of a reason kept (an error message can quote a whole input). */
    static final int REASON_CAP_BYTES = 4 * 1024;
    /** Raw bytes kept before base64: 3 bytes become 4 characters, so the text is RAW_CAP_BYTES long. */
    private static final int BASE64_SOURCE_BYTES = RAW_CAP_BYTES / 4 * 3;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DeadLetterRow() {}

    /** ClickHouse DateTime text, UTC. */
    static final java.time.format.DateTimeFormatter CLICKHOUSE_DATETIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(java.time.ZoneOffset.UTC);

    /** The last time a ClickHouse DateTime holds (UInt32 seconds): 2106-02-07 06:28:15 UTC. */
    static final long MAX_DATETIME_MS = 4_294_967_295_000L;

    /** The dead-letter JSON row; {@code raw} is the refused input. */
    static byte[] json(String origin, String step, String reason, Raw raw, long timestampMs) {
        ObjectNode row = MAPPER.createObjectNode();
        row.put("origin", origin);
        row.put("step", step);
        row.put("reason", capUtf8(reason, REASON_CAP_BYTES));
        row.put("raw", raw.text());
        row.put("raw_bytes", raw.length);
        row.put("raw_sha256", raw.sha256());
        row.put("raw_encoding", raw.valid ? "utf8" : "base64");
        // Clamped to what a ClickHouse DateTime holds (1970 to 2106): a Kafka client may stamp any long.
        long ms = Math.min(Math.max(0, timestampMs), MAX_DATETIME_MS);
        row.put("ts", CLICKHOUSE_DATETIME.format(Instant.ofEpochMilli(ms)));
        return row.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A raw input given in one piece. */
    static Raw raw(byte[] bytes) {
        return new Raw().add(bytes);
    }

    /**
     * A raw input built from parts (a window's records as a JSON array) without holding all of it:
     * only the first bytes are kept; length, SHA-256 and UTF-8 validity cover every part.
     */
    static final class Raw {
        private final MessageDigest digest;
        private final ByteArrayOutputStream head = new ByteArrayOutputStream();
        private long length;
        private boolean valid = true;
        private String sha256;

        Raw() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JVM", e);
            }
        }

        /** Appends bytes. UTF-8 is checked per part, which is exact when parts split on characters. */
        Raw add(byte[] part) {
            digest.update(part);
            length += part.length;
            valid &= isUtf8(part);
            int room = RAW_CAP_BYTES + 3 - head.size(); // +3: room to find the last whole character
            if (room > 0) {
                head.write(part, 0, Math.min(room, part.length));
            }
            return this;
        }

        /** Appends text as UTF-8. */
        Raw add(String text) {
            return add(text.getBytes(StandardCharsets.UTF_8));
        }

        /** SHA-256 (hex) of everything added; add nothing after asking (the digest is final then). */
        String sha256() {
            if (sha256 == null) {
                sha256 = HexFormat.of().formatHex(digest.digest());
            }
            return sha256;
        }

        /** The stored text: UTF-8 up to the cap on a character boundary, else base64 of the first bytes. */
        String text() {
            byte[] bytes = head.toByteArray();
            if (!valid) {
                int n = Math.min(bytes.length, BASE64_SOURCE_BYTES);
                return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(bytes, n));
            }
            return new String(bytes, 0, utf8Cut(bytes, RAW_CAP_BYTES), StandardCharsets.UTF_8);
        }
    }

    /** {@code text} cut to at most {@code maxBytes} UTF-8 bytes on a character boundary. */
    static String capUtf8(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= maxBytes ? text : new String(bytes, 0, utf8Cut(bytes, maxBytes), StandardCharsets.UTF_8);
    }

    /** The largest length <= maxBytes that does not split a UTF-8 character of {@code bytes}. */
    private static int utf8Cut(byte[] bytes, int maxBytes) {
        if (bytes.length <= maxBytes) {
            return bytes.length;
        }
        int cut = maxBytes;
        while (cut > 0 && (bytes[cut] & 0xC0) == 0x80) {
            cut--; // bytes[cut] continues the character that starts before it
        }
        return cut;
    }

    static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
