package io.knative.lambda.deployer.core;

/** The API server answered 409: the object exists (create) or changed since it was read (update). */
public final class ConflictException extends RuntimeException {

    private final String kind;
    private final String name;

    public ConflictException(String kind, String name, String message, Throwable cause) {
        super("409 conflict on " + kind + " " + name + ": " + message, cause);
        this.kind = kind;
        this.name = name;
    }

    /** The object's kind, e.g. {@code Service}. */
    public String kind() {
        return kind;
    }

    /** The object's name. */
    public String name() {
        return name;
    }
}
