package io.knative.lambda.service;

/**
 * A CloudEvent of a type the service does not handle: answered 400, which Knative does not retry
 * (404 would be retried and end in the dead-letter sink for nothing).
 */
public final class UnsupportedEventTypeException extends RuntimeException {

    private final String type;

    public UnsupportedEventTypeException(String type, String handled) {
        super("event type '" + type + "' is not handled here; this service handles " + handled);
        this.type = type;
    }

    public String type() {
        return type;
    }
}
