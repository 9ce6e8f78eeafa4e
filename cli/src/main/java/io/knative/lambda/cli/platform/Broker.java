package io.knative.lambda.cli.platform;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.knative.lambda.cli.CliException;
import io.knative.lambda.cli.Http;
import io.knative.lambda.cli.Json;

/** The broker's ingress: where the CLI publishes a CloudEvent (binary mode), as any producer does. */
public final class Broker {

    /** The CloudEvent source of the CLI's events. */
    public static final String SOURCE = "/knative-lambda/cli";
    private final String url;

    Broker(String url) {
        this.url = url;
    }

    /** Publishes an event of {@code type} about {@code subject} in the trace {@code traceparent}; its id. */
    public String publish(String type, String subject, byte[] jsonData, String traceparent) {
        String id = UUID.randomUUID().toString();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ce-specversion", "1.0");
        headers.put("ce-id", id);
        headers.put("ce-source", SOURCE);
        headers.put("ce-type", type);
        headers.put("ce-subject", subject);
        headers.put("ce-time", java.time.Instant.now().toString());
        headers.put("ce-traceparent", traceparent);
        headers.put("Content-Type", "application/json");
        Http.Answer answer = Http.post(url, headers, jsonData, "the broker");
        if (answer.status() / 100 != 2) {
            String body = new String(answer.body(), StandardCharsets.UTF_8);
            String message = body.startsWith("{") ? Json.parse(answer.body(), "the broker").path("message").asText(body) : body;
            throw new CliException("the broker at " + url + " refused the event (" + answer.status() + "): " + message);
        }
        return id;
    }
}
