package io.knative.lambda.events;

/**
 * The JSON body of every error answer on the platform's HTTP surfaces and the data of
 * {@code io.knative.lambda.response.error}.
 *
 * @param error   a stable code, e.g. {@code InvalidEvent}
 * @param message what went wrong, for a person; never a stack trace
 */
public record ErrorResponse(String error, String message) {
}
