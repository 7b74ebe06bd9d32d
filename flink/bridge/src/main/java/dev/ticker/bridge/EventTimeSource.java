package dev.ticker.bridge;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The source side of the job after Kafka: event time assigned as records are deserialized (so the
 * Kafka source keeps per-partition watermarks), then {@link SourceGate} (ahead of the clock -> refused,
 * a dead letter the worker builds), then {@link Deduplicator} when the descriptor asks for it.
 */
final class EventTimeSource {
    private EventTimeSource() {}

    /**
     * What the source side hands on: records for the pipeline's nodes, and records it refused (ahead
     * of the clock, each with its reason) for {@link RefusedRecordFunction}.
     */
    record Streams(DataStream<BridgeRecord> records, DataStream<TimedRecord> refused) {}

    /** Kafka record -> {@link TimedRecord}: value as-is, key as text, origin = topic/partition/offset. */
    static final class Deserializer implements KafkaRecordDeserializationSchema<TimedRecord> {
        private final EventTimeReader reader;

        Deserializer(EventTimeReader reader) {
            this.reader = reader;
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<TimedRecord> out) {
            out.collect(reader.read(
                    record.value() == null ? new byte[0] : record.value(),
                    record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8),
                    record.timestamp(),
                    record.topic() + "/" + record.partition() + "/" + record.offset()));
        }

        @Override
        public TypeInformation<TimedRecord> getProducedType() {
            return TypeInformation.of(TimedRecord.class);
        }
    }

    /** The reader of a descriptor's source, on the system clock. */
    static EventTimeReader reader(Descriptor.Source source) {
        return new EventTimeReader(source.eventTime(), source.dedupe(), System::currentTimeMillis);
    }

    /**
     * Adds the gate and (if configured) deduplication after {@code read}, a stream with timestamps and
     * watermarks. Uids: {@code <source>-gate}, {@code <source>-dedupe} / {@code <source>-records}.
     */
    static Streams after(DataStream<TimedRecord> read, Descriptor.Source source) {
        SingleOutputStreamOperator<TimedRecord> gated = read
                .process(new SourceGate())
                .uid(source.name() + "-gate")
                .name(source.name() + " event time gate");
        SingleOutputStreamOperator<BridgeRecord> records;
        if (source.dedupe() != null) {
            records = gated
                    .keyBy(new Deduplicator.DedupeKey())
                    .process(new Deduplicator(source.dedupe().horizonMs()))
                    .uid(source.name() + "-dedupe")
                    .name(source.name() + " dedupe by id");
        } else {
            records = gated
                    .map(TimedRecord::toBridgeRecord)
                    .returns(BridgeRecord.class)
                    .uid(source.name() + "-records")
                    .name(source.name() + " records");
        }
        return new Streams(records, gated.getSideOutput(SourceGate.REFUSED));
    }
}
