package io.knative.lambda.runtime.contract;

import static io.knative.lambda.runtime.contract.ContractIT.JSON;
import static io.knative.lambda.runtime.contract.ContractIT.contract;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HTTP/1.1 framing every runtime must get right, on a raw socket: chunked bodies, pipelined requests, and
 * Expect: 100-continue (clients that send it, curl for large bodies, otherwise wait a second before the body); and
 * what a hostile or broken client sends: unparseable lengths, chunks and request lines, smuggling attempts, control
 * characters, duplicate CloudEvent headers, bodies that stop early.
 */
class HttpFramingIT {

    private static final String HEAD = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";

    @AfterAll
    static void stopAll() {
        ContractIT.stopAll();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aChunkedBodyIsReadWhole(RuntimeKind kind) throws IOException {
        try (Raw http = new Raw(contract(kind))) {
            http.write(HEAD + "Transfer-Encoding: chunked\r\n\r\n" + "a\r\n{\"action\":\r\n" + "d\r\n\"echo\",\"n\":7}\r\n" + "0\r\n\r\n");
            Reply r = http.read();
            assertThat(r.status).as(r.body).isEqualTo(200);
            assertThat(JSON.readValue(r.body, Map.class)).isEqualTo(Map.of("echo", Map.of("action", "echo", "n", 7)));
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void pipelinedRequestsAreAnsweredInOrder(RuntimeKind kind) throws IOException {
        try (Raw http = new Raw(contract(kind))) {
            String one = "{\"action\":\"echo\",\"n\":1}";
            String two = "{\"action\":\"echo\",\"n\":2}";
            http.write(HEAD + "Content-Length: " + one.length() + "\r\n\r\n" + one + HEAD + "Content-Length: " + two.length() + "\r\n\r\n" + two);
            assertThat(JSON.readValue(http.read().body, Map.class)).isEqualTo(Map.of("echo", Map.of("action", "echo", "n", 1)));
            assertThat(JSON.readValue(http.read().body, Map.class)).isEqualTo(Map.of("echo", Map.of("action", "echo", "n", 2)));
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void expectContinueIsAnsweredBeforeTheBodyIsSent(RuntimeKind kind) throws IOException {
        try (Raw http = new Raw(contract(kind))) {
            String body = "{\"action\":\"echo\",\"n\":3}";
            http.write(HEAD + "Expect: 100-continue\r\nContent-Length: " + body.length() + "\r\n\r\n");
            assertThat(http.read().status).as("an interim answer while the body has not been sent").isEqualTo(100);
            http.write(body);
            Reply r = http.read();
            assertThat(r.status).as(r.body).isEqualTo(200);
            assertThat(JSON.readValue(r.body, Map.class)).isEqualTo(Map.of("echo", Map.of("action", "echo", "n", 3)));
        }
    }

    // ---- requests that cannot be framed or parsed: 400 BadRequest with the JSON body, then the connection closes ----

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aMalformedChunkSizeIs400BadRequest(RuntimeKind kind) throws IOException {
        try (Raw http = new Raw(contract(kind))) {
            http.write(HEAD + "Transfer-Encoding: chunked\r\n\r\n" + "zz\r\n{\"action\":\"echo\"}\r\n0\r\n\r\n");
            assertBadRequest(http.read());
            assertThat(http.closedByServer()).as("the connection is closed after the answer").isTrue();
        }
    }

    static List<Arguments> badContentLengths() {
        return kindsWith("-5", "ten", "+5", "5, 6");
    }

    @ParameterizedTest(name = "{0} Content-Length: {1}")
    @MethodSource("badContentLengths")
    void anUnparseableContentLengthIs400BadRequest(RuntimeKind kind, String length) throws IOException {
        assertThat(badRequest(kind, HEAD + "Content-Length: " + length + "\r\n\r\n{\"action\":\"echo\"}")).contains("Content-Length");
    }

    static List<Arguments> badRequestLines() {
        return kindsWith("HELLO", "GET /", "GET / HTTP/1.1 extra");
    }

    @ParameterizedTest(name = "{0} request line {1}")
    @MethodSource("badRequestLines")
    void aMalformedRequestLineIs400BadRequest(RuntimeKind kind, String line) throws IOException {
        badRequest(kind, line + "\r\nHost: 127.0.0.1\r\n\r\n");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void transferEncodingTogetherWithContentLengthIs400NotSmuggled(RuntimeKind kind) throws IOException {
        // a proxy that frames by Content-Length would pass the second request on inside the first one's body
        String smuggled = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n"
                + "{\"action\":\"echo\"}";
        String chunked = "0\r\n\r\n" + smuggled;
        try (Raw http = new Raw(contract(kind))) {
            http.write(HEAD + "Transfer-Encoding: chunked\r\nContent-Length: " + chunked.length() + "\r\n\r\n" + chunked);
            assertThat(assertBadRequest(http.read())).contains("Transfer-Encoding");
            assertThat(http.closedByServer()).as("nothing after the refused request is answered").isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aTransferEncodingOtherThanChunkedIs400(RuntimeKind kind) throws IOException {
        assertThat(badRequest(kind, HEAD + "Transfer-Encoding: gzip\r\n\r\n{\"action\":\"echo\"}")).contains("Transfer-Encoding");
    }

    static List<Arguments> badHeaders() {
        return kindsWith("X-Note: a\u0001b", "ce-id: a\u0000b", "X-Note: a\rb", "Transfer-Encoding : chunked");
    }

    @ParameterizedTest(name = "{0} header {1}")
    @MethodSource("badHeaders")
    void aHeaderWithAControlCharacterOrASpaceBeforeTheColonIs400(RuntimeKind kind, String header) throws IOException {
        badRequest(kind, HEAD + header + "\r\nContent-Length: 17\r\n\r\n{\"action\":\"echo\"}");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    @SuppressWarnings("unchecked")
    void aCloudEventHeaderSentTwiceIs400InvalidEvent(RuntimeKind kind) throws IOException {
        try (Raw http = new Raw(contract(kind))) {
            http.write(HEAD + "ce-specversion: 1.0\r\nce-id: first\r\nce-id: second\r\nce-source: /contract-tests\r\n"
                    + "ce-type: io.knative.lambda.invoke\r\nContent-Length: 17\r\n\r\n{\"action\":\"echo\"}");
            Reply r = http.read();
            assertThat(r.status).as(r.body).isEqualTo(400);
            Map<String, Object> body = JSON.readValue(r.body, Map.class);
            assertThat(body).containsOnlyKeys("error", "message").containsEntry("error", "InvalidEvent");
            assertThat((String) body.get("message")).contains("ce-id");
        }
    }

    // ---- a client that goes away mid-body: nothing reaches the function, the runtime keeps serving ----

    static List<Arguments> bodiesThatStopEarly() {
        return kindsWith("Content-Length", "chunked");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("bodiesThatStopEarly")
    void aBodyThatStopsEarlyNeverReachesTheFunction(RuntimeKind kind, String framing) throws Exception {
        FunctionProcess p = contract(kind);
        Path dir = Files.createTempDirectory("klambda-early-");
        Path cut = dir.resolve("cut-off");
        Path whole = dir.resolve("whole");
        String event = "{\"action\":\"touch\",\"path\":" + JSON.writeValueAsString(cut.toString()) + "}";
        try (Raw http = new Raw(p)) {
            // a JSON document, but less than the request announced: the client closes before the rest
            http.write(framing.equals("chunked")
                    ? HEAD + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(event.length() + 50) + "\r\n" + event
                    : HEAD + "Content-Length: " + (event.length() + 50) + "\r\n\r\n" + event);
        }
        String next = "{\"action\":\"touch\",\"path\":" + JSON.writeValueAsString(whole.toString()) + "}";
        try (Raw http = new Raw(p)) {
            http.write(HEAD + "Content-Length: " + next.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + next);
            assertThat(http.read().status).as("the runtime keeps serving").isEqualTo(200);
        }
        assertThat(whole).exists();
        assertThat(cut).as("the cut-off body never reached the handler").doesNotExist();
    }

    private static List<Arguments> kindsWith(String... values) {
        return List.of(RuntimeKind.values()).stream().flatMap(k -> Stream.of(values).map(v -> Arguments.of(k, v))).toList();
    }

    /** Sends {@code raw} on a new connection to the contract function; asserts the 400 BadRequest, returns its message. */
    private static String badRequest(RuntimeKind kind, String raw) throws IOException {
        try (Raw http = new Raw(contract(kind))) {
            http.write(raw);
            return assertBadRequest(http.read());
        }
    }

    /** Asserts a 400 with exactly {"error": "BadRequest", "message": ...}; returns the message. */
    @SuppressWarnings("unchecked")
    private static String assertBadRequest(Reply r) throws IOException {
        assertThat(r.status).as(r.body).isEqualTo(400);
        Map<String, Object> body = JSON.readValue(r.body, Map.class);
        assertThat(body).containsOnlyKeys("error", "message").containsEntry("error", "BadRequest");
        assertThat((String) body.get("message")).isNotBlank();
        return (String) body.get("message");
    }

    /** One answer: status and body (by Content-Length; none for 1xx). */
    record Reply(int status, String body) {
    }

    /** A keep-alive connection written and read byte by byte, with a 10 s read timeout. */
    static final class Raw implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Raw(FunctionProcess p) throws IOException {
            socket = new Socket("127.0.0.1", Integer.parseInt(p.url().substring(p.url().lastIndexOf(':') + 1)));
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        Reply read() throws IOException {
            String status = line();
            int length = 0;
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                if (colon > 0 && h.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                    length = Integer.parseInt(h.substring(colon + 1).trim());
                }
            }
            int code = Integer.parseInt(status.split(" ")[1]);
            return new Reply(code, code < 200 ? "" : new String(in.readNBytes(length), StandardCharsets.UTF_8));
        }

        /** Whether the server closes the connection (end of stream within the read timeout) after what was read. */
        boolean closedByServer() throws IOException {
            try {
                return in.read() == -1;
            } catch (java.net.SocketException reset) {
                return true;
            }
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c == -1) {
                    throw new IOException("the server closed the connection; read so far: " + b);
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
