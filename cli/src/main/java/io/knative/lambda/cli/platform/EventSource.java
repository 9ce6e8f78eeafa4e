package io.knative.lambda.cli.platform;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where the platform's events are kept, read as structured CloudEvents (attributes and {@code data} in one JSON
 * object): the local broker's {@code GET /events}, or on a cluster the Kafka topic behind the Kafka Broker.
 */
public interface EventSource extends AutoCloseable {

    /** The newest events (at most {@code limit}) whose type starts with {@code typePrefix} and whose subject is {@code subject} (nulls: any), oldest first. */
    List<JsonNode> recent(String typePrefix, String subject, int limit);

    /** From now on: the next calls of {@link #next} return what arrives after this moment. */
    void mark();

    /** The events that arrived since the last {@link #mark} or {@code next}, waiting up to {@code wait} for one. */
    List<JsonNode> next(Duration wait);

    @Override
    default void close() {
    }
}
