package dev.ticker.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The stock pipeline written natively in Java (the benchmark's baseline), with the same topology
 * and guarantees as the bridge running the TS pipeline:
 *
 * <pre>
 * Kafka (earliest, event time = record timestamp, 2 s out-of-orderness, 10 s idleness)
 *   -> parse + validate -> ticks (ClickHouse)             bad input -> dead letters
 *   -> keyBy(symbol) -> 1-minute tumbling window -> candles_1m (ClickHouse) -> alerts (ClickHouse)
 * dead letters (bad input, late ticks) -> rejected (ClickHouse) + DLQ topic (Kafka, exactly-once)
 * </pre>
 *
 * Arguments: {@code --name value} (see {@link #DEFAULTS}).
 */
public final class NativeStockJob {

    static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("kafka-brokers", "localhost:9092"),
            Map.entry("topic", "stock-ticks"),
            Map.entry("dlq-topic", "stock-ticks-dlq"),
            Map.entry("group-id", "native-stock-bench"),
            Map.entry("clickhouse-url", "http://localhost:8123"),
            Map.entry("clickhouse-database", "stocks"),
            Map.entry("parallelism", "2"),
            Map.entry("checkpoint-interval-ms", "5000"),
            Map.entry("sink-batch-size", "5000"),
            Map.entry("sink-flush-ms", "1000"),
            Map.entry("job-name", "native-stock-bench"));

    private static final OutputTag<String> DEAD_LETTERS = new OutputTag<>("dead-letters", Types.STRING);

    private NativeStockJob() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = parseArgs(argv);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(Integer.parseInt(args.get("parallelism")));
        env.enableCheckpointing(Long.parseLong(args.get("checkpoint-interval-ms")), CheckpointingMode.EXACTLY_ONCE);
        int sinkBatch = Integer.parseInt(args.get("sink-batch-size"));
        long sinkFlushMs = Long.parseLong(args.get("sink-flush-ms"));
        String url = args.get("clickhouse-url");
        String db = args.get("clickhouse-database");

        DataStream<String> raw = env.fromSource(
                OriginTaggedKafka.source(args.get("kafka-brokers"), args.get("topic"), args.get("group-id")),
                WatermarkStrategy.<String>forBoundedOutOfOrderness(Duration.ofSeconds(2))
                        .withIdleness(Duration.ofSeconds(10)),
                "read-ticks").uid("read-ticks");

        SingleOutputStreamOperator<TickRow> ticks = raw.process(new ParseTick()).uid("parse-tick").name("parse-tick");
        ticks.map(TickLogic::tickRowJson).uid("to-tick-row").name("to-tick-row")
                .sinkTo(new ClickHouseJsonSink(url, db, "ticks", sinkBatch, sinkFlushMs)).uid("write-ticks").name("write-ticks");

        OutputTag<TickRow> late = new OutputTag<>("late", Types.POJO(TickRow.class));
        SingleOutputStreamOperator<TickLogic.Candle> candles = ticks
                .keyBy(row -> row.symbol)
                .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
                .allowedLateness(Duration.ZERO)
                .sideOutputLateData(late)
                .process(new CandleWindow())
                .uid("candles-1m").name("candles-1m");
        candles.map(TickLogic.Candle::json).uid("candle-row").name("candle-row")
                .sinkTo(new ClickHouseJsonSink(url, db, "candles_1m", sinkBatch, sinkFlushMs)).uid("write-candles").name("write-candles");
        candles.flatMap((TickLogic.Candle candle, Collector<String> out) -> {
                    String alert = candle.alertJson(TickLogic.ALERT_THRESHOLD_PCT);
                    if (alert != null) {
                        out.collect(alert);
                    }
                }).returns(Types.STRING).uid("price-move-alerts").name("price-move-alerts")
                .sinkTo(new ClickHouseJsonSink(url, db, "alerts", sinkBatch, sinkFlushMs)).uid("write-alerts").name("write-alerts");

        DataStream<String> lateLetters = candles.getSideOutput(late)
                .map(row -> TickLogic.deadLetterJson("late/" + row.id, "candles-1m",
                        "late: event time " + row.tsMillis + " is behind watermark for window node candles-1m",
                        TickLogic.tickRowJson(row), row.tsMillis))
                .returns(Types.STRING).uid("candles-1m-late");
        DataStream<String> deadLetters = ticks.getSideOutput(DEAD_LETTERS).union(lateLetters);
        deadLetters.sinkTo(new ClickHouseJsonSink(url, db, "rejected", sinkBatch, sinkFlushMs)).uid("dead-letter-0").name("dead-letter-0");
        deadLetters.sinkTo(dlqSink(args.get("kafka-brokers"), args.get("dlq-topic"), args.get("job-name")))
                .uid("dead-letter-1").name("dead-letter-1");

        env.execute(args.get("job-name"));
    }

    /** Parse + validate; bad input becomes a dead-letter row on the side output. */
    static final class ParseTick extends ProcessFunction<String, TickRow> {
        @Override
        public void processElement(String tagged, Context ctx, Collector<TickRow> out) {
            String[] parts = OriginTaggedKafka.split(tagged);
            TickLogic.Parsed parsed = TickLogic.parse(parts[1]);
            if (parsed.row() != null) {
                out.collect(parsed.row());
            } else {
                long eventTime = ctx.timestamp() == null ? 0 : ctx.timestamp();
                ctx.output(DEAD_LETTERS, TickLogic.deadLetterJson(parts[0], TickLogic.PARSE_STEP, parsed.reason(),
                        parts[1], eventTime));
            }
        }
    }

    /** One candle per fired window, computed from the window's ticks in event-time order. */
    static final class CandleWindow extends ProcessWindowFunction<TickRow, TickLogic.Candle, String, TimeWindow> {
        @Override
        public void process(String symbol, Context context, Iterable<TickRow> elements, Collector<TickLogic.Candle> out) {
            List<TickRow> rows = new ArrayList<>();
            elements.forEach(rows::add);
            out.collect(TickLogic.candle(symbol, context.window().getStart(), rows));
        }
    }

    private static KafkaSink<String> dlqSink(String brokers, String topic, String jobName) {
        Properties producer = new Properties();
        producer.setProperty("transaction.timeout.ms", "600000");
        return KafkaSink.<String>builder()
                .setBootstrapServers(brokers)
                .setRecordSerializer(KafkaRecordSerializationSchema.<String>builder()
                        .setTopic(topic)
                        .setValueSerializationSchema(new SimpleStringSchema())
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(jobName + "-dlq")
                .setKafkaProducerConfig(producer)
                .build();
    }

    static Map<String, String> parseArgs(String[] argv) {
        Map<String, String> values = new HashMap<>(DEFAULTS);
        for (int i = 0; i < argv.length; i += 2) {
            String name = argv[i].startsWith("--") ? argv[i].substring(2) : null;
            if (name == null || !DEFAULTS.containsKey(name) || i + 1 >= argv.length) {
                throw new IllegalArgumentException("bad argument '" + argv[i] + "'; known: --" + String.join(", --", DEFAULTS.keySet()));
            }
            values.put(name, argv[i + 1]);
        }
        return values;
    }
}
