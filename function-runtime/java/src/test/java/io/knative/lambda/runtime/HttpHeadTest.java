package io.knative.lambda.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Unit tests of the Java runtime's HTTP/1.1 framing: request heads, chunked bodies and Content-Length values. */
class HttpHeadTest {

    private static HttpInput input(String raw) {
        return new HttpInput(new ByteArrayInputStream(raw.getBytes(StandardCharsets.ISO_8859_1)));
    }

    /** A stream that hands out one byte per read, as a slow client would send it. */
    private static HttpInput trickle(String raw) {
        byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
        return new HttpInput(new InputStream() {
            private int at;

            @Override
            public int read() {
                return at < bytes.length ? bytes[at++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (at >= bytes.length) {
                    return -1;
                }
                b[off] = bytes[at++];
                return 1;
            }
        });
    }

    @Test
    void aHeadIsReadWithHeadersInLowerCaseRepeatsJoinedAndTheQueryLeftOutOfTheRoute() throws Exception {
        HttpHead head = HttpHead.read(trickle("POST /?x=1 HTTP/1.1\r\nHost: a\r\nX-Tag:  one \r\nx-tag: two\r\nce-id: 7\r\n\r\n"));
        assertThat(head.method).isEqualTo("POST");
        assertThat(head.route()).isEqualTo("/");
        assertThat(head.header("X-TAG")).isEqualTo("one, two");
        assertThat(head.headers()).extracting(Map.Entry::getKey).containsExactly("host", "x-tag", "x-tag", "ce-id");
        assertThat(head.keepAlive()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"HTTP/1.1,close,false", "HTTP/1.1,keep-alive,true", "HTTP/1.0,,false", "HTTP/1.0,Keep-Alive,true"})
    void keepAliveFollowsTheVersionAndTheConnectionHeader(String version, String connection, boolean keepAlive) throws Exception {
        String header = connection == null ? "" : "Connection: " + connection + "\r\n";
        assertThat(HttpHead.read(input("GET / " + version + "\r\n" + header + "\r\n")).keepAlive()).isEqualTo(keepAlive);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HELLO", "GET /", "GET / HTTP/1.1 extra", "GET / SPDY/3", "GET  / HTTP/1.1"})
    void aMalformedRequestLineIsRefused400(String line) {
        assertThatThrownBy(() -> HttpHead.read(input(line + "\r\n\r\n"))).isInstanceOfSatisfying(HttpHead.Refused.class,
                e -> assertThat(e.status).isEqualTo(400));
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Note: a\u0001b", "ce-id: a\u0000b", "X-Note: a\rb", "Transfer-Encoding : chunked", " folded: x",
        "no colon", ": empty name", "Bad Name: x"})
    void aHeaderWithAControlCharacterOrASpaceInTheNameIsRefused400(String field) {
        assertThatThrownBy(() -> HttpHead.read(input("POST / HTTP/1.1\r\n" + field + "\r\n\r\n")))
                .isInstanceOfSatisfying(HttpHead.Refused.class, e -> assertThat(e.status).isEqualTo(400));
    }

    @Test
    void aLongRequestLineIs414AndTooManyHeaderBytesOrLinesAre431() {
        assertThatThrownBy(() -> HttpHead.read(input("GET /" + "a".repeat(HttpHead.MAX_REQUEST_LINE) + " HTTP/1.1\r\n\r\n")))
                .isInstanceOfSatisfying(HttpHead.Refused.class, e -> assertThat(e.status).isEqualTo(414));
        assertThatThrownBy(() -> HttpHead.read(input("GET / HTTP/1.1\r\nX: " + "a".repeat(HttpHead.MAX_HEADER_BYTES) + "\r\n\r\n")))
                .isInstanceOfSatisfying(HttpHead.Refused.class, e -> assertThat(e.status).isEqualTo(431));
        assertThatThrownBy(() -> HttpHead.read(input("GET / HTTP/1.1\r\n" + "X: a\r\n".repeat(HttpHead.MAX_HEADERS + 1) + "\r\n")))
                .isInstanceOfSatisfying(HttpHead.Refused.class, e -> assertThat(e.status).isEqualTo(431));
    }

    @Test
    void theEndOfTheStreamBeforeARequestIsNoRequestAndInsideAHeadIsMalformed() throws Exception {
        assertThat(HttpHead.read(input(""))).isNull();
        assertThatThrownBy(() -> HttpHead.read(input("POST / HTTP/1.1\r\nHost: a\r\n"))).isInstanceOf(HttpInput.MalformedException.class);
    }

    @Test
    void aChunkedBodyIsReadWholeWithExtensionsAndTrailersAndTheNextRequestFollows() throws Exception {
        HttpInput in = trickle("5;name=x\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\nGET / HTTP/1.1\r\n\r\n");
        assertThat(new String(in.chunked(100), StandardCharsets.UTF_8)).isEqualTo("hello world");
        assertThat(HttpHead.read(in).method).isEqualTo("GET");
    }

    @Test
    void aChunkedBodyOverTheLimitIsNull() throws Exception {
        assertThat(input("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").chunked(10)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"zz\r\nhello\r\n0\r\n\r\n", "5\r\nhelloXX0\r\n\r\n", "5\r\nhel", "", "-5\r\n", "1000000000000000\r\n"})
    void aMalformedOrCutOffChunkedBodyIsMalformed(String body) {
        assertThatThrownBy(() -> input(body).chunked(1 << 20)).isInstanceOf(HttpInput.MalformedException.class);
    }

    @ParameterizedTest
    @CsvSource({"17,17", "0,0", "-5,-1", "+5,-1", "ten,-1", "'5, 6',-1", "' 5',-1", "'',-1", "99999999999999999999,9223372036854775807"})
    void aContentLengthIsDigitsOnly(String raw, long expected) {
        assertThat(HttpConnection.contentLength(raw)).isEqualTo(expected);
    }

    @Test
    void aBodyCutOffBeforeItsLengthIsMalformed() throws Exception {
        HttpInput in = input("{\"a\":");
        assertThatThrownBy(() -> in.bytes(10)).isInstanceOf(HttpInput.MalformedException.class).hasMessageContaining("5 of 10");
    }
}
