package dev.ticker.bridge;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Kafka record <-> {@link BridgeRecord}. Values pass as raw bytes: validation is the worker's job. */
final class KafkaRecordSchemas {
    private KafkaRecordSchemas() {}

    /** Source side: value as-is, key as text, Kafka timestamp as event time, topic/partition/offset as origin. */
    static final class Deserializer implements KafkaRecordDeserializationSchema<BridgeRecord> {
        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<BridgeRecord> out) {
            out.collect(new BridgeRecord(
                    record.value() == null ? new byte[0] : record.value(),
                    record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8),
                    record.timestamp(),
                    record.topic() + "/" + record.partition() + "/" + record.offset()));
        }

        @Override
        public TypeInformation<BridgeRecord> getProducedType() {
            return TypeInformation.of(BridgeRecord.class);
        }
    }

    /** Sink side: value bytes as-is, key = record key, timestamp = record event time. */
    static final class Serializer implements KafkaRecordSerializationSchema<BridgeRecord> {
        private final String topic;

        Serializer(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(BridgeRecord record, KafkaSinkContext context, Long timestamp) {
            byte[] key = record.key == null || record.key.isEmpty() ? null : record.key.getBytes(StandardCharsets.UTF_8);
            return new ProducerRecord<>(topic, null, record.timestamp, key, record.value);
        }
    }
}
