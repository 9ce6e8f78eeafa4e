package io.knative.lambda.service;

/**
 * A failure that may pass (a dependency unreachable or failing): answered 503 with {@code Retry-After}
 * over HTTP, retried with backoff then dead-lettered on Kafka.
 */
public final class TransientFailureException extends RuntimeException {

    private final String code;

    /** @param code a stable reason code, e.g. {@code RegistryUnavailable} */
    public TransientFailureException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
