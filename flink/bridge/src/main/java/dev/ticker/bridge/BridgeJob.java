package dev.ticker.bridge;

import dev.ticker.bridge.grpc.CallKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generic bridge job: reads a pipeline descriptor and composes the Flink job it describes.
 * It knows nothing about the application; every step's logic runs in the TypeScript worker.
 *
 * <pre>
 * source (Kafka, event time)      -> KafkaSource + watermarks          uid = source name
 *   ahead of the clock / dedupe   -> SourceGate (+ Deduplicator)       uid = source name + -gate / -dedupe
 *   refused (ahead) records       -> batched REJECT calls              uid = source name + -refused
 * chain  (fused stateless steps)  -> Async I/O, batched Process calls  uid = node name
 * window (keyed, event time)      -> keyBy + window merging the chain's
 *                                    one-record accumulators            uid = node name + -acc
 *   fired windows / late records    -> batched finish / late calls      uid = node name + -acc-finish / -acc-late
 * sink   (ClickHouse / Kafka)     -> ClickHouseSink / EXACTLY_ONCE KafkaSink
 * dead letters of every node      -> the descriptor's dead-letter targets
 * </pre>
 *
 * <p>Every dead-letter row is the worker's: records the bridge refuses itself (too large for a
 * request, poison, ahead of the clock) go to it in REJECT calls.
 */
