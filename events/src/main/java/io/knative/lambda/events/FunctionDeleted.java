package io.knative.lambda.events;

/**
 * Data of {@code io.knative.lambda.function.deleted}.
 *
 * @param functionId the function id
 * @param service    the Knative Service that was removed
 * @param namespace  its namespace
 */
public record FunctionDeleted(String functionId, String service, String namespace) {
}
