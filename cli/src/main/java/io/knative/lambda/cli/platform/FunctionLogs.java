package io.knative.lambda.cli.platform;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/** A function's log lines: the files local mode keeps per revision, or on a cluster its pods' logs (kubectl). */
public interface FunctionLogs {

    /**
     * Writes the lines of {@code service}'s {@code revisions} newer than {@code since} (null: all) to {@code out},
     * each with the revision it came from; with {@code follow}, keeps writing new lines until interrupted.
     */
    void print(String service, List<String> revisions, Instant since, boolean follow, Consumer<LogLine> out);

    /** One line of a revision's log. */
    record LogLine(String revision, String text) {
    }
}
