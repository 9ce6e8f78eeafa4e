package io.knative.lambda.runtime.contract;

import static io.knative.lambda.runtime.contract.ContractIT.JSON;
import static io.knative.lambda.runtime.contract.ContractIT.assertPlainError;
import static io.knative.lambda.runtime.contract.ContractIT.parse;
import static io.knative.lambda.runtime.contract.ContractIT.to;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Node.js only: the hostile requests of issue 15 as they reach a runtime, each answered as the runtime README says
 * (a JSON error body, never a closed connection without an answer, a 500 or a silent null). Written on a raw socket:
 * most of these requests no HTTP client would send.
 */
class NodeHostileInputIT {

    private static final String POST = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    private static FunctionProcess node;

    @BeforeAll
    static void start() {
        node = FunctionProcess.start(RuntimeKind.NODE, RuntimeKind.Function.CONTRACT, "hostile-fn", Map.of("FUNCTION_MAX_BODY_BYTES", "1048576"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** One answer off the wire: status, headers (lower-case names), body. */
    record Answer(int status, Map<String, String> headers, String body) {
        Map<String, Object> json() {
            try {
                return JSON.readValue(body, Map.class);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    /** Sends the bytes (then half-closes if asked) and reads every answer until the server closes the connection. */
    private static List<Answer> exchange(byte[] request, boolean halfClose) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", node.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            if (halfClose) {
                socket.shutdownOutput();
            }
            byte[] all = socket.getInputStream().readAllBytes();
            return answers(all);
        }
    }

    private static List<Answer> exchange(String request) throws IOException {
        return exchange(request.getBytes(StandardCharsets.ISO_8859_1), false);
    }

    private static List<Answer> answers(byte[] all) {
        List<Answer> out = new ArrayList<>();
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int at = 0;
        while (at < text.length()) {
            int end = text.indexOf("\r\n\r\n", at);
            assertThat(end).as("an answer's head in: " + text).isPositive();
            String[] lines = text.substring(at, end).split("\r\n");
            Map<String, String> headers = new java.util.HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            out.add(new Answer(status, headers, new String(all, end + 4, length, StandardCharsets.UTF_8)));
            at = end + 4 + length;
        }
        return out;
    }

    private static Answer single(List<Answer> answers) {
        assertThat(answers).hasSize(1);
        return answers.get(0);
    }

    private static void assertJsonError(Answer a, int status, String code) {
        assertThat(a.status()).as(a.body()).isEqualTo(status);
        assertThat(a.headers().get("content-type")).startsWith("application/json");
        assertThat(a.json()).containsOnlyKeys("error", "message").containsEntry("error", code);
        assertThat(a.headers().get("connection")).isEqualToIgnoringCase("close");
    }

    @Test
    void jsonNested100000DeepIs400InvalidJson() throws IOException {
        String arrays = "[".repeat(100_000) + "]".repeat(100_000);
        String objects = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        for (String body : List.of(arrays, objects)) {
            assertPlainError(to(node).contentType("application/json").body(body).post("/"), 400, "InvalidJson");
        }
        // as deep as Jackson's default allows in the Java runtime still parses
        String allowed = "{\"a\":".repeat(999) + "1" + "}".repeat(999);
        assertThat(to(node).contentType("application/json").body(allowed).post("/").statusCode()).isEqualTo(200);
    }

    @Test
    void aChunkSizeThatIsNotHexIs400BadRequest() throws IOException {
        Answer a = single(exchange(POST + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"));
        assertJsonError(a, 400, "BadRequest");
        assertThat(a.json().get("message").toString()).contains("chunk size");
    }

    @Test
    void aContentLengthThatIsNegativeOrNotANumberIs400BadRequest() throws IOException {
        for (String length : List.of("-5", "ten")) {
            Answer a = single(exchange(POST + "Content-Length: " + length + "\r\n\r\n{}"));
            assertJsonError(a, 400, "BadRequest");
            assertThat(a.json().get("message").toString()).contains("Content-Length");
        }
    }

    @Test
    void aMalformedRequestLineIs400BadRequest() throws IOException {
        assertJsonError(single(exchange("HELLO\r\n\r\n")), 400, "BadRequest");
    }

    @Test
    void transferEncodingTogetherWithContentLengthIs400BadRequest() throws IOException {
        assertJsonError(single(exchange(POST + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n")), 400, "BadRequest");
    }

    @Test
    void aHeaderValueWithAControlCharacterIs400BadRequest() throws IOException {
        assertJsonError(single(exchange(POST + "X-Note: a\u0001b\r\nContent-Length: 2\r\n\r\n{}")), 400, "BadRequest");
    }

    @Test
    void headersOver64KiBAre431() throws IOException {
        Answer a = single(exchange("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(1024 * 1024) + "\r\n\r\n"));
        assertJsonError(a, 431, "BadRequest");
    }

    @Test
    void aBodyThatStopsEarlyIs400BadRequest() throws IOException {
        byte[] request = (POST + "Content-Length: 100\r\n\r\n{\"action\":").getBytes(StandardCharsets.US_ASCII);
        assertJsonError(single(exchange(request, true)), 400, "BadRequest");
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestStillGetsTheAnswer() throws IOException {
        String body = "{\"action\":\"sleep\",\"ms\":100}";
        byte[] request = (POST + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
        Answer a = single(exchange(request, true));
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(a.json()).isEqualTo(Map.of("slept", 100));
    }

    @Test
    void otherMethodsAndConnectAre405() throws IOException {
        for (String method : List.of("PUT / HTTP/1.1", "DELETE / HTTP/1.1", "PATCH /x HTTP/1.1", "CONNECT 127.0.0.1:443 HTTP/1.1")) {
            assertJsonError(single(exchange(method + "\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")), 405, "MethodNotAllowed");
        }
    }

    @Test
    void expectContinueWithABodyOverTheLimitIs413WithoutTheInterimAnswer() throws IOException {
        Answer a = single(exchange(POST + "Expect: 100-continue\r\nContent-Length: 2000000\r\n\r\n"));
        assertJsonError(a, 413, "PayloadTooLarge");
    }

    @Test
    void garbageAfterAPipelinedRequestIsAnsweredAfterIt() throws IOException {
        String body = "{\"action\":\"sleep\",\"ms\":200}";
        List<Answer> answers = exchange(POST + "Content-Length: " + body.length() + "\r\n\r\n" + body + "HELLO\r\n\r\n");
        assertThat(answers).hasSize(2);
        assertThat(answers.get(0).status()).isEqualTo(200);
        assertThat(answers.get(0).json()).isEqualTo(Map.of("slept", 200));
        assertJsonError(answers.get(1), 400, "BadRequest");
    }

    @Test
    void aRequestWithoutHostIsServed() throws IOException {
        Answer a = single(exchange("POST / HTTP/1.1\r\nConnection: close\r\nContent-Length: 17\r\n\r\n{\"action\":\"echo\"}"));
        assertThat(a.status()).as(a.body()).isEqualTo(200);
    }

    @Test
    void aConnectionThatNeverSendsARequestIsClosedAfterTheIdleTimeout() throws IOException {
        try (FunctionProcess idle = FunctionProcess.start(RuntimeKind.NODE, RuntimeKind.Function.CONTRACT, "silent-fn",
                Map.of("FUNCTION_IDLE_TIMEOUT_MS", "1000"));
                Socket silent = new Socket("127.0.0.1", idle.port)) {
            silent.setSoTimeout(15_000);
            long start = System.nanoTime();
            assertThat(silent.getInputStream().read()).as("closed by the server, nothing sent").isEqualTo(-1);
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(500L, 14_000L);
        }
    }

    @Test
    void aHandlerReturningNaNIs500NamingTheValue() {
        var r = to(node).contentType("application/json").body("{\"action\":\"nan\"}").post("/");
        assertPlainError(r, 500, "FunctionError");
        assertThat(parse(r).get("message").toString()).contains("NaN");
    }
}
