package io.knative.lambda.cli.command;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.Durations;
import io.knative.lambda.events.EventTypes;
import io.knative.lambda.events.TraceParent;

/** One structured CloudEvent as the CLI shows it: its time, trace and a one-line summary of what it says. */
final class EventView {

    private EventView() {
    }

    static String type(JsonNode event) {
        return event.path("type").asText("");
    }

    static String subject(JsonNode event) {
        return event.path("subject").asText("");
    }

    /** The event's {@code time}, or {@code null}. */
    static Instant time(JsonNode event) {
        try {
            String time = event.path("time").asText("");
            return time.isEmpty() ? null : java.time.OffsetDateTime.parse(time).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The trace id of its {@code traceparent}, or {@code null}. */
    static String traceId(JsonNode event) {
        return TraceParent.parse(event.path(TraceParent.ATTRIBUTE).asText(null)).map(TraceParent::traceId).orElse(null);
    }

    /** What the event says, in one line. */
    static String summary(JsonNode event) {
        String type = type(event);
        JsonNode data = event.path("data");
        if (type.startsWith(EventTypes.S3_OBJECT_CREATED_PREFIX)) {
            return "uploaded " + subject(event);
        }
        if (type.startsWith(EventTypes.S3_OBJECT_REMOVED_PREFIX)) {
            return "removed " + subject(event) + " from the bucket";
        }
        return switch (type) {
            case EventTypes.BUILD_REQUESTED -> "build requested";
            case EventTypes.BUILD_COMPLETED -> "built " + data.path("image").asText("") + " in "
                    + Durations.human(data.path("durationMs").asLong()) + layers(data);
            case EventTypes.BUILD_FAILED, EventTypes.DEPLOY_FAILED -> (type.equals(EventTypes.BUILD_FAILED) ? "build" : "rollout")
                    + " failed: " + data.path("reason").asText("?") + ": " + data.path("message").asText("");
            case EventTypes.DEPLOY_COMPLETED -> "ready at " + data.path("url").asText("?") + " (revision "
                    + data.path("revision").asText("?") + ", rollout " + Durations.human(data.path("durationMs").asLong()) + ")";
            case EventTypes.FUNCTION_DELETED -> "function removed";
            case EventTypes.ROLLBACK_REQUESTED -> "rollback requested to " + data.path("revision").asText(data.path("image")
                    .asText("the previous revision"));
            case EventTypes.INVOKE -> "invoked: " + abbreviate(data.toString());
            case EventTypes.RESPONSE_SUCCESS -> "answered: " + abbreviate(data.toString());
            case EventTypes.RESPONSE_ERROR -> "answered with an error: " + data.path("error").asText("") + ": "
                    + abbreviate(data.path("message").asText(data.toString()));
            default -> abbreviate(data.toString());
        };
    }

    private static String layers(JsonNode data) {
        JsonNode reused = data.path("layersReused");
        return reused.isMissingNode() ? "" : " (" + reused.asInt() + " layers reused)";
    }

    private static String abbreviate(String text) {
        return text.length() > 120 ? text.substring(0, 117) + "..." : text;
    }
}
