package io.knative.lambda.builder.deps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * An external tool the builder started (npm, node) awaited with a deadline: killed when it overruns or the build is
 * interrupted, its output (redirected to a log file) read back, the last {@code maxOutput} bytes only.
 *
 * @param finished  whether it ended within the deadline
 * @param exitValue its exit status, or {@code -1} when it did not finish
 * @param output    the tail of its output
 */
public record ToolRun(boolean finished, int exitValue, String output) {

    /** Waits for {@code process}, whose output goes to {@code log}. */
    public static ToolRun await(Process process, Path log, Duration timeout, int maxOutput)
            throws IOException, InterruptedException {
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            kill(process);
            throw e;
        }
        if (!finished) {
            kill(process);
        }
        byte[] bytes = Files.exists(log) ? Files.readAllBytes(log) : new byte[0];
        int from = Math.max(0, bytes.length - maxOutput);
        return new ToolRun(finished, finished ? process.exitValue() : -1,
                new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8));
    }

    /** Kills the tool and whatever it started (npm's and pip's own children). */
    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Whether it finished with status 0. */
    public boolean succeeded() {
        return finished && exitValue == 0;
    }
}
