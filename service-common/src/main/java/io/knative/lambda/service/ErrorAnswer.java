package io.knative.lambda.service;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.knative.lambda.events.ErrorResponse;
import io.knative.lambda.events.FailureReason;

/**
 * The HTTP answer to a failure on a service's CloudEvent surface, decided from the failure alone: 400 for a
 * malformed CloudEvent or a type the service does not handle (not retried), 415 for a media type that is no
 * CloudEvent, 503 with {@code Retry-After} for a transient failure (retried with backoff), 500 for a bug.
 *
 * @param status     the HTTP status
 * @param body       the JSON body {@code {"error", "message"}}; never a stack trace or an exception's own text
 *                   for a 500
 * @param retryAfter whether to send {@code Retry-After} ({@link #RETRY_AFTER_SECONDS})
 */
public record ErrorAnswer(int status, ErrorResponse body, boolean retryAfter) {

    /** The {@code Retry-After} of a 503, in seconds. */
    public static final String RETRY_AFTER_SECONDS = "5";

    /**
     * The answer to {@code failure} (or, when it is {@code null}, to the status the router set).
     *
     * @param failure     what the route failed with, or {@code null}
     * @param routeStatus the status the router failed the request with (406, 413, 404...), or -1
     * @param contentType the request's {@code Content-Type}, or {@code null}
     */
    public static ErrorAnswer of(Throwable failure, int routeStatus, String contentType) {
        Throwable known = unwrap(failure);
        if (known instanceof TransientFailureException t) {
            return new ErrorAnswer(503, new ErrorResponse(t.code(), t.getMessage()), true);
        }
        if (known instanceof InvalidEventException) {
            return badRequest(FailureReason.INVALID_EVENT.code(), known.getMessage());
        }
        if (known instanceof UnsupportedEventTypeException) {
            return badRequest("UnsupportedEventType", known.getMessage());
        }
        if (known instanceof JsonProcessingException json) {
            return badRequest(FailureReason.INVALID_EVENT.code(), "the body is not valid JSON: " + json.getOriginalMessage());
        }
        if (known instanceof NullPointerException && contentType != null
                && contentType.startsWith("application/cloudevents+json")) {
            // Funqy dereferences 'type' and 'specversion' of a structured event before any code of ours runs.
            return badRequest(FailureReason.INVALID_EVENT.code(),
                    "the structured CloudEvent lacks required attribute type or specversion");
        }
        if (known == null && routeStatus == 406) {
            return new ErrorAnswer(415, new ErrorResponse("UnsupportedMediaType", "send a CloudEvent: binary mode (ce-*"
                    + " headers, JSON body) or structured mode (Content-Type: application/cloudevents+json)"), false);
        }
        if (known == null && routeStatus >= 400 && routeStatus < 500) {
            return new ErrorAnswer(routeStatus, new ErrorResponse(
                    routeStatus == 413 ? "PayloadTooLarge" : routeStatus == 404 ? "NotFound" : "BadRequest",
                    routeStatus == 413 ? "the request body is too large" : "the request was refused (" + routeStatus + ")"),
                    false);
        }
        return new ErrorAnswer(500, new ErrorResponse(FailureReason.INTERNAL_ERROR.code(),
                "unexpected failure; see the service log"), false);
    }

    private static ErrorAnswer badRequest(String code, String message) {
        return new ErrorAnswer(400, new ErrorResponse(code, message), false);
    }

    /** The first failure in the cause chain that has an answer of its own, else the failure itself. */
    static Throwable unwrap(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof TransientFailureException || c instanceof InvalidEventException
                    || c instanceof UnsupportedEventTypeException || c instanceof JsonProcessingException) {
                return c;
            }
        }
        return t;
    }
}
