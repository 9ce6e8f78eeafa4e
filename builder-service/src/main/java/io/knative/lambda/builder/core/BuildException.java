package io.knative.lambda.builder.core;

import io.knative.lambda.events.FailureReason;

/**
 * A build that cannot finish, with the stable reason code it is reported under. Permanent ones become
 * {@code build.failed}; {@link #retryable()} ones are answered with 503 so that the broker retries.
 */
public class BuildException extends Exception {

    private final FailureReason reason;

    public BuildException(FailureReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public BuildException(FailureReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public FailureReason reason() {
        return reason;
    }

    /** Whether the same event may succeed later without anyone changing the input. */
    public boolean retryable() {
        return reason.retryable();
    }
}
