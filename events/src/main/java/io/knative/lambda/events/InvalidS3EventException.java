package io.knative.lambda.events;

/** An S3 notification or AWS-S3 CloudEvent that cannot be read; the message says what is wrong. */
public final class InvalidS3EventException extends Exception {

    public InvalidS3EventException(String message) {
        super(message);
    }

    public InvalidS3EventException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Always {@link FailureReason#INVALID_EVENT}. */
    public FailureReason reason() {
        return FailureReason.INVALID_EVENT;
    }
}
