package io.knative.lambda.runtime;

/** An answer other than 200: HTTP status, stable error code, message for a person (never a trace). */
final class HttpError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int status;
    final String code;
    final boolean close;

    HttpError(int status, String code, String message) {
        this(status, code, message, false);
    }

    HttpError(int status, String code, String message, boolean close) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.close = close;
    }
}
