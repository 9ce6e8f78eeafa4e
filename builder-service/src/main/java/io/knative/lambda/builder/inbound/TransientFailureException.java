package io.knative.lambda.builder.inbound;

import io.knative.lambda.builder.core.BuildException;

/** Carries a transient {@link BuildException} out of Funqy so that the failure handler answers 503. */
public final class TransientFailureException extends RuntimeException {

    private final BuildException failure;

    public TransientFailureException(BuildException failure) {
        super(failure.getMessage(), failure);
        this.failure = failure;
    }

    public BuildException failure() {
        return failure;
    }
}
