package io.knative.lambda.builder.deps;

import java.io.IOException;

/** A tool could not be started (not installed here) or its sidecar not reached (not up yet, busy): {@code transientFailure} says which. */
public final class ToolUnavailableException extends IOException {

    private final String tool;
    private final boolean transientFailure;

    public ToolUnavailableException(String tool, boolean transientFailure, String message, Throwable cause) {
        super(message, cause);
        this.tool = tool;
        this.transientFailure = transientFailure;
    }

    /** The tool asked for ({@code pip}, {@code npm}, {@code node}). */
    public String tool() {
        return tool;
    }

    /** Whether a later try may succeed (a sidecar starting or busy), rather than the tool missing from this builder. */
    public boolean transientFailure() {
        return transientFailure;
    }
}
