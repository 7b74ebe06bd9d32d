package dev.ticker.bench;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The benchmark's Kafka source, shared by the native Java job and the PyFlink job so both read
 * exactly like the bridge: from the earliest offset, event time = Kafka record timestamp, and each
 * record tagged with its origin ("topic/partition/offset", which dead-letter rows carry). A record
 * arrives as one string: origin, a tab, the raw value text.
 */
public final class OriginTaggedKafka {

    private OriginTaggedKafka() {}

    /** The KafkaSource (PyFlink wraps it with {@code pyflink.datastream.connectors.Source}). */
    public static KafkaSource<String> source(String brokers, String topic, String groupId) {
        return KafkaSource.<String>builder()
                .setBootstrapServers(brokers)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new Deserializer())
                .setProperty("commit.offsets.on.checkpoint", "true")
                .build();
    }

    /** Splits "origin\tvalue" into its two parts. */
    public static String[] split(String tagged) {
        int tab = tagged.indexOf('\t');
        return new String[] {tagged.substring(0, tab), tagged.substring(tab + 1)};
    }

    static final class Deserializer implements KafkaRecordDeserializationSchema<String> {
        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<String> out) {
            String value = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
            out.collect(record.topic() + "/" + record.partition() + "/" + record.offset() + "\t" + value);
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }
    }
}
