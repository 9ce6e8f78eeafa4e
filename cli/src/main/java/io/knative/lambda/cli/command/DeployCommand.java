package io.knative.lambda.cli.command;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.Args;
import io.knative.lambda.cli.CliException;
import io.knative.lambda.cli.Durations;
import io.knative.lambda.cli.Json;
import io.knative.lambda.cli.platform.Bucket;
import io.knative.lambda.cli.platform.EventSource;
import io.knative.lambda.cli.platform.Platform;
import io.knative.lambda.events.EventTypes;

/** {@code klambda deploy FILE|DIR}: uploads a function (a folder packed into a zip); follows its build and rollout. */
public final class DeployCommand extends PlatformCommand {

    private final Path path;
    private final String id;
    private final String scope;
    private final String kind;
    private final Map<String, String> metadata;
    private final long timeout;
    private final boolean noWait;

    public DeployCommand(Args args, PrintWriter out) {
        super(args, out);
        path = args.path(0);
        id = args.string("id");
        scope = args.string("scope", "global");
        kind = args.string("kind", "parser");
        metadata = args.pairs("metadata");
        timeout = args.number("timeout", 300);
        noWait = args.flag("no-wait");
    }

    @Override
    int run(Platform platform) {
        Upload upload = Upload.of(path, id, scope, kind);
        String functionId = upload.functionId();
        String key = upload.key();
        byte[] body = upload.body();
        try (EventSource source = noWait ? null : platform.events(); Bucket bucket = platform.bucket()) {
            if (source != null) {
                source.mark();
            }
            long started = System.nanoTime();
            bucket.put(key, body, metadata);
            say(started, "uploaded " + upload.what() + " as s3://" + bucket.name() + "/" + key + " (" + body.length + " bytes)");
            if (source == null) {
                return 0;
            }
            JsonNode outcome = Waiting.until(source, Duration.ofSeconds(timeout), e -> ours(e, functionId, key)
                    && (EventView.type(e).endsWith(".failed") || EventView.type(e).equals(EventTypes.DEPLOY_COMPLETED)),
                    e -> progress(e, functionId, key, started), "build and rollout outcome for " + key);
            if (json()) {
                out().println(Json.pretty(outcome));
            }
            if (EventView.type(outcome).endsWith(".failed")) {
                throw new CliException(EventView.summary(outcome));
            }
            return 0;
        }
    }

    private void progress(JsonNode e, String functionId, String key, long started) {
        if (json() || !ours(e, functionId, key)) {
            return;
        }
        String type = EventView.type(e);
        if (type.startsWith(EventTypes.S3_OBJECT_CREATED_PREFIX)) {
            say(started, "build started (the builder got the upload; trace " + EventView.traceId(e) + ")");
        } else if (type.equals(EventTypes.BUILD_COMPLETED)) {
            say(started, EventView.summary(e));
            say(started, "rollout started");
        } else if (type.equals(EventTypes.DEPLOY_COMPLETED)) {
            say(started, EventView.summary(e));
        }
    }

    private static boolean ours(JsonNode e, String functionId, String key) {
        String subject = EventView.subject(e);
        return subject.equals(key) || subject.equals(functionId) || key.equals(e.path("data").path("key").asText());
    }

    private void say(long started, String what) {
        if (!json()) {
            out().printf("[%8s] %s%n", "+" + Durations.human((System.nanoTime() - started) / 1_000_000), what);
            out().flush();
        }
    }
}
