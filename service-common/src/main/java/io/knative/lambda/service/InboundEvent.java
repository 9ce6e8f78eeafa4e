package io.knative.lambda.service;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A CloudEvent as a service receives it, whatever carried it (Knative HTTP delivery or Kafka).
 *
 * @param data        the event's JSON data, or {@code null}
 * @param traceparent the event's W3C trace context (CloudEvents distributed-tracing extension), or {@code null}
 */
public record InboundEvent(String id, String source, String specVersion, String type, String subject, JsonNode data,
        String traceparent) {

    /** An event that carries no trace context. */
    public InboundEvent(String id, String source, String specVersion, String type, String subject, JsonNode data) {
        this(id, source, specVersion, type, subject, data, null);
    }
}
