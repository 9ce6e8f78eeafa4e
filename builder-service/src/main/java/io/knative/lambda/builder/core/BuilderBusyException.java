package io.knative.lambda.builder.core;

import io.knative.lambda.events.FailureReason;

/** Every build slot stayed taken for the whole queue timeout: transient, the broker retries later. */
public final class BuilderBusyException extends BuildException {

    public BuilderBusyException(int slots, long waitedMs) {
        super(FailureReason.INTERNAL_ERROR, "all " + slots + " build slots busy for " + waitedMs
                + " ms (klambda.build.max-concurrent); retry later");
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
