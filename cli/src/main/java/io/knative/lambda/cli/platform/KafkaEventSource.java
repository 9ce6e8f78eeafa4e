package io.knative.lambda.cli.platform;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.knative.lambda.cli.CliException;
import io.knative.lambda.cli.Json;

/**
 * A cluster's events: the Kafka topic that backs the Kafka Broker (and local mode's bus, the same binding), read
 * without a consumer group (nothing committed, nobody else's offsets moved). Records are CloudEvents in the Kafka
 * binary binding ({@code ce_*} headers) or structured ({@code content-type: application/cloudevents+json}).
 */
final class KafkaEventSource implements EventSource {

    private final String bootstrapServers;
    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();

    KafkaEventSource(String bootstrapServers, String topic) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "klambda-cli");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(15));
            if (infos == null || infos.isEmpty()) {
                throw new CliException("Kafka at " + bootstrapServers + " has no topic " + topic + " (give --topic)");
            }
            infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
        } catch (KafkaException e) {
            consumer.close(Duration.ZERO);
            throw new CliException("cannot read topic " + topic + " from Kafka at " + bootstrapServers + ": " + e.getMessage());
        }
    }

    @Override
    public List<JsonNode> recent(String typePrefix, String subject, int limit) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
        for (TopicPartition tp : partitions) {
            consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - Math.max(limit, 1000)));
        }
        List<JsonNode> found = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!reached(end) && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                JsonNode event = event(r);
                if (matches(event, typePrefix, subject)) {
                    found.add(event);
                }
            }
        }
        found.sort(Comparator.comparing(e -> e.path("time").asText("")));
        return found.size() > limit ? found.subList(found.size() - limit, found.size()) : found;
    }

    @Override
    public void mark() {
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    @Override
    public List<JsonNode> next(Duration wait) {
        List<JsonNode> events = new ArrayList<>();
        try {
            consumer.poll(wait).forEach(r -> events.add(event(r)));
        } catch (KafkaException e) {
            throw new CliException("reading " + topic + " from Kafka at " + bootstrapServers + " failed: " + e.getMessage());
        }
        return events;
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
    }

    static boolean matches(JsonNode event, String typePrefix, String subject) {
        return (typePrefix == null || event.path("type").asText("").startsWith(typePrefix))
                && (subject == null || subject.equals(event.path("subject").asText(null)));
    }

    /** A record as a structured CloudEvent. */
    static JsonNode event(ConsumerRecord<byte[], byte[]> record) {
        String contentType = null;
        ObjectNode event = Json.MAPPER.createObjectNode();
        for (Header h : record.headers()) {
            String value = h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
            if (h.key().startsWith("ce_") && value != null) {
                event.put(h.key().substring(3), value);
            } else if (h.key().equalsIgnoreCase("content-type")) {
                contentType = value;
            }
        }
        byte[] value = record.value() == null ? new byte[0] : record.value();
        if (contentType != null && contentType.startsWith("application/cloudevents+json")) {
            return Json.parse(value, "Kafka record " + record.topic() + "/" + record.partition() + "@" + record.offset());
        }
        if (contentType != null) {
            event.put("datacontenttype", contentType);
        }
        if (value.length > 0) {
            if (contentType == null || contentType.contains("json")) {
                try {
                    event.set("data", Json.MAPPER.readTree(value));
                } catch (java.io.IOException e) {
                    event.put("data_base64", Base64.getEncoder().encodeToString(value));
                }
            } else {
                event.put("data_base64", Base64.getEncoder().encodeToString(value));
            }
        }
        return event;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(1));
    }
}
