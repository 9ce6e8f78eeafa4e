package io.knative.lambda.cli.platform;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.CliException;
import io.knative.lambda.cli.Http;
import io.knative.lambda.cli.Json;

/**
 * Local mode's events: the local broker's {@code GET /events} (the recent events it saw on the Kafka topic), followed
 * with {@code ?after=} and the sequence number of the newest one ({@code Klambda-Last-Event}).
 */
final class BrokerEventSource implements EventSource {

    private static final String WHAT = "the local broker";
    private static final Duration POLL = Duration.ofMillis(150);
    private final String base;
    private long after;

    BrokerEventSource(String broker) {
        this.base = broker.endsWith("/") ? broker.substring(0, broker.length() - 1) : broker;
    }

    @Override
    public List<JsonNode> recent(String typePrefix, String subject, int limit) {
        return events((typePrefix == null ? "" : "type=" + encode(typePrefix) + "&")
                + (subject == null ? "" : "subject=" + encode(subject) + "&") + "limit=" + limit).events();
    }

    @Override
    public void mark() {
        after = events("limit=1").last();
    }

    @Override
    public List<JsonNode> next(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Page page = events("after=" + after + "&limit=10000");
            after = Math.max(after, page.last());
            if (!page.events().isEmpty() || System.nanoTime() - deadline >= 0) {
                return page.events();
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
    }

    private record Page(List<JsonNode> events, long last) {
    }

    private Page events(String query) {
        Http.Answer answer = Http.get(base + "/events?" + query, WHAT);
        if (answer.status() != 200) {
            throw new CliException(WHAT + " answered " + answer.status() + " to GET /events?" + query);
        }
        List<JsonNode> events = new ArrayList<>();
        Json.parse(answer.body(), WHAT).forEach(events::add);
        String last = answer.header("Klambda-Last-Event");
        return new Page(events, last == null ? after : Long.parseLong(last));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
