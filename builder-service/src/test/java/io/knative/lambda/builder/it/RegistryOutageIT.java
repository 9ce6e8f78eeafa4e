package io.knative.lambda.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The registry down for 60 s on the Kafka path (local mode): the build that needs it waits in the retry topic and
 * completes by itself once the registry is back, while the events behind it keep flowing; nothing is dead-lettered.
 */
@QuarkusTest
@WithTestResource(value = BuilderServers.class, initArgs = @ResourceArg(name = "kafka", value = "true"))
class RegistryOutageIT {

    private static final String TOPIC = "knative-lambda";

    @Test
    void aBuildHeldUpByA60SecondRegistryOutageCompletesOnItsOwnAndHoldsUpNothingElse() throws Exception {
        String held = CloudEvents.newId("outage");
        String heldKey = "global/parser/" + held;
        CloudEvents.put(heldKey, CloudEvents.guideParser(), Map.of());
        String behind = CloudEvents.newId("behind");
        List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(); KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            BuilderServers.registry.stop();
            long outageStarted = System.nanoTime();

            send(producer, "req-" + held, heldKey);
            // an upload behind it whose object is missing: answered at once, whatever the registry does
            send(producer, "req-" + behind, "global/parser/" + behind);
            Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                assertThat(of(seen, TOPIC, "io.knative.lambda.build.failed", behind)).hasSize(1);
                assertThat(of(seen, "knative-lambda-retries", null, held)).as("retried through the retry topic")
                        .hasSizeGreaterThanOrEqualTo(2);
            });
            assertThat(of(seen, TOPIC, "io.knative.lambda.build.completed", held)).as("not while the registry is down")
                    .isEmpty();

            // the outage lasts 60 s in all (a scenario's length, not a wait for a result)
            long left = Duration.ofSeconds(60).toNanos() - (System.nanoTime() - outageStarted);
            if (left > 0) {
                Thread.sleep(left / 1_000_000);
            }
            BuilderServers.registry = BuilderServers.registry.restarted();

            Awaitility.await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                assertThat(of(seen, TOPIC, "io.knative.lambda.build.completed", held)).hasSize(1);
            });
            assertThat(of(seen, "knative-lambda-dead-letters", null, held)).isEmpty();
            List<ConsumerRecord<byte[], byte[]>> retries = of(seen, "knative-lambda-retries", null, held);
            assertThat(header(retries.get(retries.size() - 1), "klambda-reason")).isEqualTo("RegistryUnavailable");
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String id, String key) throws Exception {
        String data = "{\"bucket\":\"" + BuilderServers.BUCKET + "\",\"key\":\"" + key + "\"}";
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(TOPIC, id.getBytes(StandardCharsets.UTF_8),
                data.getBytes(StandardCharsets.UTF_8));
        record.headers().add("ce_specversion", "1.0".getBytes()).add("ce_id", id.getBytes())
                .add("ce_source", "/test/outage".getBytes()).add("ce_type", "io.knative.lambda.build.requested".getBytes())
                .add("ce_subject", key.substring(key.lastIndexOf('/') + 1).getBytes())
                .add("content-type", "application/json".getBytes());
        producer.send(record).get();
    }

    private static List<ConsumerRecord<byte[], byte[]>> of(List<ConsumerRecord<byte[], byte[]>> seen, String topic,
            String type, String subject) {
        return seen.stream().filter(r -> r.topic().equals(topic)).filter(r -> type == null || type.equals(header(r, "ce_type")))
                .filter(r -> subject.equals(header(r, "ce_subject"))).toList();
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BuilderServers.kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer() {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BuilderServers.kafka.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(TOPIC, "knative-lambda-retries", "knative-lambda-dead-letters"));
        return consumer;
    }
}
