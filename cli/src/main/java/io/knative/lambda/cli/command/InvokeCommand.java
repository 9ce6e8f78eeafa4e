package io.knative.lambda.cli.command;

import java.io.PrintWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.Args;
import io.knative.lambda.cli.CliException;
import io.knative.lambda.cli.Durations;
import io.knative.lambda.cli.Json;
import io.knative.lambda.cli.platform.EventSource;
import io.knative.lambda.cli.platform.Platform;
import io.knative.lambda.events.EventTypes;
import io.knative.lambda.events.TraceParent;

/** {@code klambda invoke NAME [JSON|@file]}: an {@code io.knative.lambda.invoke} through the broker, and its answer. */
public final class InvokeCommand extends PlatformCommand {

    private final String name;
    private final String data;
    private final long timeout;

    public InvokeCommand(Args args, PrintWriter out) {
        super(args, out);
        name = args.positional(0);
        data = args.positional(1);
        timeout = args.number("timeout", 60);
    }

    @Override
    int run(Platform platform) {
        JsonNode body = Json.parse(text(data), data != null && data.startsWith("@") ? data.substring(1) : "the event data");
        FunctionRef fn = FunctionRef.find(platform, name);
        TraceParent trace = TraceParent.start();
        long started = System.nanoTime();
        try (EventSource source = platform.events()) {
            source.mark();
            String id = platform.broker().publish(EventTypes.INVOKE, fn.service(),
                    Json.compact(body).getBytes(StandardCharsets.UTF_8), trace.header());
            JsonNode answer = Waiting.until(source, Duration.ofSeconds(timeout), e -> EventView.type(e).startsWith(
                    "io.knative.lambda.response.") && (id.equals(e.path("knativelambdainvokeid").asText())
                            || trace.traceId().equals(EventView.traceId(e))), e -> { }, "answer from " + fn.service());
            boolean ok = EventView.type(answer).equals(EventTypes.RESPONSE_SUCCESS);
            if (json()) {
                out().println(Json.pretty(answer));
            } else {
                out().println(EventView.type(answer) + " in " + Durations.human((System.nanoTime() - started) / 1_000_000)
                        + " (event " + answer.path("id").asText() + ", trace " + trace.traceId() + ")");
                out().println(Json.pretty(answer.path("data")));
            }
            return ok ? 0 : 1;
        }
    }

    /** The JSON text: the argument, the file it names with {@code @}, or {@code {}}. */
    static String text(String argument) {
        if (argument == null) {
            return "{}";
        }
        if (!argument.startsWith("@")) {
            return argument;
        }
        Path file = Path.of(argument.substring(1));
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw CliException.badInput("no such file: " + file);
        } catch (IOException e) {
            throw CliException.badInput("cannot read " + file + ": " + e.getMessage());
        }
    }
}
