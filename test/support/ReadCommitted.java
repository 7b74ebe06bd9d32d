// Reads a topic from the beginning as a read_committed consumer and prints each value on its own
// line, until `count` values arrived or the timeout passed. The end-to-end suite uses Kafka's own
// Java client for this because kafkajs 2.2.4 lets some aborted transactional records through
// (seen after a TaskManager kill: an aborted transaction at offset 0 was returned).
// Usage: java -cp '<kafka libs>/*' ReadCommitted.java <bootstrap> <topic> <count> <timeoutMs>

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

public class ReadCommitted {
    public static void main(String[] args) {
        Properties props = new Properties();
        props.put("bootstrap.servers", args[0]);
        props.put("isolation.level", "read_committed");
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", StringDeserializer.class.getName());
        String topic = args[1];
        int count = Integer.parseInt(args[2]);
        long deadline = System.currentTimeMillis() + Long.parseLong(args[3]);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            int seen = 0;
            // One more poll after reaching `count`, so that a duplicate would show up too.
            boolean extraPollDone = false;
            while (System.currentTimeMillis() < deadline && !extraPollDone) {
                if (seen >= count) extraPollDone = true;
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    System.out.println(record.value());
                    seen++;
                }
            }
        }
    }
}
