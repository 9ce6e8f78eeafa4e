package io.knative.lambda.cli.command;

import java.io.PrintWriter;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.Args;
import io.knative.lambda.cli.CliException;
import io.knative.lambda.cli.Json;
import io.knative.lambda.cli.platform.Bucket;
import io.knative.lambda.cli.platform.EventSource;
import io.knative.lambda.cli.platform.Platform;
import io.knative.lambda.events.EventTypes;

/** {@code klambda delete NAME}: removes the function's source from the bucket, which removes the function. */
public final class DeleteCommand extends PlatformCommand {

    private final String name;
    private final long timeout;

    public DeleteCommand(Args args, PrintWriter out) {
        super(args, out);
        name = args.positional(0);
        timeout = args.number("timeout", 120);
    }

    @Override
    int run(Platform platform) {
        FunctionRef fn = FunctionRef.find(platform, name);
        String key = fn.sourceKey();
        if (key == null) {
            throw new CliException(fn.service() + " names no source object (annotation io.knative.lambda/source)");
        }
        try (EventSource source = platform.events(); Bucket bucket = platform.bucket()) {
            source.mark();
            bucket.delete(key);
            JsonNode outcome = Waiting.until(source, Duration.ofSeconds(timeout), e -> fn.functionId().equals(EventView.subject(e))
                    && EventView.type(e).equals(EventTypes.FUNCTION_DELETED), e -> { }, "function.deleted for " + fn.service());
            if (json()) {
                out().println(Json.pretty(outcome));
            } else {
                out().println("deleted " + fn.service() + " (s3://" + bucket.name() + "/" + key + " removed, Service gone)");
            }
            return 0;
        }
    }
}
