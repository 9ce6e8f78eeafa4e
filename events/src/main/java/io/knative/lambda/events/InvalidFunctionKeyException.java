package io.knative.lambda.events;

/** An S3 key that does not name a function by the rules of {@link FunctionKey}; knows the key and why. */
public final class InvalidFunctionKeyException extends Exception {

    private final String key;
    private final FailureReason reason;

    public InvalidFunctionKeyException(String key, FailureReason reason, String message) {
        super(message);
        this.key = key;
        this.reason = reason;
    }

    /** The refused key, as received. */
    public String key() {
        return key;
    }

    /** {@link FailureReason#INVALID_FUNCTION_ID} or {@link FailureReason#FUNCTION_NAME_TOO_LONG}. */
    public FailureReason reason() {
        return reason;
    }
}
