package io.knative.lambda.builder.deps;

import java.io.IOException;

/**
 * Runs the builder's tools (pip, npm, node): on this host ({@link LocalToolRunner}, local mode) or in a tool sidecar of
 * the builder's pod ({@link SidecarToolRunner}, a cluster, where the builder's image has neither Python nor Node.js).
 */
public interface ToolRunner {

    /**
     * Runs {@code command} and waits for it, killing it at its deadline.
     *
     * @return whether it finished in time, its exit status and the tail of its output
     * @throws ToolUnavailableException the tool cannot be started or reached
     * @throws ToolRefusedException     the sidecar refused the command (not on its allow list)
     */
    ToolRun run(ToolCommand command) throws IOException, InterruptedException;

    /** Where the tool runs, for log lines: {@code "local"} or the sidecar's URL. */
    String describe();
}
