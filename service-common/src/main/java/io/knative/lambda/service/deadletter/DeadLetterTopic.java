package io.knative.lambda.service.deadletter;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.knative.lambda.events.DeadLetterHeaders;

/**
 * The dead-letter topic read whole ({@link #list}) and its events sent back to the bus ({@link #redrive}): a redriven
 * event goes to the bus topic with its own CloudEvent headers and data (the platform's retry headers dropped, so it
 * starts a fresh hour of retries), and a marker record ({@code klambda-redriven: <id>}) is appended to the dead-letter
 * topic so that the listing shows it as redriven and "redrive all" never sends it twice.
 */
public final class DeadLetterTopic implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrap;
    private final String topic;
    private KafkaProducer<byte[], byte[]> producer;

    public DeadLetterTopic(String bootstrap, String topic) {
        this.bootstrap = bootstrap;
        this.topic = topic;
    }

    /** What the topic holds, oldest first; {@code redriven} receives the ids already sent back. */
    public List<DeadLetter> list(Set<String> redriven) {
        List<DeadLetter> letters = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, TIMEOUT) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the dead-letter topic " + topic + " could not be read to its end in "
                            + TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    String marker = DeadLetter.text(r.headers(), DeadLetterHeaders.REDRIVEN);
                    if (marker != null) {
                        redriven.add(marker);
                    } else {
                        letters.add(DeadLetter.of(r));
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrap + " did not answer: " + e.getMessage(), e);
        }
        return letters;
    }

    /** Sends the dead letter back to {@code busTopic} and marks it redriven. */
    public void redrive(DeadLetter letter, String busTopic) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : letter.record().headers()) {
            if (!h.key().startsWith("klambda-") && !h.key().startsWith("dead-letter-") && !h.key().startsWith("ce_knativeerror")) {
                headers.add(h.key(), h.value());
            }
        }
        send(new ProducerRecord<>(busTopic, null, letter.record().key(), letter.record().value(), headers));
        RecordHeaders marker = new RecordHeaders();
        marker.add(DeadLetterHeaders.REDRIVEN, letter.id().getBytes(StandardCharsets.UTF_8));
        send(new ProducerRecord<byte[], byte[]>(topic, null, (byte[]) null, new byte[0], marker));
    }

    private void send(ProducerRecord<byte[], byte[]> record) {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG,
                    "all"), new ByteArraySerializer(), new ByteArraySerializer());
        }
        try {
            producer.send(record).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrap + " did not take the record for " + record.topic() + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The ids of {@code letters} not in {@code redriven}. */
    public static Set<String> pending(List<DeadLetter> letters, Set<String> redriven) {
        Set<String> ids = new HashSet<>();
        letters.stream().map(DeadLetter::id).filter(id -> !redriven.contains(id)).forEach(ids::add);
        return ids;
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
