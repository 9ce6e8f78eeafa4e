package io.knative.lambda.builder.core;

import io.knative.lambda.events.FailureReason;

/** Dependencies that cannot be installed, resolved, or fetched now (retryable); knows the package when one is to blame. */
public final class DependencyException extends BuildException {

    private final String dependency;

    /** @param dependency the package or coordinate at fault, or {@code null} for the set as a whole */
    public DependencyException(FailureReason reason, String dependency, String message, Throwable cause) {
        super(reason, message, cause);
        this.dependency = dependency;
    }

    public String dependency() {
        return dependency;
    }
}
