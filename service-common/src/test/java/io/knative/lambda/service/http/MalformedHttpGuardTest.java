package io.knative.lambda.service.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.impl.Http1xOrH2CHandler;

/**
 * The guard behind a real Netty HTTP/1.1 codec (as Vert.x sets it up), fed the bytes a hostile client
 * sends: every malformed request gets a JSON answer and a closed connection, never two responses.
 */
class MalformedHttpGuardTest {

    /** Stands for the server: records what reaches it, answers each request with {@link #answer} at its end. */
    private static final class App extends ChannelInboundHandlerAdapter {
        final List<Object> received = new ArrayList<>();
        HttpResponseStatus answer = HttpResponseStatus.OK;
        boolean answerAtHead;
        /** Set: requests are answered only when {@link #answerNow} is called (a slow handler). */
        ChannelHandlerContext later;
        boolean slow;

        void answerNow() {
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, answer);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            later.writeAndFlush(response);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            received.add(msg instanceof HttpObject ? msg.getClass().getSimpleName() : msg);
            if (answerAtHead && msg instanceof io.netty.handler.codec.http.HttpRequest) {
                ctx.writeAndFlush(new DefaultHttpResponse(HttpVersion.HTTP_1_1, answer));
            } else if (slow && msg instanceof LastHttpContent) {
                later = ctx;
            } else if (!answerAtHead && msg instanceof LastHttpContent) {
                DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, answer);
                response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                ctx.writeAndFlush(response);
            }
            ReferenceCountUtil.release(msg);
        }
    }

    private final App app = new App();

    private EmbeddedChannel connection() {
        return connection(app);
    }

    private static EmbeddedChannel connection(App server) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(MalformedHttpGuard.DECODER, new HttpRequestDecoder());
        channel.pipeline().addLast(MalformedHttpGuard.ENCODER, new HttpResponseEncoder());
        MalformedHttpGuard.install(channel.pipeline());
        channel.pipeline().addLast(server);
        return channel;
    }

    private static String send(EmbeddedChannel channel, String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        return written(channel);
    }

    private static String written(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        for (Object o; (o = channel.readOutbound()) != null;) {
            ByteBuf buf = (ByteBuf) o;
            out.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        return out.toString();
    }

    @Test
    void aChunkSizeThatIsNoHexNumberGetsA400WithAJsonBodyAndTheConnectionCloses() {
        EmbeddedChannel channel = connection();

        String response = send(channel, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("content-type: application/json")
                .contains("connection: close")
                .endsWith("{\"error\":\"BadRequest\",\"message\":\"malformed HTTP request body: a chunk size or"
                        + " Content-Length is not a number (Invalid character in chunk size)\"}");
        assertThat(channel.isOpen()).isFalse();
        assertThat(app.received).as("the server saw the head, never an end of the body").containsExactly("DefaultHttpRequest");
    }

    @Test
    void transferEncodingWithContentLengthIsRefusedBeforeTheServerSeesIt() {
        EmbeddedChannel channel = connection();

        String response = send(channel, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("\"error\":\"BadRequest\"")
                .contains("malformed HTTP request: ").contains("Transfer-Encoding");
        assertThat(app.received).isEmpty();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void badContentLengthsAndControlCharactersAre400WithJson() {
        for (String head : List.of("Content-Length: -5", "Content-Length: ten", "Content-Length: 2\r\nContent-Length: 3",
                "X-Note: a\u0001b")) {
            App fresh = new App();
            EmbeddedChannel channel = connection(fresh);

            String response = send(channel, "POST / HTTP/1.1\r\nHost: x\r\n" + head + "\r\n\r\n{}");

            assertThat(response).as(head).startsWith("HTTP/1.1 400 ").contains("{\"error\":\"BadRequest\"");
            assertThat(fresh.received).as(head).isEmpty();
        }
    }

    @Test
    void aTransferEncodingOtherThanChunkedAloneIsRefusedBeforeTheServerSeesIt() {
        for (String coding : List.of("Transfer-Encoding: xchunked", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
                "Transfer-Encoding: gzip, chunked")) {
            App fresh = new App();
            EmbeddedChannel channel = connection(fresh);

            String response = send(channel, "POST / HTTP/1.1\r\nHost: x\r\n" + coding + "\r\n\r\n2\r\n{}\r\n0\r\n\r\n");

            assertThat(response).as(coding).startsWith("HTTP/1.1 400 ").contains("Transfer-Encoding '")
                    .contains("send 'chunked' alone");
            assertThat(fresh.received).as(coding).isEmpty();
            assertThat(channel.isOpen()).isFalse();
        }
    }

    @Test
    void anHttpVersionOtherThan10And11Is505() {
        EmbeddedChannel channel = connection();

        assertThat(send(channel, "POST / HTTP/2.0\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"))
                .startsWith("HTTP/1.1 505 ").contains("\"error\":\"HttpVersionNotSupported\"");
        assertThat(app.received).isEmpty();
    }

    @Test
    void aMalformedRequestPipelinedBehindAGoodOneIsAnsweredAfterIt() {
        EmbeddedChannel channel = connection();

        String response = send(channel, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
                + "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\nHTTP/1.1 400 Bad Request\r\n")
                .endsWith("Content-Length value is not a number: ten\"}");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aMalformedRequestBehindOneStillBeingHandledWaitsForItsAnswerThenCloses() {
        app.slow = true;
        EmbeddedChannel channel = connection();

        String early = send(channel, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
                + "HELLO\r\n\r\n");
        app.answerNow();
        String response = written(channel);

        assertThat(early).isEmpty();
        assertThat(response).startsWith("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\nHTTP/1.1 400 Bad Request\r\n")
                .contains("\"error\":\"BadRequest\"");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void oversizedHeadersAre431AndAnOversizedRequestLine414() {
        EmbeddedChannel headers = connection(new App());
        EmbeddedChannel line = connection(new App());

        assertThat(send(headers, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n"))
                .startsWith("HTTP/1.1 431 ").contains("\"error\":\"HeadersTooLarge\"");
        assertThat(send(line, "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"))
                .startsWith("HTTP/1.1 414 ").contains("\"error\":\"UriTooLong\"");
    }

    @Test
    void aGoodRequestPassesAndItsAnswerIsUntouched() {
        EmbeddedChannel channel = connection();

        String response = send(channel, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");

        assertThat(response).isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void anErrorAnswerWithoutABodyGetsTheJsonBodyOfItsStatusExceptForHead() {
        app.answer = HttpResponseStatus.BAD_REQUEST;
        EmbeddedChannel channel = connection();

        String get = send(channel, "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n");
        String head = send(channel, "HEAD /%zz HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(get).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("content-type: application/json")
                .endsWith("{\"error\":\"BadRequest\",\"message\":\"the request is not valid HTTP (request line, URI or headers)\"}");
        assertThat(head).isEqualTo("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
    }

    @Test
    void aBodyThatBreaksAfterTheAnswerBeganClosesTheConnectionWithoutASecondResponse() {
        app.answerAtHead = true;
        EmbeddedChannel channel = connection();

        String response = send(channel, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n");

        assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").doesNotContain("400");
        assertThat(channel.isOpen()).isFalse();
    }

    /** Vert.x' detector, configuring the HTTP/1.x codec (and the app) the way the server does once it has decided. */
    private final class Detector extends Http1xOrH2CHandler {
        boolean h2c;

        @Override
        protected void configure(ChannelHandlerContext ctx, boolean h2c) {
            this.h2c = h2c;
            if (!h2c) {
                ctx.pipeline().addLast(MalformedHttpGuard.DECODER, new HttpRequestDecoder());
                ctx.pipeline().addLast(MalformedHttpGuard.ENCODER, new HttpResponseEncoder());
                ctx.pipeline().addLast(app);
            }
        }
    }

    @Test
    void anArmedConnectionIsGuardedFromItsFirstByteEvenWhenTheFirstRequestIsMalformed() {
        EmbeddedChannel channel = new EmbeddedChannel(new ConnectionArm(), new Detector());

        String response = send(channel, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 400 ").contains("Content-Length value is not a number");
        assertThat(channel.pipeline().get(ConnectionArm.class)).as("the arm steps out").isNull();
        assertThat(app.received).isEmpty();
    }

    @Test
    void anArmedConnectionServesHttp1RequestsWholeEvenWhenTheyArriveByteByByte() {
        EmbeddedChannel channel = new EmbeddedChannel(new ConnectionArm(), new Detector());

        StringBuilder response = new StringBuilder();
        for (char c : "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}".toCharArray()) {
            response.append(send(channel, String.valueOf(c)));
        }

        assertThat(response.toString()).isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
        assertThat(channel.pipeline().get(MalformedHttpGuard.class)).isNotNull();
    }

    @Test
    void anArmedConnectionThatSpeaksHttp2PriorKnowledgeGetsNoHttp1Guard() {
        Detector detector = new Detector();
        EmbeddedChannel channel = new EmbeddedChannel(new ConnectionArm(), detector);

        channel.writeInbound(Unpooled.copiedBuffer(Http1xOrH2CHandler.HTTP_2_PREFACE, StandardCharsets.ISO_8859_1));

        assertThat(detector.h2c).isTrue();
        assertThat(channel.pipeline().get(MalformedHttpGuard.class)).isNull();
        assertThat(channel.pipeline().get(ConnectionArm.class)).isNull();
    }
}
