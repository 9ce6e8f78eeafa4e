package io.knative.lambda.service.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.knative.lambda.service.retry.RetryRecords;
import io.knative.lambda.testsupport.KafkaServer;

/** make dead-letters / make redrive against a real Kafka: what an operator sees, and a replay that lands on the bus once. */
class DeadLettersIT {

    private static KafkaServer kafka;

    @BeforeAll
    static void startKafka() {
        kafka = KafkaServer.start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void aDeadLetterIsListedWithItsReasonAndAttemptsAndRedrivenToTheBusOnce() throws Exception {
        String dlt = "dlt-" + System.nanoTime();
        String bus = "bus-" + System.nanoTime();
        RecordHeaders event = new RecordHeaders();
        event.add("ce_specversion", bytes("1.0"));
        event.add("ce_id", bytes("evt-1"));
        event.add("ce_type", bytes("io.knative.lambda.build.requested"));
        event.add("ce_source", bytes("/test"));
        event.add("ce_subject", bytes("my-parser"));
        org.apache.kafka.clients.producer.RecordMetadata written;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            written = producer.send(RetryRecords.deadLetter(dlt, event, bytes("my-parser"), bytes("{\"key\":\"global/parser/my-parser\"}"),
                    "builder", new RetryRecords.Failures(20, Instant.parse("2026-01-01T00:00:00Z"),
                            Instant.parse("2026-01-01T00:59:30Z"), "RegistryUnavailable", "connection refused"))).get();
        }

        String id = DeadLetter.id(written.partition(), written.offset());
        String listed = cli("list", "--bootstrap", kafka.bootstrapServers(), "--topic", dlt);
        assertThat(listed).contains(id, "io.knative.lambda.build.requested", "my-parser", "20", "2026-01-01T00:00:00Z",
                "2026-01-01T00:59:30Z", "RegistryUnavailable: connection refused", "1 dead letter(s) waiting");

        String redriven = cli("redrive", id, "--bootstrap", kafka.bootstrapServers(), "--topic", dlt, "--bus-topic", bus);
        assertThat(redriven).contains("redriven " + id);
        List<ConsumerRecord<byte[], byte[]>> onBus = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, "t-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(bus));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(onBus::add);
                return !onBus.isEmpty();
            });
        }
        ConsumerRecord<byte[], byte[]> replayed = onBus.get(0);
        assertThat(new String(replayed.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8)).isEqualTo("evt-1");
        assertThat(new String(replayed.value(), StandardCharsets.UTF_8)).contains("global/parser/my-parser");
        assertThat(replayed.headers()).noneMatch(h -> h.key().startsWith("klambda-"));

        assertThat(cli("list", "--bootstrap", kafka.bootstrapServers(), "--topic", dlt)).contains("0 dead letter(s) waiting");
        assertThat(cli("list", "--all", "--bootstrap", kafka.bootstrapServers(), "--topic", dlt)).contains("(redriven)");
        cli("redrive", "all", "--bootstrap", kafka.bootstrapServers(), "--topic", dlt, "--bus-topic", bus);
        assertThat(onBus).hasSize(1);
    }

    @Test
    void anUnknownIdIsAnErrorThatSaysHowToFindTheIds() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DeadLettersCli.run(new String[] {"redrive", "9-99", "--bootstrap", kafka.bootstrapServers(), "--topic",
                "dlt-empty-" + System.nanoTime()}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no dead letter 9-99", "make dead-letters");
    }

    private static String cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DeadLettersCli.run(args, new PrintStream(out), new PrintStream(err));
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
