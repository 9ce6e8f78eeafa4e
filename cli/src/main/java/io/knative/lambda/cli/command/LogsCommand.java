package io.knative.lambda.cli.command;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.Durations;
import io.knative.lambda.cli.Json;
import io.knative.lambda.cli.platform.Platform;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code klambda logs NAME}: what the function logged (JSON lines: invocations, errors with tracebacks, cold starts). */
@Command(name = "logs", mixinStandardHelpOptions = true, description = {
    "The function's log lines, every revision's, oldest first.",
    "Local mode: the runtime's output the local cluster keeps per revision (.run/functions/<revision>/function.log);",
    "a cluster: the pods of the function's revisions (kubectl logs -l serving.knative.dev/service=NAME -c user-container)."})
public final class LogsCommand extends PlatformCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "A Service name or function id.")
    String name;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until Ctrl-C.")
    boolean follow;

    @Option(names = "--since", paramLabel = "DURATION", description = "Only lines newer than this: 5m, 30s, 2h, or a time.")
    String since;

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
