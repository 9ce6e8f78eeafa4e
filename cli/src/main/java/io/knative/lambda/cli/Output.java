package io.knative.lambda.cli;

/** How a command prints: for a person (aligned columns, one line per step) or as JSON for scripts. */
public enum Output {
    HUMAN, JSON
}
