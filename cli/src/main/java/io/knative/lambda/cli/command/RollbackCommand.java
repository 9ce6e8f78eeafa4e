package io.knative.lambda.cli.command;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.Args;
import io.knative.lambda.cli.CliException;
import io.knative.lambda.cli.Json;
import io.knative.lambda.cli.platform.EventSource;
import io.knative.lambda.cli.platform.Platform;
import io.knative.lambda.events.EventTypes;
import io.knative.lambda.events.TraceParent;

/** {@code klambda rollback NAME [REVISION]}: pins the function's traffic to an earlier revision. */
public final class RollbackCommand extends PlatformCommand {

    private final String name;
    private final String revision;
    private final long timeout;

    public RollbackCommand(Args args, PrintWriter out) {
        super(args, out);
        name = args.positional(0);
        revision = args.positional(1);
        timeout = args.number("timeout", 120);
    }

    @Override
    int run(Platform platform) {
        FunctionRef fn = FunctionRef.find(platform, name);
        List<String> revisions = platform.functions().revisions(fn.service()).stream()
                .map(r -> r.path("metadata").path("name").asText()).toList();
        String target = revision != null ? revision : previous(fn, revisions);
        if (!revisions.contains(target)) {
            throw CliException.badInput(fn.service() + " has no revision " + target + " (it has " + revisions + ")");
        }
        try (EventSource source = platform.events()) {
            source.mark();
            platform.broker().publish(EventTypes.ROLLBACK_REQUESTED, fn.functionId(), Json.compact(Json.MAPPER.createObjectNode()
                    .put("revision", target)).getBytes(StandardCharsets.UTF_8), TraceParent.start().header());
            JsonNode outcome = Waiting.until(source, Duration.ofSeconds(timeout), e -> fn.functionId().equals(EventView.subject(e))
                    && (EventView.type(e).equals(EventTypes.DEPLOY_COMPLETED) || EventView.type(e).equals(EventTypes.DEPLOY_FAILED)),
                    e -> { }, "answer to the rollback of " + fn.service());
            if (json()) {
                out().println(Json.pretty(outcome));
            } else {
                out().println("rolled back " + fn.service() + " to " + target + ": " + EventView.summary(outcome));
            }
            if (EventView.type(outcome).equals(EventTypes.DEPLOY_FAILED)) {
                throw new CliException(EventView.summary(outcome));
            }
            return 0;
        }
    }

    private static String previous(FunctionRef fn, List<String> revisions) {
        String serving = fn.ksvc().path("status").path("latestReadyRevisionName").asText("");
        for (JsonNode t : fn.ksvc().path("status").path("traffic")) {
            if (t.path("percent").asInt() == 100) {
                serving = t.path("revisionName").asText(serving);
            }
        }
        int at = revisions.indexOf(serving);
        if (at <= 0) {
            throw new CliException(fn.service() + " has no revision before " + (serving.isEmpty() ? "the current one" : serving)
                    + " (revisions: " + revisions + ")");
        }
        return revisions.get(at - 1);
    }
}
