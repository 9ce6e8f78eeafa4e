package io.knative.lambda.cli.command;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.CliException;
import io.knative.lambda.cli.Durations;
import io.knative.lambda.cli.Json;
import io.knative.lambda.cli.platform.Bucket;
import io.knative.lambda.cli.platform.EventSource;
import io.knative.lambda.cli.platform.Platform;
import io.knative.lambda.events.EventTypes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code klambda deploy FILE|DIR}: uploads a function (a folder packed into a zip); follows its build and rollout. */
@Command(name = "deploy", mixinStandardHelpOptions = true, description = {
    "Uploads a function's source to the bucket as {scope}/{kind}/{id}{.ext} (with object metadata), then waits and"
            + " prints the build and the rollout with their durations, or the build.failed / deploy.failed reason.",
    "A folder is packed into a zip ({id}.zip; not .git/, __pycache__/, *.pyc, node_modules/, .venv/), the same bytes"
            + " for the same files, so a re-deploy of an unchanged folder is the same source to the builder."})
public final class DeployCommand extends PlatformCommand {

    @Parameters(index = "0", paramLabel = "FILE|DIR", description = "The function's source file, or its folder (packed into a zip).")
    Path path;

    @Option(names = "--id", description = "The function id (default: the file's or folder's name, e.g. parser for parser.py).")
    String id;

    @Option(names = "--scope", defaultValue = "global", description = "global (default) or a tenant id.")
    String scope;

    @Option(names = "--kind", defaultValue = "parser", description = "The function's kind (default parser).")
    String kind;

    @Option(names = "--metadata", paramLabel = "KEY=VALUE", description = "Object metadata: runtime, handler, min-scale, "
            + "max-scale, memory, cpu, timeout-seconds, container-concurrency, execution.")
    Map<String, String> metadata = new LinkedHashMap<>();

    @Option(names = "--timeout", defaultValue = "300", paramLabel = "SECONDS", description = "How long to wait (default 300).")
    long timeout;

    @Option(names = "--no-wait", description = "Upload and return.")
    boolean noWait;

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
