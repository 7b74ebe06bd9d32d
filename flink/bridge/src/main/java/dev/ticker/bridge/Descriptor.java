package dev.ticker.bridge;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The pipeline descriptor (version 3): the topology the TypeScript side defines. Mirrors
 * pipeline/src/descriptor/schema.ts; {@link #parse} checks the version, validates against the
 * generated JSON schema packaged in the jar, then checks what a schema cannot (references).
 */
public record Descriptor(
        int version, String name, Source source, List<Node> nodes, DeadLetter deadLetter, int parallelism) {

    /** The only descriptor version this bridge understands. */
    public static final int SUPPORTED_VERSION = 3;

    /** Classpath location of the JSON schema generated from the zod schema. */
    public static final String SCHEMA_RESOURCE = "/descriptor.schema.json";

    private static final ObjectMapper MAPPER =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    /** The Kafka source node. */
    public record Source(String kind, String name, String type, String topic, String startingOffsets,
            Watermark watermark, EventTime eventTime, Dedupe dedupe) {}

    /**
     * Where event time comes from: {@code from} "kafka" (the record timestamp) or "field" (the JSON value's
     * field at {@code path}, {@code format} "iso-8601" or "epoch-millis"). A record more than
     * {@code maxAheadMs} ahead of the clock is a dead letter.
     */
    public record EventTime(String from, List<String> path, String format, long maxAheadMs)
            implements java.io.Serializable {}

    /** Drop a record whose string id at {@code idPath} was read within {@code horizonMs}; null = keep all. */
    public record Dedupe(List<String> idPath, long horizonMs) implements java.io.Serializable {}

    /** Event-time watermark settings of the source. */
    public record Watermark(long maxOutOfOrdernessMs, long idlenessMs) {}

    /** A chain, window or sink node. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "kind", visible = true)
    @JsonSubTypes({
        @JsonSubTypes.Type(value = ChainNode.class, name = "chain"),
        @JsonSubTypes.Type(value = WindowNode.class, name = "window"),
        @JsonSubTypes.Type(value = SinkNode.class, name = "sink")
    })
    public sealed interface Node permits ChainNode, WindowNode, SinkNode {
        String name();

        String input();

        /** The node's own parallelism, or null for the job default. */
        Integer parallelism();
    }

    /** One step of a chain (its logic runs in the worker). */
    public record Step(String name, String kind) {}

    /** Consecutive stateless steps, fused into one worker call per batch. */
    public record ChainNode(String kind, String name, String input, List<Step> steps, boolean keyed, Integer parallelism)
            implements Node {}

    /** Tumbling or sliding event-time window spec. */
    public record WindowSpec(String type, long sizeMs, Long slideMs) {}

    /** One accumulator field: its name and how two accumulators merge (sum, count, min, max, first, last). */
    public record AccumulatorField(String name, String op) {
        /** True for sum/count/min/max (carried as numbers), false for first/last (JSON values). */
        public boolean numeric() {
            return !"first".equals(op) && !"last".equals(op);
        }
    }

    /** A window's accumulator spec; {@code ordered}: records carry an ordering key for first/last. */
    public record AccumulatorSpec(boolean ordered, List<AccumulatorField> fields) {}

    /**
     * keyBy + event-time window in Flink, merging the one-record accumulators the keyed chain made;
     * fired windows go to the worker's finish, late records to the worker for their dead letters.
     */
    public record WindowNode(String kind, String name, String input, WindowSpec window, long allowedLatenessMs,
            AccumulatorSpec accumulator, Integer parallelism) implements Node {}

    /**
     * Which of a keyed chain's accumulators belongs to {@code window}: the window's position among the
     * window nodes reading the same chain, in descriptor order (the worker's order too).
     */
    public int accumulatorIndex(WindowNode window) {
        int index = 0;
        for (Node node : nodes) {
            if (node == window) {
                return index;
            }
            if (node instanceof WindowNode other && other.input().equals(window.input())) {
                index++;
            }
        }
        throw new IllegalArgumentException("window '" + window.name() + "' is not in this descriptor");
    }

    /** Where records end: a ClickHouse table or a Kafka topic. */
    public record SinkTarget(String type, String table, String topic) {
        /** Short human-readable form, e.g. clickhouse:ticks. */
        public String describe() {
            return "clickhouse".equals(type) ? "clickhouse:" + table : "kafka:" + topic;
        }
    }

    /** A sink node. */
    public record SinkNode(String kind, String name, String input, SinkTarget target, Integer parallelism)
            implements Node {}

    /** Where rejections and late records of every node go. */
    public record DeadLetter(String name, List<SinkTarget> targets) {}

    /**
     * Parses and validates descriptor JSON. Throws {@link DescriptorException} with a message that
     * says what is wrong: unsupported version, schema violations (with JSON paths), or bad references.
     */
    public static Descriptor parse(String json) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new DescriptorException("descriptor is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new DescriptorException("descriptor must be a JSON object");
        }
        JsonNode version = tree.get("version");
        if (version == null || !version.isNumber()) {
            throw new DescriptorException("descriptor has no numeric 'version'; this bridge supports " + SUPPORTED_VERSION);
        }
        if (!version.isIntegralNumber() || version.asLong() != SUPPORTED_VERSION) {
            throw new DescriptorException("unsupported descriptor version " + version.asText()
                    + "; this bridge supports " + SUPPORTED_VERSION);
        }
        Set<ValidationMessage> errors = schema().validate(tree);
        if (!errors.isEmpty()) {
            String listed = errors.stream().map(ValidationMessage::getMessage).sorted()
                    .collect(Collectors.joining("\n  "));
            throw new DescriptorException("descriptor does not match descriptor.schema.json:\n  " + listed);
        }
        Descriptor descriptor;
        try {
            descriptor = MAPPER.treeToValue(tree, Descriptor.class);
        } catch (JsonProcessingException e) {
            throw new DescriptorException("descriptor could not be read: " + e.getOriginalMessage(), e);
        }
        descriptor.checkReferences();
        return descriptor;
    }

    /** SHA-256 (hex) of the exact descriptor text, as the worker reports it in Describe. */
    public static String sha256(String json) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JVM", e);
        }
    }

    /**
     * The hashes a worker running this descriptor may report: of the exact text first, then of the
     * text without / with one trailing newline (a shell or a file may add or drop that newline;
     * whitespace outside the JSON changes neither logic nor topology).
     */
    public static List<String> acceptedSha256(String json) {
        String stripped = json.strip();
        return List.copyOf(new java.util.LinkedHashSet<>(List.of(sha256(json), sha256(stripped), sha256(stripped + "\n"))));
    }

    /** What a JSON schema cannot say: names are unique and every input names the source or an earlier node. */
    private void checkReferences() {
        Map<String, Node> earlier = new HashMap<>();
        Set<String> names = new java.util.HashSet<>();
        names.add(source.name());
        for (Node node : nodes) {
            if (!names.add(node.name())) {
                throw new DescriptorException("node name '" + node.name() + "' is used twice (names key operator state)");
            }
            boolean fromSource = node.input().equals(source.name());
            Node input = earlier.get(node.input());
            if (!fromSource && input == null) {
                throw new DescriptorException("node '" + node.name() + "' reads '" + node.input()
                        + "', which is neither the source nor an earlier node");
            }
            if (input instanceof SinkNode) {
                throw new DescriptorException("node '" + node.name() + "' reads sink '" + node.input() + "'; sinks have no output");
            }
            if (node instanceof WindowNode window) {
                if (!(input instanceof ChainNode chain && chain.keyed())) {
                    throw new DescriptorException("window node '" + window.name()
                            + "' must read a keyed chain (one ending in keyBy), not '" + node.input() + "'");
                }
                if ("sliding".equals(window.window().type()) && window.window().slideMs() == null) {
                    throw new DescriptorException("sliding window node '" + window.name() + "' needs slideMs");
                }
            }
            earlier.put(node.name(), node);
        }
        if (!names.add(deadLetter.name())) {
            throw new DescriptorException("dead-letter name '" + deadLetter.name() + "' is also a node name");
        }
    }

    private static volatile JsonSchema cachedSchema;

    private static JsonSchema schema() {
        JsonSchema schema = cachedSchema;
        if (schema != null) {
            return schema;
        }
        try (InputStream in = Descriptor.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("descriptor.schema.json is missing from the bridge jar; build it "
                        + "after generating pipeline/descriptor.schema.json (npm run -w pipeline descriptor:schema)");
            }
            JsonNode schemaTree = MAPPER.readTree(in);
            SpecVersion.VersionFlag flag = schemaTree.has("$schema")
                    ? SpecVersionDetector.detect(schemaTree)
                    : SpecVersion.VersionFlag.V202012;
            schema = JsonSchemaFactory.getInstance(flag).getSchema(schemaTree);
            cachedSchema = schema;
            return schema;
        } catch (IOException e) {
            throw new IllegalStateException("descriptor.schema.json in the bridge jar is unreadable: " + e.getMessage(), e);
        }
    }
}
