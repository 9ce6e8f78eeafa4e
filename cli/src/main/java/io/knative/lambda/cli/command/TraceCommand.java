package io.knative.lambda.cli.command;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.knative.lambda.cli.Args;
import io.knative.lambda.cli.CliException;
import io.knative.lambda.cli.Durations;
import io.knative.lambda.cli.Json;
import io.knative.lambda.cli.platform.EventSource;
import io.knative.lambda.cli.platform.Platform;
import io.knative.lambda.events.EventTypes;

/** {@code klambda trace NAME|EVENT-ID}: one upload's timeline from its events, so a user sees where it is stuck. */
public final class TraceCommand extends PlatformCommand {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final String target;
    private final int limit;

    public TraceCommand(Args args, PrintWriter out) {
        super(args, out);
        target = args.positional(0);
        limit = args.integer("limit", 5000);
    }

    @Override
    int run(Platform platform) {
        List<JsonNode> events;
        try (EventSource source = platform.events()) {
            events = source.recent(null, null, limit);
        }
        JsonNode start = events.stream().filter(e -> target.equals(e.path("id").asText())).findFirst()
                .orElseGet(() -> latestUpload(platform, events));
        String traceId = EventView.traceId(start);
        if (traceId == null) {
            throw new CliException("event " + start.path("id").asText() + " (" + EventView.type(start)
                    + ") carries no traceparent: it was sent before the platform traced uploads");
        }
        List<JsonNode> traced = events.stream().filter(e -> traceId.equals(EventView.traceId(e)))
                .sorted(Comparator.comparing(e -> Objects.requireNonNullElse(EventView.time(e), Instant.EPOCH))).toList();
        List<Timeline.Step> steps = Timeline.of(traced, firstAnswer(events, traced));
        if (json()) {
            ObjectNode body = Json.MAPPER.createObjectNode().put("traceId", traceId);
            ArrayNode list = body.putArray("steps");
            for (Timeline.Step s : steps) {
                ObjectNode step = list.addObject().put("at", s.at().toString()).put("step", s.what())
                        .put("type", EventView.type(s.event())).put("eventId", s.event().path("id").asText());
                if (s.sinceBefore() != null) {
                    step.put("sinceBeforeMs", s.sinceBefore());
                }
            }
            out().println(Json.pretty(body));
            return 0;
        }
        out().println("trace " + traceId);
        for (Timeline.Step s : steps) {
            out().printf("  %s  %10s  %s%n", CLOCK.format(s.at()), s.sinceBefore() == null ? "" : "+" + Durations.human(
                    s.sinceBefore()), s.what());
        }
        String last = traced.isEmpty() ? "" : EventView.type(traced.get(traced.size() - 1));
        if (last.startsWith(EventTypes.S3_OBJECT_CREATED_PREFIX) || last.equals(EventTypes.BUILD_REQUESTED)) {
            out().println("  ... no build outcome yet: the builder is building, or not running (klambda events -f)");
        } else if (last.equals(EventTypes.BUILD_COMPLETED)) {
            out().println("  ... no rollout outcome yet: the deployer is rolling out, or not running (klambda get)");
        }
        return 0;
    }

    /** The newest upload (or any traced event) of the function {@code target}. */
    private JsonNode latestUpload(Platform platform, List<JsonNode> events) {
        String id = target;
        String key = null;
        try {
            FunctionRef fn = FunctionRef.find(platform, target);
            id = fn.functionId();
            key = fn.sourceKey();
        } catch (CliException notDeployed) {
            // a build that failed leaves no Service: look for the id in the events
        }
        JsonNode found = null;
        for (JsonNode e : events) {
            String subject = EventView.subject(e);
            boolean upload = EventView.type(e).startsWith(EventTypes.S3_OBJECT_CREATED_PREFIX);
            boolean ours = upload ? subject.equals(key) || subject.endsWith("/" + id) || subject.matches(".*/" + java.util.regex.Pattern
                    .quote(id) + "\\.[a-z]+") : subject.equals(id) && !isAnswer(e);
            if (ours && EventView.traceId(e) != null && (found == null || upload
                    || !EventView.type(found).startsWith(EventTypes.S3_OBJECT_CREATED_PREFIX))) {
                found = e;
            }
        }
        if (found == null) {
            throw CliException.badInput("no events of a function or event '" + target + "' among the last " + events.size()
                    + " events (klambda events lists them)");
        }
        return found;
    }

    /** The first answer of the function after the trace's deploy.completed, or null. */
    private static JsonNode firstAnswer(List<JsonNode> events, List<JsonNode> traced) {
        JsonNode ready = traced.stream().filter(e -> EventView.type(e).equals(EventTypes.DEPLOY_COMPLETED)).findFirst()
                .orElse(null);
        if (ready == null || EventView.time(ready) == null) {
            return null;
        }
        Instant at = EventView.time(ready);
        // invocations name the function's Service ({kind}-{id}); older ones its id
        String id = EventView.subject(ready);
        String service = ready.path("data").path("service").asText(id);
        return events.stream().filter(e -> isAnswer(e) && (id.equals(EventView.subject(e))
                || service.equals(EventView.subject(e))) && EventView.time(e) != null
                && !EventView.time(e).isBefore(at)).min(Comparator.comparing(EventView::time)).orElse(null);
    }

    private static boolean isAnswer(JsonNode e) {
        return EventView.type(e).startsWith("io.knative.lambda.response.");
    }
}
