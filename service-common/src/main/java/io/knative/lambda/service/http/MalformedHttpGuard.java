package io.knative.lambda.service.http;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Deque;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * The platform's JSON error for HTTP/1.x that the framework answers on its own. (1) What the decoder
 * cannot read — a bad request line, a bad or doubled {@code Content-Length}, {@code Transfer-Encoding}
 * with {@code Content-Length}, a control character in a header, a chunk size that is no hex number — and
 * what it reads too leniently ({@link HttpFraming}: a {@code Transfer-Encoding} other than {@code chunked}
 * alone, an HTTP version other than 1.0 and 1.1) is answered {@code 400 BadRequest}, {@code 414 UriTooLong},
 * {@code 431 HeadersTooLarge} or {@code 505} with a JSON body and the connection closed, where Vert.x
 * answers an empty 400, reads the request anyway or, inside a chunked body, closes without a word. (2) An error answer that leaves without a body (Quarkus' URI check, a 503 while stopping) gets the
 * JSON body of its status. Sits right behind the HTTP codec of one connection ({@link #install}) and keeps
 * count of requests in and responses out, so that it never starts a response on top of another.
 */
public final class MalformedHttpGuard extends ChannelDuplexHandler {

    /** The handler's name in a connection's pipeline. */
    public static final String NAME = "klambda-malformed-http";
    static final String DECODER = "httpDecoder";
    static final String ENCODER = "httpEncoder";

    /** Methods of the requests read whose response has not been written completely, oldest first. */
    private final Deque<HttpMethod> unanswered = new ArrayDeque<>();
    private boolean responseInProgress;
    private boolean refused;
    /** The answer to a malformed head that arrived behind requests still being answered: sent after them. */
    private FullHttpResponse deferred;

    /** Puts a guard behind the HTTP/1.x codec of a connection's pipeline; nothing when it has one or no codec. */
    public static void install(ChannelPipeline pipeline) {
        if (pipeline.get(NAME) != null) {
            return;
        }
        String after = pipeline.get(ENCODER) != null ? ENCODER : pipeline.get(DECODER) != null ? DECODER : null;
        if (after == null) {
            return;
        }
        try {
            pipeline.addAfter(after, NAME, new MalformedHttpGuard());
        } catch (IllegalArgumentException | java.util.NoSuchElementException raced) {
            // installed by another path meanwhile, or the connection is being torn down
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpObject http && http.decoderResult().isFailure()) {
            Throwable cause = http.decoderResult().cause();
            boolean head = msg instanceof HttpRequest;
            ReferenceCountUtil.release(msg);
            refuse(ctx, statusFor(cause), (head ? "malformed HTTP request: " : "malformed HTTP request body: ")
                    + describe(cause), head);
            return;
        }
        if (refused || deferred != null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            String why = HttpFraming.problem(request);
            if (why != null) {
                ReferenceCountUtil.release(msg);
                refuse(ctx, why.startsWith(HttpFraming.VERSION) ? HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED
                        : HttpResponseStatus.BAD_REQUEST, "malformed HTTP request: " + why, true);
                return;
            }
            unanswered.addLast(request.method());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (refused) {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new ClosedChannelException());
            return;
        }
        Object out = msg;
        if (msg instanceof HttpResponse response && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            responseInProgress = true;
            if (msg instanceof FullHttpResponse full) {
                out = withJsonBody(full);
            }
        }
        if (msg instanceof LastHttpContent && responseInProgress) {
            responseInProgress = false;
            unanswered.pollFirst();
        }
        super.write(ctx, out, promise);
        if (deferred != null && unanswered.isEmpty() && !responseInProgress) {
            FullHttpResponse refusal = deferred;
            deferred = null;
            refused = true;
            ctx.writeAndFlush(refusal).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** An error response without a body, for anything but HEAD, gets the JSON body of its status. */
    private FullHttpResponse withJsonBody(FullHttpResponse response) {
        int status = response.status().code();
        if (status < 400 || response.content().isReadable() || response.headers().contains(HttpHeaderNames.CONTENT_TYPE)
                || HttpMethod.HEAD.equals(unanswered.peekFirst())) {
            return response;
        }
        byte[] body = JsonAnswers.body(JsonAnswers.codeFor(status), JsonAnswers.messageFor(status));
        FullHttpResponse json = new DefaultFullHttpResponse(response.protocolVersion(), response.status(),
                Unpooled.wrappedBuffer(body), response.headers().copy(), response.trailingHeaders().copy());
        json.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json").setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        response.release();
        return json;
    }

    /**
     * Answers a request that cannot be read and closes the connection; nothing more is read from it. A
     * malformed head behind requests still being answered gets its answer after theirs; a body that breaks
     * after its request's answer began only closes the connection.
     */
    private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String message, boolean head) {
        if (refused || deferred != null) {
            return;
        }
        String text = status == HttpResponseStatus.REQUEST_URI_TOO_LONG ? message.replace("malformed HTTP request: ",
                "the request line is too long: ")
                : status == HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE ? message.replace("malformed HTTP request: ",
                        "the request headers are too large: ") : message;
        byte[] body = JsonAnswers.body(JsonAnswers.codeFor(status.code()), text);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (head && (responseInProgress || !unanswered.isEmpty())) {
            deferred = response;
            ctx.channel().config().setAutoRead(false);
            return;
        }
        refused = true;
        if (responseInProgress || unanswered.size() != (head ? 0 : 1)) {
            response.release();
            ctx.close();
            return;
        }
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    static HttpResponseStatus statusFor(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }

    private static String describe(Throwable cause) {
        if (cause == null) {
            return "unreadable";
        }
        if (cause instanceof NumberFormatException) {
            return "a chunk size or Content-Length is not a number (" + Sanitized.text(cause.getMessage(), 80) + ")";
        }
        String text = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return Sanitized.text(text, 160);
    }
}
