package dev.ticker.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A fired window's origin, against the fixture the worker's windowOrigin is tested with too. */
class FiredAccumulatorTest {

    /** Shared with pipeline/test/windowOrigin.test.ts (the worker's rule). */
    private static final Path FIXTURE = Path.of("../../common/fixtures/window-origin.json");

    @Test
    void givesTheFixturesOriginForEveryCase() throws Exception {
        JsonNode cases = new ObjectMapper().readTree(Files.readString(FIXTURE)).get("cases");
        assertTrue(cases.size() > 0);
        for (JsonNode c : cases) {
            assertEquals(c.get("origin").asText(),
                    FiredAccumulator.origin(c.get("window").asText(), c.get("key").asText(), c.get("start").asLong()),
                    "case " + c);
        }
    }
}
