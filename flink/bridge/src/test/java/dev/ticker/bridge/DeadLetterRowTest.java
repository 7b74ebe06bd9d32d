package dev.ticker.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The bounded raw text of dead letters. The same cases (inputs and expected hashes) are in
 * pipeline/test/runtime.test.ts, so the bridge's and the worker's dead letters follow one rule.
 */
class DeadLetterRowTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode row(DeadLetterRow.Raw raw) throws Exception {
        return JSON.readTree(DeadLetterRow.json("t/0/1", "step", "why", raw, 1_700_000_000_000L));
    }

    @Test
    void longTextIsCutAt64KiBOnACharacterBoundaryWithItsLengthAndSha256() throws Exception {
        // 40,000 two-byte characters: 80,000 bytes; 32,768 of them fill 64 KiB exactly.
        JsonNode row = row(DeadLetterRow.raw("é".repeat(40_000).getBytes(StandardCharsets.UTF_8)));
        assertEquals("é".repeat(32_768), row.get("raw").asText());
        assertEquals(80_000, row.get("raw_bytes").asLong());
        assertEquals("5af34165078f245d4399a6091f29ce953f347b1fd3f2e1d6de20fb29c8e84f54", row.get("raw_sha256").asText());
        assertEquals("utf8", row.get("raw_encoding").asText());
        assertEquals("2023-11-14 22:13:20", row.get("ts").asText());
    }

    @Test
    void aCutNeverSplitsACharacter() throws Exception {
        // One byte, then two-byte characters: 65,536 bytes would end inside one, so 65,535 are kept.
        JsonNode row = row(DeadLetterRow.raw(("a" + "é".repeat(40_000)).getBytes(StandardCharsets.UTF_8)));
        assertEquals("a" + "é".repeat(32_767), row.get("raw").asText());
        assertEquals(80_001, row.get("raw_bytes").asLong());
    }

    @Test
    void bytesThatAreNotUtf8AreStoredAsBase64() throws Exception {
        JsonNode row = row(DeadLetterRow.raw(new byte[] {(byte) 0xff, 0x00, 0x41}));
        assertEquals("/wBB", row.get("raw").asText());
        assertEquals(3, row.get("raw_bytes").asLong());
        assertEquals("0fa3e62511779f0398b77cad37b3cc4763bb96253b91fcd61500f8a979ad9920", row.get("raw_sha256").asText());
        assertEquals("base64", row.get("raw_encoding").asText());
    }

    @Test
    void longBinaryIsCutToBase64TextOf64KiB() throws Exception {
        byte[] binary = new byte[70_000];
        java.util.Arrays.fill(binary, (byte) 0xff);
        JsonNode row = row(DeadLetterRow.raw(binary));
        assertEquals(65_536, row.get("raw").asText().length());
        assertEquals(70_000, row.get("raw_bytes").asLong());
        assertEquals("54c0575c5fafcb092053ea4381b0620632c2396211b239dc43aa6df4f10f3c07", row.get("raw_sha256").asText());
    }

    @Test
    void aRawBuiltFromPartsEqualsTheWhole() throws Exception {
        JsonNode parts = row(new DeadLetterRow.Raw().add("[").add("é".repeat(20_000)).add(",").add("é".repeat(20_000)).add("]"));
        JsonNode whole = row(DeadLetterRow.raw(("[" + "é".repeat(20_000) + "," + "é".repeat(20_000) + "]")
                .getBytes(StandardCharsets.UTF_8)));
        assertEquals(whole, parts);
    }

    @Test
    void longReasonsAreCut() throws Exception {
        JsonNode row = JSON.readTree(DeadLetterRow.json("o", "s", "r".repeat(10_000), DeadLetterRow.raw(new byte[0]), 0));
        assertEquals("r".repeat(4_096), row.get("reason").asText());
        assertEquals("1970-01-01 00:00:00", row.get("ts").asText());
    }

    @Test
    void timesOutsideClickHouseDateTimeAreClamped() throws Exception {
        // Any Kafka client may stamp any long; DateTime holds 1970 to 2106-02-07 06:28:15.
        for (long ms : new long[] {Long.MAX_VALUE, 253_402_300_800_000L}) {
            JsonNode row = JSON.readTree(DeadLetterRow.json("o", "s", "r", DeadLetterRow.raw(new byte[0]), ms));
            assertEquals("2106-02-07 06:28:15", row.get("ts").asText());
        }
        JsonNode early = JSON.readTree(DeadLetterRow.json("o", "s", "r", DeadLetterRow.raw(new byte[0]), Long.MIN_VALUE));
        assertEquals("1970-01-01 00:00:00", early.get("ts").asText());
    }
}
