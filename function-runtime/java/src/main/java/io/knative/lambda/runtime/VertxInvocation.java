package io.knative.lambda.runtime;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * The HTTP transport of an invocation on Vert.x: receives POST /'s body within FUNCTION_MAX_BODY_BYTES, reads
 * headers and writes the answer. Everything else is in {@link Invocation}, which another transport could extend.
 */
final class VertxInvocation extends Invocation {

    private static final long DRAIN_EXTRA_BYTES = 8L * 1024 * 1024;

    private final RoutingContext ctx;

    private VertxInvocation(RoutingContext ctx, Invoker invoker, long start) {
        super(invoker, start);
        this.ctx = ctx;
    }

    /** POST /: checks the declared length, reads the body (413 past the limit), then hands the invocation over. */
    static void receive(RoutingContext ctx, Invoker invoker) {
        HttpServerRequest request = ctx.request();
        VertxInvocation inv = new VertxInvocation(ctx, invoker, System.nanoTime());
        invoker.active.incrementAndGet();
        FunctionConfig cfg = invoker.config;
        if (!invoker.ready || cfg == null) {
            inv.answerError(new HttpError(503, "NotReady", "the function is still loading", true));
            return;
        }
        inv.deadline = inv.start + TimeUnit.MILLISECONDS.toNanos(cfg.timeoutMs());
        String length = request.getHeader("Content-Length");
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0) {
                inv.answerError(new HttpError(400, "BadRequest", "invalid Content-Length", true));
                return;
            }
            if (n > cfg.maxBodyBytes()) {
                inv.answerError(invoker.tooLarge("the body has " + n + " bytes"));
                return;
            }
        }
        String coding = request.getHeader("Transfer-Encoding");
        if (coding != null && !coding.equalsIgnoreCase("chunked")) {
            // Netty would frame no body at all, and the body's bytes would be read as the next request
            inv.answerError(new HttpError(400, "BadRequest", "unsupported Transfer-Encoding (only chunked)", true));
            return;
        }
        Buffer body = Buffer.buffer(length != null ? Integer.parseInt(length.strip()) : 1024);
        request.handler(chunk -> {
            if (inv.state.get() != RECEIVING) {
                return;
            }
            if (body.length() + chunk.length() > cfg.maxBodyBytes()) {
                inv.answerError(invoker.tooLarge("the body is over the limit"));
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(e -> {
            inv.answerError(new HttpError(400, "BadRequest",
                    e instanceof HttpClosedException ? "the request broke off" : "malformed chunked body", true));
            HttpTransport.flushNow(request); // Vert.x closes the connection as soon as this handler returns
        });
        request.endHandler(v -> {
            if (inv.state.compareAndSet(RECEIVING, QUEUED)) {
                inv.body = body.getBytes();
                invoker.submit(inv);
            }
        });
        request.resume();
    }

    @Override
    String header(String name) {
        return ctx.request().getHeader(name);
    }

    @Override
    Iterable<Map.Entry<String, String>> headers() {
        return ctx.request().headers();
    }

    @Override
    void respond(int status, String contentType, String[] headers, byte[] out, boolean close) {
        HttpServerResponse response = ctx.response();
        if (headers != null) {
            for (int i = 0; i < headers.length; i += 2) {
                response.putHeader(headers[i], headers[i + 1]);
            }
        }
        response.putHeader("Content-Type", contentType).setStatusCode(status);
        // the bytes as a Buffer, without the copy Buffer.buffer(byte[]) makes
        Buffer buffer = Buffer.buffer(io.netty.buffer.Unpooled.wrappedBuffer(out));
        if (close) {
            response.putHeader("Connection", "close");
            HttpServerRequest request = ctx.request();
            response.end(buffer).onComplete(x -> closeAfterBody(request));
        } else {
            response.end(buffer);
        }
    }

    /**
     * Closes the connection once the client has sent the rest of its request (say, a body answered 413): closing with
     * bytes unread would reset the connection, and the client could lose the answer. At most 2 s and the body limit
     * plus 8 MiB are read and dropped.
     */
    private void closeAfterBody(HttpServerRequest request) {
        if (request.isEnded()) {
            request.connection().close();
            return;
        }
        FunctionConfig cfg = invoker.config;
        long bound = (cfg == null ? 0 : cfg.maxBodyBytes()) + DRAIN_EXTRA_BYTES;
        long[] dropped = {0};
        long timer = ctx.vertx().setTimer(2000, id -> request.connection().close());
        request.handler(chunk -> {
            dropped[0] += chunk.length();
            if (dropped[0] > bound) {
                request.connection().close();
            }
        });
        request.exceptionHandler(e -> request.connection().close());
        request.endHandler(v -> {
            ctx.vertx().cancelTimer(timer);
            request.connection().close();
        });
        request.resume();
    }
}
