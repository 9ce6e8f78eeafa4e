package io.knative.lambda.cli.command;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.Args;
import io.knative.lambda.cli.Durations;
import io.knative.lambda.cli.Json;
import io.knative.lambda.cli.platform.Platform;

/** {@code klambda logs NAME}: what the function logged (JSON lines: invocations, errors with tracebacks, cold starts). */
public final class LogsCommand extends PlatformCommand {

    private final String name;
    private final boolean follow;
    private final String since;

    public LogsCommand(Args args, PrintWriter out) {
        super(args, out);
        name = args.positional(0);
        follow = args.flag("follow");
        since = args.string("since");
    }

    @Override
    int run(Platform platform) {
        Instant from = since == null ? null : Durations.since(since, Instant.now());
        FunctionRef fn = FunctionRef.find(platform, name);
        List<String> revisions = platform.functions().revisions(fn.service()).stream()
                .map(r -> r.path("metadata").path("name").asText()).toList();
        boolean several = revisions.size() > 1;
        platform.logs().print(fn.service(), revisions, from, follow, line -> {
            if (json()) {
                JsonNode parsed = line.text().startsWith("{") ? tryParse(line.text()) : null;
                out().println(Json.compact(Json.MAPPER.createObjectNode().put("revision", line.revision())
                        .set("line", parsed != null ? parsed : Json.MAPPER.getNodeFactory().textNode(line.text()))));
            } else {
                out().println(several ? line.revision() + " | " + line.text() : line.text());
            }
            out().flush();
        });
        return 0;
    }

    private static JsonNode tryParse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
