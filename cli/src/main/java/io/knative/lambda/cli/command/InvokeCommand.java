package io.knative.lambda.cli.command;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.CliException;
import io.knative.lambda.cli.Durations;
import io.knative.lambda.cli.Json;
import io.knative.lambda.cli.platform.EventSource;
import io.knative.lambda.cli.platform.Platform;
import io.knative.lambda.events.EventTypes;
import io.knative.lambda.events.TraceParent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code klambda invoke NAME [JSON|@file]}: an {@code io.knative.lambda.invoke} through the broker, and its answer. */
@Command(name = "invoke", mixinStandardHelpOptions = true, description = {
    "Calls a function through the broker (an io.knative.lambda.invoke event whose subject is the function's Service name, in a"
            + " new trace) and prints its answer (io.knative.lambda.response.success or .error).",
    "Exit 0 on success, 1 when the function answered with an error."})
public final class InvokeCommand extends PlatformCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "A Service name or function id.")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "JSON|@FILE", description = "The event data (default {}).")
    String data;

    @Option(names = "--timeout", defaultValue = "60", paramLabel = "SECONDS", description = "How long to wait for the answer.")
    long timeout;

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
