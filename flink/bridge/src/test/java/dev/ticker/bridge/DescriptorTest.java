package dev.ticker.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Descriptor parsing: version check, schema validation (the packaged schema), reference checks. */
class DescriptorTest {

    /** The TS side's golden descriptor of the stock pipeline (a test resource, see pom.xml). */
    static String stockDescriptor() throws Exception {
        try (InputStream in = DescriptorTest.class.getResourceAsStream("/stockPipeline.descriptor.golden.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static final String MINIMAL = """
            {"version":3,"name":"mini",
             "source":{"kind":"source","name":"read","type":"kafka","topic":"in","startingOffsets":"latest",
                       "watermark":{"maxOutOfOrdernessMs":100,"idlenessMs":1000},
                       "eventTime":{"from":"kafka","maxAheadMs":5000}},
             "nodes":[
               {"kind":"chain","name":"parse","input":"read","steps":[{"name":"parse","kind":"map"},{"name":"key","kind":"keyBy"}],"keyed":true,"parallelism":3},
               {"kind":"window","name":"per-second","input":"parse","window":{"type":"sliding","sizeMs":2000,"slideMs":1000},"allowedLatenessMs":500,
                "accumulator":{"ordered":false,"fields":[{"name":"n","op":"count"}]}},
               {"kind":"sink","name":"out","input":"per-second","target":{"type":"kafka","topic":"out"}}
             ],
             "deadLetter":{"name":"dlq","targets":[{"type":"clickhouse","table":"rejected"}]},
             "parallelism":2}
            """;

    @Test
    void parsesTheStockPipelineDescriptor() throws Exception {
        Descriptor descriptor = Descriptor.parse(stockDescriptor());
        assertEquals("stock-ticks", descriptor.name());
        assertEquals("stock-ticks", descriptor.source().topic());
        assertEquals(2000, descriptor.source().watermark().maxOutOfOrdernessMs());
        assertEquals(new Descriptor.EventTime("field", List.of("ts"), "iso-8601", 60_000), descriptor.source().eventTime());
        assertEquals(new Descriptor.Dedupe(List.of("id"), 600_000), descriptor.source().dedupe());
        assertEquals(List.of("parse-tick", "write-ticks", "candles-1m", "write-candles",
                "price-move-alerts", "write-alerts"), descriptor.nodes().stream().map(Descriptor.Node::name).toList());
        Descriptor.ChainNode parse = assertInstanceOf(Descriptor.ChainNode.class, descriptor.nodes().get(0));
        assertTrue(parse.keyed(), "the by-symbol keyBy is fused into parse-tick");
        Descriptor.WindowNode candles = assertInstanceOf(Descriptor.WindowNode.class, descriptor.nodes().get(2));
        assertEquals("tumbling", candles.window().type());
        assertEquals(60_000, candles.window().sizeMs());
        assertEquals(List.of("open:first", "close:last", "high:max", "low:min", "volume:sum", "notional:sum",
                "priceSum:sum", "ticks:count"), candles.accumulator().fields().stream().map(f -> f.name() + ":" + f.op()).toList());
        assertTrue(candles.accumulator().ordered());
        assertEquals(0, descriptor.accumulatorIndex(candles));
        assertEquals(List.of("clickhouse:dead_letters", "kafka:stock-ticks-dlq"),
                descriptor.deadLetter().targets().stream().map(Descriptor.SinkTarget::describe).toList());
        assertEquals(2, descriptor.parallelism());
    }

    @Test
    void parsesChainsWindowsAndSinksWithTheirSettings() {
        Descriptor descriptor = Descriptor.parse(MINIMAL);
        Descriptor.ChainNode chain = assertInstanceOf(Descriptor.ChainNode.class, descriptor.nodes().get(0));
        assertTrue(chain.keyed());
        assertEquals(3, chain.parallelism());
        assertEquals(List.of("map", "keyBy"), chain.steps().stream().map(Descriptor.Step::kind).toList());
        Descriptor.WindowNode window = assertInstanceOf(Descriptor.WindowNode.class, descriptor.nodes().get(1));
        assertEquals(1000L, window.window().slideMs());
        assertEquals(500, window.allowedLatenessMs());
        assertNull(window.parallelism());
        Descriptor.SinkNode sink = assertInstanceOf(Descriptor.SinkNode.class, descriptor.nodes().get(2));
        assertEquals("kafka:out", sink.target().describe());
    }

    @Test
    void refusesAnotherVersionWithTheContractMessage() {
        DescriptorException error = assertThrows(DescriptorException.class,
                () -> Descriptor.parse(MINIMAL.replace("\"version\":3", "\"version\":1")));
        assertEquals("unsupported descriptor version 1; this bridge supports 3", error.getMessage());
    }

    @Test
    void refusesADescriptorWithoutVersion() {
        DescriptorException error = assertThrows(DescriptorException.class,
                () -> Descriptor.parse(MINIMAL.replace("\"version\":3,", "")));
        assertEquals("descriptor has no numeric 'version'; this bridge supports 3", error.getMessage());
    }

    @Test
    void reportsSchemaViolationsWithTheirPath() {
        String badName = MINIMAL.replace("\"name\":\"out\"", "\"name\":\"Out_Sink\"");
        DescriptorException error = assertThrows(DescriptorException.class, () -> Descriptor.parse(badName));
        assertTrue(error.getMessage().startsWith("descriptor does not match descriptor.schema.json:"), error.getMessage());
        assertTrue(error.getMessage().contains("$.nodes[2].name"), error.getMessage());

        String unknownField = MINIMAL.replace("\"parallelism\":2}", "\"parallelism\":2,\"extra\":true}");
        DescriptorException extra = assertThrows(DescriptorException.class, () -> Descriptor.parse(unknownField));
        assertTrue(extra.getMessage().contains("extra"), extra.getMessage());

        String badOffsets = MINIMAL.replace("\"latest\"", "\"newest\"");
        DescriptorException offsets = assertThrows(DescriptorException.class, () -> Descriptor.parse(badOffsets));
        assertTrue(offsets.getMessage().contains("$.source.startingOffsets"), offsets.getMessage());
    }

    @Test
    void refusesInputsThatAreNotEarlierNodes() {
        String forward = MINIMAL.replace("\"input\":\"per-second\"", "\"input\":\"later\"");
        DescriptorException error = assertThrows(DescriptorException.class, () -> Descriptor.parse(forward));
        assertEquals("node 'out' reads 'later', which is neither the source nor an earlier node", error.getMessage());
    }

    @Test
    void refusesAWindowOverAnUnkeyedInput() {
        String unkeyed = MINIMAL.replace("\"keyed\":true", "\"keyed\":false");
        DescriptorException error = assertThrows(DescriptorException.class, () -> Descriptor.parse(unkeyed));
        assertEquals("window node 'per-second' must read a keyed chain (one ending in keyBy), not 'parse'", error.getMessage());
    }

    @Test
    void refusesDuplicateNames() {
        String duplicate = MINIMAL.replace("\"name\":\"out\"", "\"name\":\"parse\"");
        DescriptorException error = assertThrows(DescriptorException.class, () -> Descriptor.parse(duplicate));
        assertEquals("node name 'parse' is used twice (names key operator state)", error.getMessage());
    }

    @Test
    void refusesInvalidJson() {
        DescriptorException error = assertThrows(DescriptorException.class, () -> Descriptor.parse("{\"version\":"));
        assertTrue(error.getMessage().startsWith("descriptor is not valid JSON"), error.getMessage());
    }

    @Test
    void hashesTheExactTextAndAcceptsWhitespaceVariants() throws Exception {
        String text = stockDescriptor();
        List<String> accepted = Descriptor.acceptedSha256(text);
        // What `pipeline describe --sha256` printed for this text (trailing newline included).
        assertEquals("17957de4b7cdb9b7b403b4724ac17a4dc08497bd8a7628fefb6da51f2228bad1", accepted.get(0));
        assertEquals(2, accepted.size());
        assertTrue(Descriptor.acceptedSha256(text.strip()).contains(accepted.get(0)));
        assertFalse(Descriptor.acceptedSha256(text.replace("stock-ticks-dlq", "other-dlq")).contains(accepted.get(0)));
    }
}
