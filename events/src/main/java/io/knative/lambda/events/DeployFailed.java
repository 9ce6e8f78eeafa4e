package io.knative.lambda.events;

/**
 * Data of {@code io.knative.lambda.deploy.failed}.
 *
 * @param functionId the function id
 * @param reason     a stable code: Knative's own condition reason or a {@link FailureReason} code
 * @param message    what went wrong, for a person
 * @param retryable  whether the same input may succeed later
 */
public record DeployFailed(String functionId, String reason, String message, boolean retryable) {
}
