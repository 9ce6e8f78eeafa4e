package io.knative.lambda.builder.deps;

import java.io.IOException;

/** A tool sidecar refused a command (wrong token, not on its allow list, a path outside its work directory). */
public final class ToolRefusedException extends IOException {

    private final int status;
    private final String code;

    public ToolRefusedException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    /** The sidecar's HTTP status. */
    public int status() {
        return status;
    }

    /** The sidecar's error code, e.g. {@code CommandNotAllowed}, {@code PathNotAllowed}, {@code Unauthorized}. */
    public String code() {
        return code;
    }
}
