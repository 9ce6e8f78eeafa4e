package io.knative.lambda.runtime;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The Java runtime's HTTP servers, owned here rather than by Quarkus so that a request Netty cannot parse (a
 * malformed request line or header, a bad Content-Length, Transfer-Encoding together with Content-Length) gets the
 * JSON BadRequest body of every other error instead of Vert.x' empty 400: one Vert.x server per event loop, all on
 * the port, in front of the routes.
 */
final class HttpTransport {

    /** The header limit Quarkus' own server had (quarkus.http.limits.max-header-size): beyond it, 431. */
    private static final int MAX_HEADER_BYTES = 20 * 1024;

    private HttpTransport() {
    }

    /** Listens on HOST:PORT with {@code routes} as the request handler; returns once every server listens. */
    static void listen(Vertx vertx, FunctionConfig config, Handler<HttpServerRequest> routes)
            throws InterruptedException, ExecutionException, TimeoutException {
        HttpServerOptions options = new HttpServerOptions().setHost(config.host()).setPort(config.port())
                // clients that send Expect: 100-continue (curl, for large bodies) would otherwise wait a second
                .setHandle100ContinueAutomatically(true)
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.idleMs())).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setMaxHeaderSize(MAX_HEADER_BYTES)
                .setReuseAddress(true);
        vertx.deployVerticle(() -> new AbstractVerticle() {
            @Override
            public void start(Promise<Void> started) {
                vertx.createHttpServer(options).requestHandler(routes).invalidRequestHandler(HttpTransport::invalid)
                        .listen().<Void>mapEmpty().onComplete(started);
            }
        }, new DeploymentOptions().setInstances(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    /** A request Netty could not parse: 400 (414, 431 for a line or headers too long) with the JSON body, then close. */
    static void invalid(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        int status = 400;
        String message;
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            message = "request line too long";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            message = "request headers too large";
        } else {
            message = describe(cause);
        }
        request.response().setStatusCode(status).putHeader("Content-Type", CloudEvents.JSON).putHeader("Connection", "close")
                .end("{\"error\":\"BadRequest\",\"message\":\"" + message + "\"}")
                .onComplete(x -> request.connection().close());
    }

    /** What was wrong, in our words (Netty's messages quote the request, and a response never echoes it). */
    private static String describe(Throwable cause) {
        String text = cause == null || cause.getMessage() == null ? "" : cause.getMessage();
        if (cause instanceof io.netty.handler.codec.http.ContentLengthNotAllowedException) {
            return "Transfer-Encoding together with Content-Length";
        } else if (text.contains("Content-Length")) {
            return "invalid Content-Length";
        } else if (text.contains("header") || text.contains("Header")) {
            return "malformed header line";
        }
        return "malformed request line";
    }

    /**
     * Sends what has been written on the request's connection now. Vert.x closes a connection at once when a body
     * cannot be decoded (a bad chunk size), right after the request's exception handler ran: without this the
     * handler's 400 would still sit unflushed in the connection's buffer (Vert.x flushes after each read).
     */
    static void flushNow(HttpServerRequest request) {
        if (request.connection() instanceof ConnectionBase connection) {
            connection.channelHandlerContext().flush();
        }
    }
}
