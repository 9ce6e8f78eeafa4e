package io.knative.lambda.builder.core;

import io.knative.lambda.events.FailureReason;

/** The S3 server could not be reached or failed (5xx): transient, the broker retries. */
public final class SourceUnavailableException extends BuildException {

    public SourceUnavailableException(String endpoint, String detail, Throwable cause) {
        super(FailureReason.SOURCE_UNAVAILABLE, "S3 at " + endpoint + " is unavailable: " + detail, cause);
    }
}
