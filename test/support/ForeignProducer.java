// A producer that is not ours: Kafka's own Java client, sending each record WITHOUT a timestamp, so
// the client stamps the send time as most clients do (kafka-python, kcat, librdkafka). Reads one
// record per stdin line: "<partition or -1>\t<key>\t<base64 value>", where a key or value of \N is
// null (no key / a tombstone), sends them in order (idempotent, acks=all) and prints "sent <n>". The
// end-to-end suite's foreign-producer and fuzz scenarios use it.
// Usage: java -cp '<kafka libs>/*' ForeignProducer.java <bootstrap> <topic>

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class ForeignProducer {
    /** Marks a null key or value (base64 never contains a backslash). */
    private static final String NULL = "\\N";

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", args[0]);
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        String topic = args[1];
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props);
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) continue;
                String[] parts = line.split("\t", 3);
                int partition = Integer.parseInt(parts[0]);
                String key = NULL.equals(parts[1]) ? null : parts[1];
                byte[] value = NULL.equals(parts[2]) ? null : Base64.getDecoder().decode(parts[2]);
                // No timestamp argument: the client sets CreateTime to the send time.
                sent.add(producer.send(new ProducerRecord<>(topic, partition < 0 ? null : partition, key, value)));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) f.get();
        }
        System.out.println("sent " + sent.size());
    }
}
