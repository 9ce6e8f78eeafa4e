package io.knative.lambda.service;

/** A request that is not a valid CloudEvent (a required attribute missing, bad JSON): answered 400. */
public final class InvalidEventException extends RuntimeException {

    public InvalidEventException(String message) {
        super(message);
    }
}
