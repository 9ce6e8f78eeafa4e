package io.knative.lambda.cli.command;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.Args;
import io.knative.lambda.cli.Durations;
import io.knative.lambda.cli.Json;
import io.knative.lambda.cli.Table;
import io.knative.lambda.cli.platform.Platform;

/** {@code klambda get [NAME]}: where the functions are — URL, readiness, the serving revision. */
public final class GetCommand extends PlatformCommand {

    private final String name;

    public GetCommand(Args args, PrintWriter out) {
        super(args, out);
        name = args.positional(0);
    }

    @Override
    int run(Platform platform) {
        Instant now = Instant.now();
        if (name == null) {
            List<JsonNode> services = platform.functions().services();
            if (json()) {
                out().println(Json.pretty(services));
                return 0;
            }
            if (services.isEmpty()) {
                out().println("No functions in namespace " + platform.namespace() + " (" + platform.description()
                        + "). Deploy one: klambda deploy examples/parser.py");
                return 0;
            }
            Table table = new Table("NAME", "FUNCTION", "URL", "READY", "REASON", "REVISION", "AGE");
            for (JsonNode ksvc : services) {
                JsonNode meta = ksvc.path("metadata");
                table.row(meta.path("name").asText(), meta.path("labels").path(FunctionRef.FUNCTION_ID).asText(""),
                        ksvc.path("status").path("url").asText(""), FunctionRef.ready(ksvc), FunctionRef.reason(ksvc),
                        ksvc.path("status").path("latestReadyRevisionName").asText(""), age(meta, now));
            }
            table.print(out());
            return 0;
        }
        FunctionRef fn = FunctionRef.find(platform, name);
        List<JsonNode> revisions = platform.functions().revisions(fn.service());
        if (json()) {
            out().println(Json.pretty(Json.MAPPER.createObjectNode().<com.fasterxml.jackson.databind.node.ObjectNode>set(
                    "service", fn.ksvc()).set("revisions", Json.MAPPER.valueToTree(revisions))));
            return 0;
        }
        JsonNode status = fn.ksvc().path("status");
        out().println("Name:        " + fn.service());
        out().println("Function id: " + fn.functionId());
        out().println("Namespace:   " + platform.namespace());
        out().println("URL:         " + status.path("url").asText("(none yet)"));
        out().println("Ready:       " + FunctionRef.ready(fn.ksvc()) + (FunctionRef.reason(fn.ksvc()).isEmpty() ? ""
                : " (" + FunctionRef.reason(fn.ksvc()) + ")"));
        out().println("Source:      " + fn.ksvc().path("metadata").path("annotations").path("io.knative.lambda/source")
                .asText("?"));
        out().println("Image:       " + fn.ksvc().path("spec").path("template").path("spec").path("containers").path(0)
                .path("image").asText("?"));
        out().println();
        Table table = new Table("REVISION", "READY", "REASON", "TRAFFIC", "AGE");
        for (JsonNode revision : revisions) {
            String rev = revision.path("metadata").path("name").asText();
            table.row(rev, FunctionRef.ready(revision), FunctionRef.reason(revision), traffic(status, rev),
                    age(revision.path("metadata"), now));
        }
        table.print(out());
        return 0;
    }

    private static String traffic(JsonNode status, String revision) {
        for (JsonNode t : status.path("traffic")) {
            if (revision.equals(t.path("revisionName").asText())) {
                return t.path("percent").asInt(0) + "%";
            }
        }
        return "";
    }

    private static String age(JsonNode meta, Instant now) {
        String created = meta.path("creationTimestamp").asText("");
        return created.isEmpty() ? "" : Durations.age(Instant.parse(created), now);
    }
}
