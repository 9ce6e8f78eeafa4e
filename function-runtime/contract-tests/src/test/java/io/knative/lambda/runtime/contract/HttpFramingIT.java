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
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HTTP/1.1 framing every runtime must get right, on a raw socket: chunked bodies, pipelined requests, and
 * Expect: 100-continue (clients that send it, curl for large bodies, otherwise wait a second before the body).
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
