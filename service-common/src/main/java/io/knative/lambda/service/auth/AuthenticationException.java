package io.knative.lambda.service.auth;

/**
 * A request that is refused before any work: 401 (no token, or one that is not valid), 403 (a valid token of a
 * caller or audience this service does not accept) or 503 (the issuer's keys cannot be fetched now); carries the
 * status and the stable code of the JSON answer. The message never holds the token.
 */
public final class AuthenticationException extends Exception {

    private final int status;
    private final String code;

    public AuthenticationException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    /** 401 {@code Unauthorized}. */
    public static AuthenticationException unauthorized(String message) {
        return new AuthenticationException(401, "Unauthorized", message);
    }

    /** 403 {@code Forbidden}. */
    public static AuthenticationException forbidden(String message) {
        return new AuthenticationException(403, "Forbidden", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
