package io.knative.lambda.service;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A CloudEvent as a service receives it, whatever carried it (Knative HTTP delivery or Kafka).
 *
 * @param data the event's JSON data, or {@code null}
 */
public record InboundEvent(String id, String source, String specVersion, String type, String subject, JsonNode data) {
}
