package dev.ticker.bridge;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** {@link BridgeRecord} -> Kafka record (the source side is EventTimeSource). Values pass as raw bytes. */
final class KafkaRecordSchemas {
    private KafkaRecordSchemas() {}

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
