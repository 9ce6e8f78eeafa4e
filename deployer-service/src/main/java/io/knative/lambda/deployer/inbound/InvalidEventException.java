package io.knative.lambda.deployer.inbound;

/** A request that is not a valid CloudEvent (a required attribute missing, bad JSON, no S3 record): answered 400. */
public final class InvalidEventException extends RuntimeException {

    public InvalidEventException(String message) {
        super(message);
    }
}
