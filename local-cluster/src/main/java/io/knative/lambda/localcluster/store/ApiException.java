package io.knative.lambda.localcluster.store;

/**
 * A refused API call, as the Kubernetes API reports it: the HTTP code, the {@code Status} reason
 * ({@code NotFound}, {@code AlreadyExists}, {@code Conflict}, {@code Invalid}, {@code BadRequest}, ...)
 * and a message naming the object.
 */
public final class ApiException extends RuntimeException {

    private final int code;
    private final String reason;
    private final String name;
    private final ResourceType type;

    public ApiException(int code, String reason, String message, ResourceType type, String name) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.type = type;
        this.name = name;
    }

    /** 404: {@code services.serving.knative.dev "x" not found}. */
    public static ApiException notFound(ResourceType type, String name) {
        return new ApiException(404, "NotFound", type.qualifiedName() + " \"" + name + "\" not found", type, name);
    }

    /** 409 AlreadyExists on create. */
    public static ApiException alreadyExists(ResourceType type, String name) {
        return new ApiException(409, "AlreadyExists", type.qualifiedName() + " \"" + name + "\" already exists", type,
                name);
    }

    /** 409 Conflict: the write carried a stale {@code metadata.resourceVersion}. */
    public static ApiException conflict(ResourceType type, String name) {
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + type.qualifiedName() + " \"" + name
                + "\": the object has been modified; please apply your changes to the latest version and try again",
                type, name);
    }

    /** 422 Invalid: the object breaks a rule of its kind. */
    public static ApiException invalid(ResourceType type, String name, String detail) {
        return new ApiException(422, "Invalid", type.kind() + "." + type.group() + " \"" + name + "\" is invalid: "
                + detail, type, name);
    }

    /** 400 BadRequest. */
    public static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message, null, null);
    }

    /** The HTTP status code. */
    public int code() {
        return code;
    }

    /** The {@code Status.reason}. */
    public String reason() {
        return reason;
    }

    /** The object's name, or {@code null}. */
    public String name() {
        return name;
    }

    /** The object's kind, or {@code null}. */
    public ResourceType type() {
        return type;
    }
}
