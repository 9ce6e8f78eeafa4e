package io.knative.lambda.cli.command;

import java.time.Duration;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.CliException;
import io.knative.lambda.cli.platform.EventSource;

/** Waits on the platform's events (after {@link EventSource#mark}) for the one that answers what a command asked. */
final class Waiting {

    private Waiting() {
    }

    /** Hands each new event to {@code seen} until one satisfies {@code done} (returned); a {@link CliException} after {@code timeout}. */
    static JsonNode until(EventSource source, Duration timeout, Predicate<JsonNode> done,
            java.util.function.Consumer<JsonNode> seen, String waitingFor) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            for (JsonNode e : source.next(Duration.ofMillis(Math.max(1, Math.min(1000, (deadline - System.nanoTime()) / 1_000_000))))) {
                seen.accept(e);
                if (done.test(e)) {
                    return e;
                }
            }
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
        }
        throw new CliException("no " + waitingFor + " within " + timeout.toSeconds() + " s (klambda events -f shows what "
                + "is happening; --timeout waits longer)");
    }
}
