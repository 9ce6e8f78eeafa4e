package io.knative.lambda.events;

/** A function whose extension or {@code runtime} metadata names no runtime the platform has. */
public final class UnsupportedRuntimeException extends Exception {

    public UnsupportedRuntimeException(String message) {
        super(message);
    }

    /** Always {@link FailureReason#UNSUPPORTED_RUNTIME}. */
    public FailureReason reason() {
        return FailureReason.UNSUPPORTED_RUNTIME;
    }
}
