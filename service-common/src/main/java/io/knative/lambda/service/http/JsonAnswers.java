package io.knative.lambda.service.http;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.events.ErrorResponse;
import io.vertx.ext.web.RoutingContext;

/** Error answers with the platform's JSON body {@code {"error", "message"}}, on a route or as raw bytes. */
public final class JsonAnswers {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonAnswers() {
    }

    /** Ends the exchange with {@code status} and {@code {"error": code, "message": message}}. */
    public static void error(RoutingContext ctx, int status, String code, String message) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(io.vertx.core.buffer.Buffer.buffer(body(code, message)));
    }

    /** 405 {@code MethodNotAllowed} with {@code Allow}: the route exists, for other methods. */
    public static void methodNotAllowed(RoutingContext ctx, String allow) {
        if (!ctx.response().ended() && !ctx.response().closed()) {
            ctx.response().putHeader("Allow", allow);
        }
        error(ctx, 405, "MethodNotAllowed", ctx.request().method().name() + " is not allowed on "
                + Sanitized.text(ctx.request().path(), 100) + "; use " + allow);
    }

    /** The stable code for an HTTP error status that has no more specific one. */
    public static String codeFor(int status) {
        return switch (status) {
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 408 -> "RequestTimeout";
            case 413 -> "PayloadTooLarge";
            case 414 -> "UriTooLong";
            case 415 -> "UnsupportedMediaType";
            case 431 -> "HeadersTooLarge";
            case 503 -> "Unavailable";
            case 505 -> "HttpVersionNotSupported";
            default -> status >= 500 ? "InternalError" : "BadRequest";
        };
    }

    /** A default message for {@link #codeFor}'s statuses. */
    public static String messageFor(int status) {
        return switch (status) {
            case 400 -> "the request is not valid HTTP (request line, URI or headers)";
            case 404 -> "nothing is served on this path";
            case 413 -> "the request body is too large";
            case 414 -> "the request line is too long";
            case 431 -> "the request headers are too large";
            default -> status >= 500 ? "unexpected failure; see the service log" : "the request was refused (" + status + ")";
        };
    }

    /** The JSON body as bytes. */
    public static byte[] body(String code, String message) {
        try {
            return MAPPER.writeValueAsBytes(new ErrorResponse(code, message));
        } catch (JsonProcessingException e) {
            return ("{\"error\":\"" + code + "\",\"message\":\"\"}").getBytes(StandardCharsets.UTF_8);
        }
    }
}
