package io.knative.lambda.events;

/**
 * Data of {@code io.knative.lambda.build.failed}.
 *
 * @param functionId the function id, or {@code null} when the key names none
 * @param bucket     the S3 bucket
 * @param key        the S3 key
 * @param reason     a stable {@link FailureReason} code
 * @param message    what went wrong, for a person
 * @param retryable  whether the same input may succeed later
 */
public record BuildFailed(String functionId, String bucket, String key, String reason, String message, boolean retryable) {

    /** A failure with the reason's own retry policy. */
    public static BuildFailed of(String functionId, String bucket, String key, FailureReason reason, String message) {
        return new BuildFailed(functionId, bucket, key, reason.code(), message, reason.retryable());
    }
}
