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
 * with {@code Content-Length}, a control character in a header, a chunk size that is no hex number — is
 * answered {@code 400 BadRequest}, {@code 414 UriTooLong} or {@code 431 HeadersTooLarge} with a JSON body
 * and the connection closed, where Vert.x answers an empty 400 or, inside a chunked body, closes without a
 * word. (2) An error answer that leaves without a body (Quarkus' URI check, a 503 while stopping) gets the
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
            refuse(ctx, cause, head);
            return;
        }
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
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

    private void refuse(ChannelHandlerContext ctx, Throwable cause, boolean head) {
        if (refused) {
            return;
        }
        refused = true;
        boolean answerable = !responseInProgress && unanswered.size() == (head ? 0 : 1);
        if (!answerable) {
            ctx.close();
            return;
        }
        HttpResponseStatus status = statusFor(cause);
        String why = describe(cause);
        String message = status == HttpResponseStatus.REQUEST_URI_TOO_LONG ? "the request line is too long: " + why
                : status == HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE ? "the request headers are too large: " + why
                : (head ? "malformed HTTP request: " : "malformed HTTP request body: ") + why;
        byte[] body = JsonAnswers.body(JsonAnswers.codeFor(status.code()), message);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
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
