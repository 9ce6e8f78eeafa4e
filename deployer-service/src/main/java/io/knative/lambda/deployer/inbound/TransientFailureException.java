package io.knative.lambda.deployer.inbound;

import io.knative.lambda.deployer.core.ClusterUnavailableException;

/** Carries a {@link ClusterUnavailableException} out of Funqy so that the failure handler answers 503. */
public final class TransientFailureException extends RuntimeException {

    private final ClusterUnavailableException failure;

    public TransientFailureException(ClusterUnavailableException failure) {
        super(failure.getMessage(), failure);
        this.failure = failure;
    }

    /** The API failure. */
    public ClusterUnavailableException failure() {
        return failure;
    }
}
