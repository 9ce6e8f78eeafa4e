package io.knative.lambda.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The same builder core over Kafka: CloudEvents in the Kafka binary binding in, replies on the same topic. */
@QuarkusTest
@WithTestResource(value = BuilderServers.class, initArgs = @ResourceArg(name = "kafka", value = "true"))
class KafkaTransportIT {

    private static final String TOPIC = "knative-lambda";
    private static final String DEAD_LETTERS = "knative-lambda-dead-letters";
    private KafkaProducer<byte[], byte[]> producer;
    private KafkaConsumer<byte[], byte[]> consumer;

    @BeforeEach
    void clients() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BuilderServers.kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BuilderServers.kafka.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(TOPIC, DEAD_LETTERS));
    }

    @AfterEach
    void close() {
        producer.close();
        consumer.close();
    }

    private void send(String type, String id, String data) throws Exception {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(TOPIC, id.getBytes(StandardCharsets.UTF_8),
                data.getBytes(StandardCharsets.UTF_8));
        record.headers().add("ce_specversion", "1.0".getBytes()).add("ce_id", id.getBytes())
                .add("ce_source", "/test/kafka".getBytes()).add("ce_type", type.getBytes())
                .add("content-type", "application/json".getBytes());
        producer.send(record).get();
    }

    private final List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();

    private List<ConsumerRecord<byte[], byte[]>> records(String topic, String type, String subject) {
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        return seen.stream().filter(r -> r.topic().equals(topic))
                .filter(r -> type == null || type.equals(header(r, "ce_type")))
                .filter(r -> subject == null || subject.equals(header(r, "ce_subject"))).toList();
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aBuildRequestOnTheTopicGetsItsBuildCompletedOnTheTopicOnceEvenWhenDeliveredTwice() throws Exception {
        String id = CloudEvents.newId("kafka");
        String key = "global/parser/" + id;
        CloudEvents.put(key, CloudEvents.guideParser(), Map.of());
        String data = "{\"bucket\":\"" + BuilderServers.BUCKET + "\",\"key\":\"" + key + "\"}";

        send("io.knative.lambda.build.requested", "req-" + id, data);
        send("io.knative.lambda.build.requested", "req-" + id, data);

        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(records(TOPIC, "io.knative.lambda.build.completed", id)).hasSize(2));
        List<ConsumerRecord<byte[], byte[]>> replies = records(TOPIC, "io.knative.lambda.build.completed", id);
        assertThat(replies).extracting(r -> header(r, "ce_id")).as("a duplicate gets the same reply id").containsOnly(
                header(replies.get(0), "ce_id"));
        assertThat(header(replies.get(0), "ce_source")).isEqualTo("/knative-lambda/builder");
        JsonNode first = CloudEvents.parse(new String(replies.get(0).value(), StandardCharsets.UTF_8));
        JsonNode second = CloudEvents.parse(new String(replies.get(1).value(), StandardCharsets.UTF_8));
        assertThat(first.path("functionId").asText()).isEqualTo(id);
        assertThat(second.path("digest").asText()).isEqualTo(first.path("digest").asText());
    }

    @Test
    void aPermanentFailureIsABuildFailedEventOnTheTopic() throws Exception {
        String id = CloudEvents.newId("kafka-missing");
        send("io.knative.lambda.build.requested", "req-" + id,
                "{\"bucket\":\"" + BuilderServers.BUCKET + "\",\"key\":\"global/parser/" + id + "\"}");

        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(records(TOPIC, "io.knative.lambda.build.failed", id)).hasSize(1));
        JsonNode data = CloudEvents.parse(new String(records(TOPIC, "io.knative.lambda.build.failed", id).get(0).value(),
                StandardCharsets.UTF_8));
        assertThat(data.path("reason").asText()).isEqualTo("SourceNotFound");
    }

    @Test
    void aRecordThatIsNoCloudEventGoesToTheDeadLetterTopicNotSilentlyDropped() throws Exception {
        String marker = "not-a-cloudevent-" + UUID.randomUUID();
        producer.send(new ProducerRecord<>(TOPIC, marker.getBytes(), "{}".getBytes())).get();

        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(records(DEAD_LETTERS, null, null))
                        .anySatisfy(r -> assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(marker)));
    }

    @Test
    void eventsOfOtherServicesAreLeftAlone() throws Exception {
        String id = CloudEvents.newId("other");
        send("io.knative.lambda.deploy.completed", "dep-" + id, "{\"functionId\":\"" + id + "\"}");
        String probe = CloudEvents.newId("probe");
        send("io.knative.lambda.build.requested", "req-" + probe,
                "{\"bucket\":\"" + BuilderServers.BUCKET + "\",\"key\":\"global/parser/" + probe + "\"}");

        // Once the later probe is answered, the earlier foreign event has been consumed too.
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(records(TOPIC, "io.knative.lambda.build.failed", probe)).hasSize(1));
        assertThat(records(TOPIC, null, null)).filteredOn(r -> ("dep-" + id).equals(header(r, "ce_id")))
                .as("only the foreign event itself, no reply to it").hasSize(1);
        assertThat(records(TOPIC, null, null)).filteredOn(r -> ("dep-" + id).equals(header(r, "ce_subject"))
                || id.equals(header(r, "ce_subject"))).isEmpty();
        assertThat(records(DEAD_LETTERS, null, null)).filteredOn(r -> ("dep-" + id).equals(header(r, "ce_id"))).isEmpty();
    }

    private void sendWithSubject(String type, String id, String subject, byte[] data, boolean withId) throws Exception {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(TOPIC, subject.getBytes(StandardCharsets.UTF_8), data);
        record.headers().add("ce_specversion", "1.0".getBytes()).add("ce_source", "/test/kafka".getBytes())
                .add("ce_type", type.getBytes()).add("ce_subject", subject.getBytes())
                .add("content-type", "application/json".getBytes());
        if (withId) {
            record.headers().add("ce_id", id.getBytes());
        }
        producer.send(record).get();
    }

    /** Sends a probe after the events under test and waits for its answer: by then the earlier events were consumed. */
    private void drain() throws Exception {
        String probe = CloudEvents.newId("probe");
        send("io.knative.lambda.build.requested", "req-" + probe,
                "{\"bucket\":\"" + BuilderServers.BUCKET + "\",\"key\":\"global/parser/" + probe + "\"}");
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(records(TOPIC, "io.knative.lambda.build.failed", probe)).hasSize(1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unprocessable")
    void anEventThatCanNeverBeBuiltIsAnsweredOnceWithBuildFailedAndNeverDeadLettered(String what, String type, byte[] data,
            String reason) throws Exception {
        String subject = CloudEvents.newId("bad");

        sendWithSubject(type, "req-" + subject, subject, data, true);
        drain();

        List<ConsumerRecord<byte[], byte[]>> failed = records(TOPIC, "io.knative.lambda.build.failed", subject);
        assertThat(failed).as("answered exactly once").hasSize(1);
        JsonNode body = CloudEvents.parse(new String(failed.get(0).value(), StandardCharsets.UTF_8));
        assertThat(body.path("reason").asText()).isEqualTo("InvalidEvent");
        assertThat(body.path("message").asText()).contains(reason);
        assertThat(records(DEAD_LETTERS, null, subject)).as("nothing dead-lettered").isEmpty();
    }

    static Stream<Arguments> unprocessable() {
        byte[] truncated = "{\"bucket\":\"functions\",\"key\":".getBytes(StandardCharsets.UTF_8);
        return Stream.of(
                Arguments.of("truncated JSON data", "io.knative.lambda.build.requested", truncated, "not valid JSON"),
                Arguments.of("JSON nested 100,000 deep", "io.knative.lambda.build.requested",
                        ("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.UTF_8), "deeper than 1000"),
                Arguments.of("an S3 event without data", "com.amazonaws.s3.ObjectCreated:Put", new byte[0], "has no data"),
                Arguments.of("build.requested without a key", "io.knative.lambda.build.requested",
                        "{\"bucket\":\"functions\"}".getBytes(StandardCharsets.UTF_8), "'bucket' and 'key'"));
    }

    @Test
    void aRecordWithoutCeIdIsNoCloudEventAndGoesToTheDeadLetterTopicOnce() throws Exception {
        String subject = CloudEvents.newId("noid");

        sendWithSubject("io.knative.lambda.build.requested", null, subject, "{}".getBytes(StandardCharsets.UTF_8), false);
        drain();

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(records(DEAD_LETTERS, null, subject)).hasSize(1));
        assertThat(records(TOPIC, "io.knative.lambda.build.failed", subject)).isEmpty();
    }
}
