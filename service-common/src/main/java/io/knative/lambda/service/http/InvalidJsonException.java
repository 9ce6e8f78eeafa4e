package io.knative.lambda.service.http;

/** JSON that {@link StrictJson} refuses; the message says why ("it is nested deeper than 1000 levels"). */
public final class InvalidJsonException extends RuntimeException {

    public InvalidJsonException(String why) {
        super(why);
    }
}