public final class BridgeJob {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeJob.class);
    /** Prefix of the Flink job name; the deploy tooling finds the job by the descriptor name after it. */
    public static final String JOB_NAME_PREFIX = "ticker-bridge: ";

    private BridgeJob() {}

    public static void main(String[] argv) throws Exception {
        BridgeArgs args = BridgeArgs.parse(argv);
        Descriptor descriptor = Descriptor.parse(args.descriptorJson());
        List<String> sha256 = Descriptor.acceptedSha256(args.descriptorJson());
        LOG.info("bridge for pipeline '{}' (descriptor sha256 {}), {}", descriptor.name(), sha256.get(0), args);
        try (WorkerClient worker = WorkerClient.connect(args.worker())) {
            worker.checkDescriptor(sha256, args.callTimeoutMs());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(jobConfiguration());
        env.enableCheckpointing(args.checkpointIntervalMs(), CheckpointingMode.EXACTLY_ONCE);
        compose(env, descriptor, sha256, args);
        env.execute(JOB_NAME_PREFIX + descriptor.name());
    }

    /**
     * Restart with exponential delay: a worker or ClickHouse outage fails the job after bounded
     * retries; Flink then restores the last checkpoint, retrying ever more slowly (1 s .. 60 s).
     */
    static Configuration jobConfiguration() {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
        config.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofSeconds(60));
        config.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD, Duration.ofMinutes(5));
        config.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.1);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, Integer.MAX_VALUE);
        return config;
    }

    /** Adds the descriptor's operators, from the Kafka source on, to {@code env}. */
    static void compose(StreamExecutionEnvironment env, Descriptor descriptor, List<String> sha256, BridgeArgs args) {
        env.setParallelism(args.parallelism() != null ? args.parallelism() : descriptor.parallelism());
        EventTimeSource.Streams read = EventTimeSource.after(
                kafkaSource(env, descriptor.source(), args, descriptor.name()), descriptor.source());
        DataStream<BridgeRecord> refused = refusedDeadLetters(read.refused(), descriptor.source().name(), sha256,
                args.workerCallSettings());
        composeNodes(read.records(), List.of(refused), descriptor, sha256, args, poisonLedgerDir(env));
    }

    /** The dead letters of records the source side refused, built by the worker (REJECT calls for the source). */
    static DataStream<BridgeRecord> refusedDeadLetters(DataStream<TimedRecord> refused, String source,
            List<String> sha256, WorkerCallSettings calls) {
        String uid = source + "-refused";
        SingleOutputStreamOperator<Emission> rows = AsyncDataStream.orderedWait(
                        refused, new RefusedRecordFunction(source, calls, sha256),
                        calls.asyncTimeoutMs(), TimeUnit.MILLISECONDS, calls.asyncCapacity())
                .uid(uid)
                .name(source + " [worker refused records]");
        return split(rows, uid, null).getSideOutput(EmissionSplitter.DEAD_LETTERS);
    }

    /**
     * Where {@link PoisonLedger} files go: the cluster's checkpoint directory, which every Flink
     * process shares (it must, to restore); without one, the TaskManager's temporary directory.
     */
    static String poisonLedgerDir(StreamExecutionEnvironment env) {
        String dir = env.getConfiguration().getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY)
                .orElseGet(() -> new java.io.File(System.getProperty("java.io.tmpdir"), "ticker-bridge").toURI().toString());
        LOG.info("poison ledger directory: {}", dir);
        return dir;
    }

    /**
     * Adds the descriptor's nodes and dead-letter sinks after {@code source} (a stream with event-time
     * timestamps and watermarks). Operator uids are the descriptor's node names, so savepoints restore.
     */
    static void composeNodes(DataStream<BridgeRecord> source, Descriptor descriptor, List<String> sha256, BridgeArgs args,
            String poisonLedgerDir) {
        composeNodes(source, List.of(), descriptor, sha256, args, poisonLedgerDir);
    }

    /** As above, with dead letters the source side already produced (records refused before any node). */
    static void composeNodes(DataStream<BridgeRecord> source, List<DataStream<BridgeRecord>> sourceDeadLetters,
            Descriptor descriptor, List<String> sha256, BridgeArgs args, String poisonLedgerDir) {
        Map<String, DataStream<BridgeRecord>> streams = new HashMap<>();
        streams.put(descriptor.source().name(), source);
        List<DataStream<BridgeRecord>> deadLetters = new ArrayList<>(sourceDeadLetters);
        WorkerCallSettings calls = args.workerCallSettings();

        for (Descriptor.Node node : descriptor.nodes()) {
            DataStream<BridgeRecord> input = streams.get(node.input());
            if (node instanceof Descriptor.ChainNode chain) {
                SingleOutputStreamOperator<Emission> called = AsyncDataStream.orderedWait(
                                input, new BatchingWorkerFunction(chain.name(), calls, sha256, poisonLedgerDir),
                                calls.asyncTimeoutMs(), TimeUnit.MILLISECONDS, calls.asyncCapacity())
                        .uid(chain.name())
                        .name(chain.name() + " [worker chain]");
                withParallelism(called, chain.parallelism());
                SingleOutputStreamOperator<BridgeRecord> split = split(called, chain.name(), chain.parallelism());
                streams.put(chain.name(), split);
                deadLetters.add(split.getSideOutput(EmissionSplitter.DEAD_LETTERS));
            } else if (node instanceof Descriptor.WindowNode window) {
                String uid = windowUid(window.name());
                OutputTag<BridgeRecord> lateTag =
                        new OutputTag<>(window.name() + "-late", TypeInformation.of(BridgeRecord.class));
                SingleOutputStreamOperator<BridgeRecord> fired = input
                        .keyBy(new RecordKey())
                        .window(assigner(window.window()))
                        .allowedLateness(Duration.ofMillis(window.allowedLatenessMs()))
                        .sideOutputLateData(lateTag)
                        .aggregate(new AccumulatorMerge(window.name(), descriptor.accumulatorIndex(window),
                                        window.accumulator().fields()),
                                new FiredAccumulator(window.name()), TypeInformation.of(WindowAccumulator.class),
                                TypeInformation.of(WindowAccumulator.class), TypeInformation.of(BridgeRecord.class))
                        .uid(uid)
                        .name(window.name() + " [window accumulator]");
                withParallelism(fired, window.parallelism());
                SingleOutputStreamOperator<Emission> late = AsyncDataStream.orderedWait(
                                fired.getSideOutput(lateTag),
                                new BatchingWorkerFunction(window.name(), CallKind.LATE, calls, sha256, poisonLedgerDir),
                                calls.asyncTimeoutMs(), TimeUnit.MILLISECONDS, calls.asyncCapacity())
                        .uid(uid + "-late")
                        .name(window.name() + " [worker late records]");
                withParallelism(late, window.parallelism());
                deadLetters.add(split(late, uid + "-late", window.parallelism()).getSideOutput(EmissionSplitter.DEAD_LETTERS));
                SingleOutputStreamOperator<Emission> finished = AsyncDataStream.orderedWait(
                                fired, new BatchingWorkerFunction(window.name(), CallKind.FINISH, calls, sha256, poisonLedgerDir),
                                calls.asyncTimeoutMs(), TimeUnit.MILLISECONDS, calls.asyncCapacity())
                        .uid(uid + "-finish")
                        .name(window.name() + " [worker finish]");
                withParallelism(finished, window.parallelism());
                SingleOutputStreamOperator<BridgeRecord> split = split(finished, uid + "-finish", window.parallelism());
                streams.put(window.name(), split);
                deadLetters.add(split.getSideOutput(EmissionSplitter.DEAD_LETTERS));
            } else if (node instanceof Descriptor.SinkNode sink) {
                DataStreamSink<BridgeRecord> written = sinkTo(input, sink.target(), sink.name(), descriptor.name(), args);
                if (sink.parallelism() != null) {
                    written.setParallelism(sink.parallelism());
                }
            }
        }

        DataStream<BridgeRecord> allDeadLetters = deadLetters.get(0);
        for (DataStream<BridgeRecord> more : deadLetters.subList(1, deadLetters.size())) {
            allDeadLetters = allDeadLetters.union(more);
        }
        Descriptor.DeadLetter deadLetter = descriptor.deadLetter();
        for (int i = 0; i < deadLetter.targets().size(); i++) {
            sinkTo(allDeadLetters, deadLetter.targets().get(i), deadLetter.name() + "-" + i, descriptor.name(), args);
        }
    }

    /** The Kafka source; event time is assigned as records are deserialized (per-partition watermarks). */
    private static DataStream<TimedRecord> kafkaSource(
            StreamExecutionEnvironment env, Descriptor.Source source, BridgeArgs args, String pipeline) {
        KafkaSource<TimedRecord> kafka = KafkaSource.<TimedRecord>builder()
                .setBootstrapServers(args.kafkaBrokers())
                .setTopics(source.topic())
                .setGroupId(args.groupId() != null ? args.groupId() : "ticker-bridge-" + pipeline)
                .setStartingOffsets(startingOffsets(source.startingOffsets()))
                .setDeserializer(new EventTimeSource.Deserializer(EventTimeSource.reader(source)))
                // Offsets live in checkpoints; committing them too lets `committed` start where the job left off.
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setProperty("partition.discovery.interval.ms", "30000")
                .build();
        return env.fromSource(kafka, EventTimeWatermarks.strategy(source.watermark()), source.name() + " [kafka " + source.topic() + "]")
                .uid(source.name());
    }

    private static OffsetsInitializer startingOffsets(String startingOffsets) {
        return switch (startingOffsets) {
            case "earliest" -> OffsetsInitializer.earliest();
            case "latest" -> OffsetsInitializer.latest();
            case "committed" -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            default -> throw new DescriptorException("unknown startingOffsets '" + startingOffsets + "'");
        };
    }

    private static WindowAssigner<Object, TimeWindow> assigner(Descriptor.WindowSpec spec) {
        return switch (spec.type()) {
            case "tumbling" -> TumblingEventTimeWindows.of(Duration.ofMillis(spec.sizeMs()));
            case "sliding" -> SlidingEventTimeWindows.of(Duration.ofMillis(spec.sizeMs()), Duration.ofMillis(spec.slideMs()));
            default -> throw new DescriptorException("unknown window type '" + spec.type() + "'");
        };
    }

    private static SingleOutputStreamOperator<BridgeRecord> split(
            SingleOutputStreamOperator<Emission> emissions, String node, Integer parallelism) {
        SingleOutputStreamOperator<BridgeRecord> split = emissions
                .process(new EmissionSplitter())
                .uid(node + "-split")
                .name(node + " outputs / dead letters");
        withParallelism(split, parallelism);
        return split;
    }

    private static DataStreamSink<BridgeRecord> sinkTo(
            DataStream<BridgeRecord> input, Descriptor.SinkTarget target, String name, String pipeline, BridgeArgs args) {
        DataStreamSink<BridgeRecord> sink = switch (target.type()) {
            case "clickhouse" -> input.sinkTo(new ClickHouseSink(args.clickHouseSettings(target.table())));
            case "kafka" -> input.sinkTo(kafkaSink(target.topic(), pipeline + "-" + name, args));
            default -> throw new DescriptorException("unknown sink target type '" + target.type() + "'");
        };
        return sink.uid(name).name(name + " [" + target.describe() + "]");
    }

    /** Transactional Kafka sink: records become visible to read_committed consumers on checkpoint. */
    private static KafkaSink<BridgeRecord> kafkaSink(String topic, String transactionalIdPrefix, BridgeArgs args) {
        Properties producer = new Properties();
        producer.setProperty("transaction.timeout.ms", "600000");
        return KafkaSink.<BridgeRecord>builder()
                .setBootstrapServers(args.kafkaBrokers())
                .setRecordSerializer(new KafkaRecordSchemas.Serializer(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setKafkaProducerConfig(producer)
                .build();
    }

    private static void withParallelism(SingleOutputStreamOperator<?> operator, Integer parallelism) {
        if (parallelism != null) {
            operator.setParallelism(parallelism);
        }
    }

    /**
     * The uid of a window node's operator. Its state is one accumulator per window and key; the
     * suffix keeps it apart from the record-list state of bridges before accumulators (uid = node
     * name), which this operator cannot read: deploy refuses such a savepoint unless told to drop it.
     */
    static String windowUid(String window) {
        return window + WINDOW_UID_SUFFIX;
    }

    /** See {@link #windowUid}. */
    public static final String WINDOW_UID_SUFFIX = "-acc";

    /** Windows group by the key the keyed chain's keyBy step set. */
    static final class RecordKey implements KeySelector<BridgeRecord, String> {
        @Override
        public String getKey(BridgeRecord record) {
            return record.key;
        }
    }
}
