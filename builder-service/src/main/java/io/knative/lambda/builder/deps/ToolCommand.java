package io.knative.lambda.builder.deps;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One run of a build tool: which tool ({@code pip}, {@code npm}, {@code node}: a {@link ToolRunner} knows how to start
 * it), its arguments, the directory it runs in, the environment it gets on top of a clean one (secrets such as the
 * index's credentials go here, never into {@code args}), how long it may take and how much of its output comes back.
 */
public record ToolCommand(String tool, List<String> args, Path dir, Map<String, String> env, Duration timeout, int maxOutput) {

    public ToolCommand {
        args = List.copyOf(args);
        env = Map.copyOf(env);
    }
}
