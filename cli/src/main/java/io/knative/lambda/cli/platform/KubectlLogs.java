package io.knative.lambda.cli.platform;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.knative.lambda.cli.CliException;

/**
 * A cluster's function logs: the pods of the function's revisions, as
 * {@code kubectl logs -l serving.knative.dev/service=NAME -c user-container --prefix} shows them (Knative names the
 * function's container {@code user-container}); a scaled-to-zero function has no pod and so no lines.
 */
final class KubectlLogs implements FunctionLogs {

    private final String context;
    private final String namespace;

    KubectlLogs(String context, String namespace) {
        this.context = context;
        this.namespace = namespace;
    }

    @Override
    public void print(String service, List<String> revisions, Instant since, boolean follow, Consumer<LogLine> out) {
        List<String> args = new ArrayList<>(List.of("logs", "-l", "serving.knative.dev/service=" + service, "-c",
                "user-container", "--prefix", "--tail=-1", "--max-log-requests=20"));
        if (since != null) {
            args.add("--since=" + Math.max(1, Duration.between(since, Instant.now()).toSeconds()) + "s");
        }
        if (follow) {
            args.add("--follow");
        }
        List<String> command = KubectlFunctions.command(context, namespace, args.toArray(String[]::new));
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null;) {
                    int close = line.startsWith("[") ? line.indexOf("] ") : -1;
                    out.accept(close > 0 ? new LogLine(line.substring(1, close), line.substring(close + 2))
                            : new LogLine(service, line));
                }
            }
            if (p.waitFor() != 0) {
                throw new CliException("kubectl logs (context " + context + ") failed with exit " + p.exitValue());
            }
        } catch (IOException e) {
            throw new CliException("cannot run kubectl (" + e.getMessage() + "): install it (make tools) or set KUBECTL");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
