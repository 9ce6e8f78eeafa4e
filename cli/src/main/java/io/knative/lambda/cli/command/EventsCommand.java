package io.knative.lambda.cli.command;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.Args;
import io.knative.lambda.cli.CliException;
import io.knative.lambda.cli.Json;
import io.knative.lambda.cli.platform.EventSource;
import io.knative.lambda.cli.platform.Platform;

/** {@code klambda events}: what happened on the bus, newest last; {@code -f} keeps following. */
public final class EventsCommand extends PlatformCommand {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final String type;
    private final String function;
    private final int limit;
    private final boolean follow;

    public EventsCommand(Args args, PrintWriter out) {
        super(args, out);
        type = args.string("type");
        function = args.string("function");
        limit = args.integer("limit", 50);
        follow = args.flag("follow");
    }

    @Override
    int run(Platform platform) {
        if (limit < 1) {
            throw CliException.badInput("--limit must be at least 1");
        }
        String subject = function == null ? null : subjectOf(platform, function);
        try (EventSource source = platform.events()) {
            if (follow) {
                source.mark();
            }
            List<JsonNode> recent = source.recent(type, subject, limit);
            if (json() && !follow) {
                out().println(Json.pretty(recent));
                return 0;
            }
            recent.forEach(this::print);
            out().flush();
            while (follow && !Thread.currentThread().isInterrupted()) {
                for (JsonNode e : source.next(Duration.ofSeconds(1))) {
                    if ((type == null || EventView.type(e).startsWith(type)) && (subject == null
                            || subject.equals(EventView.subject(e)))) {
                        print(e);
                    }
                }
                out().flush();
            }
        }
        return 0;
    }

    private void print(JsonNode e) {
        if (json()) {
            out().println(Json.compact(e));
            return;
        }
        Instant at = EventView.time(e);
        out().printf("%s  %-42s  %-36s  %s%n", at == null ? "            " : CLOCK.format(at), EventView.type(e),
                EventView.subject(e), EventView.summary(e));
    }

    /** The function id of a Service name; a name that is no Service (a removed function, a failed build) as it is. */
    private static String subjectOf(Platform platform, String name) {
        try {
            return FunctionRef.find(platform, name).functionId();
        } catch (CliException notDeployed) {
            return name;
        }
    }
}
