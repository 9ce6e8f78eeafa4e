package io.knative.lambda.deployer.core;

/**
 * The Kubernetes API failed in a way a retry may fix (unreachable, 5xx, 429, a forbidden verb after an
 * RBAC change): the event is answered 503 so that the broker redelivers it.
 */
public final class ClusterUnavailableException extends RuntimeException {

    private final String operation;
    private final int status;

    public ClusterUnavailableException(String operation, int status, String message, Throwable cause) {
        super(operation + " failed" + (status > 0 ? " (HTTP " + status + ")" : "") + ": " + message, cause);
        this.operation = operation;
        this.status = status;
    }

    /** What was attempted, e.g. {@code update Service parser-x}. */
    public String operation() {
        return operation;
    }

    /** The API server's HTTP status, 0 when it did not answer. */
    public int status() {
        return status;
    }
}
