package io.knative.lambda.service.http;

/** A request whose media type is no CloudEvent (or whose data is not a kind the receiver takes): answered 415. */
public final class UnsupportedMediaTypeException extends RuntimeException {

    public UnsupportedMediaTypeException(String message) {
        super(message);
    }
}
