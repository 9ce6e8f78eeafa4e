package io.knative.lambda.runtime.contract;

import static io.knative.lambda.runtime.contract.ContractIT.JSON;
import static io.knative.lambda.runtime.contract.ContractIT.assertPlainError;
import static io.knative.lambda.runtime.contract.ContractIT.parse;
import static io.knative.lambda.runtime.contract.ContractIT.to;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hostile requests of issue 15 as they reach each runtime's own HTTP/1.1 server, each answered as the runtime
 * README says (a JSON error body, never a closed connection without an answer, a 500 or a silent null). Written on a raw socket:
 * most of these requests no HTTP client would send.
 */
class HostileInputIT {

    private static final String POST = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    private static final Map<RuntimeKind, FunctionProcess> STARTED = new EnumMap<>(RuntimeKind.class);

    /** Every runtime, Python in both execution modes. */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    @interface EveryRuntime {
    }

    /** The contract function on {@code kind}, started once for the class. */
    private static synchronized FunctionProcess fn(RuntimeKind kind) {
        return STARTED.computeIfAbsent(kind, k -> FunctionProcess.start(k, RuntimeKind.Function.CONTRACT, "hostile-fn",
                Map.of("FUNCTION_MAX_BODY_BYTES", "1048576")));
    }

    @AfterAll
    static void stop() {
        STARTED.values().forEach(FunctionProcess::close);
        STARTED.clear();
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
    private static List<Answer> exchange(RuntimeKind kind, byte[] request, boolean halfClose) throws IOException {
        return exchange(fn(kind).port, request, halfClose);
    }

    private static List<Answer> exchange(int port, byte[] request, boolean halfClose) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
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

    private static List<Answer> exchange(RuntimeKind kind, String request) throws IOException {
        return exchange(kind, request.getBytes(StandardCharsets.ISO_8859_1), false);
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

    @EveryRuntime
    void jsonNested100000DeepIs400InvalidJson(RuntimeKind kind) throws IOException {
        String arrays = "[".repeat(100_000) + "]".repeat(100_000);
        String objects = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        for (String body : List.of(arrays, objects)) {
            assertPlainError(to(fn(kind)).contentType("application/json").body(body).post("/"), 400, "InvalidJson");
        }
    }

    @EveryRuntime
    void jsonNested999DeepParses(RuntimeKind kind) {
        // as deep as Jackson's default allows in the Java runtime
        String allowed = "{\"a\":".repeat(999) + "1" + "}".repeat(999);
        assertThat(to(fn(kind)).contentType("application/json").body(allowed).post("/").statusCode()).isEqualTo(200);
    }

    @EveryRuntime
    void aChunkSizeThatIsNotHexIs400BadRequest(RuntimeKind kind) throws IOException {
        Answer a = single(exchange(kind, POST + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"));
        assertJsonError(a, 400, "BadRequest");
        assertThat(a.json().get("message").toString()).contains("chunk size");
    }

    @EveryRuntime
    void aContentLengthThatIsNegativeOrNotANumberIs400BadRequest(RuntimeKind kind) throws IOException {
        for (String length : List.of("-5", "ten")) {
            Answer a = single(exchange(kind, POST + "Content-Length: " + length + "\r\n\r\n{}"));
            assertJsonError(a, 400, "BadRequest");
            assertThat(a.json().get("message").toString()).contains("Content-Length");
        }
    }

    @EveryRuntime
    void aMalformedRequestLineIs400BadRequest(RuntimeKind kind) throws IOException {
        assertJsonError(single(exchange(kind, "HELLO\r\n\r\n")), 400, "BadRequest");
    }

    @EveryRuntime
    void transferEncodingTogetherWithContentLengthIs400BadRequest(RuntimeKind kind) throws IOException {
        assertJsonError(single(exchange(kind, POST + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n")), 400, "BadRequest");
    }

    @EveryRuntime
    void aHeaderValueWithAControlCharacterIs400BadRequest(RuntimeKind kind) throws IOException {
        assertJsonError(single(exchange(kind, POST + "X-Note: a\u0001b\r\nContent-Length: 2\r\n\r\n{}")), 400, "BadRequest");
    }

    @EveryRuntime
    void headersOver64KiBAre431(RuntimeKind kind) throws IOException {
        Answer a = single(exchange(kind, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(1024 * 1024) + "\r\n\r\n"));
        assertJsonError(a, 431, "BadRequest");
    }

    @EveryRuntime
    void aBodyThatStopsEarlyIs400BadRequest(RuntimeKind kind) throws IOException {
        byte[] request = (POST + "Content-Length: 100\r\n\r\n{\"action\":").getBytes(StandardCharsets.US_ASCII);
        assertJsonError(single(exchange(kind, request, true)), 400, "BadRequest");
    }

    @EveryRuntime
    void aClientThatHalfClosesAfterItsRequestStillGetsTheAnswer(RuntimeKind kind) throws IOException {
        String body = "{\"action\":\"sleep\",\"ms\":100}";
        byte[] request = (POST + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
        Answer a = single(exchange(kind, request, true));
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(a.json()).isEqualTo(Map.of("slept", 100));
    }

    @EveryRuntime
    void otherMethodsAndConnectAre405(RuntimeKind kind) throws IOException {
        for (String method : List.of("PUT / HTTP/1.1", "DELETE / HTTP/1.1", "PATCH /x HTTP/1.1", "CONNECT 127.0.0.1:443 HTTP/1.1")) {
            assertJsonError(single(exchange(kind, method + "\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")), 405, "MethodNotAllowed");
        }
    }

    @EveryRuntime
    void expectContinueWithABodyOverTheLimitIs413WithoutTheInterimAnswer(RuntimeKind kind) throws IOException {
        Answer a = single(exchange(kind, POST + "Expect: 100-continue\r\nContent-Length: 2000000\r\n\r\n"));
        assertJsonError(a, 413, "PayloadTooLarge");
    }

    @EveryRuntime
    void garbageAfterAPipelinedRequestIsAnsweredAfterIt(RuntimeKind kind) throws IOException {
        String body = "{\"action\":\"sleep\",\"ms\":200}";
        List<Answer> answers = exchange(kind, POST + "Content-Length: " + body.length() + "\r\n\r\n" + body + "HELLO\r\n\r\n");
        assertThat(answers).hasSize(2);
        assertThat(answers.get(0).status()).isEqualTo(200);
        assertThat(answers.get(0).json()).isEqualTo(Map.of("slept", 200));
        assertJsonError(answers.get(1), 400, "BadRequest");
    }

    @EveryRuntime
    void aRequestWithoutHostIsServed(RuntimeKind kind) throws IOException {
        Answer a = single(exchange(kind, "POST / HTTP/1.1\r\nConnection: close\r\nContent-Length: 17\r\n\r\n{\"action\":\"echo\"}"));
        assertThat(a.status()).as(a.body()).isEqualTo(200);
    }

    @EveryRuntime
    void aRuntimeAnswers503PastItsConnectionBoundAndServesOnceOneCloses(RuntimeKind kind) throws Exception {
        // the idle timeout closes the connection the start-up's readiness polls left open; ours are used at once
        try (FunctionProcess bounded = FunctionProcess.start(kind, RuntimeKind.Function.CONTRACT, "bounded-fn",
                Map.of("FUNCTION_MAX_CONNECTIONS", "2", "FUNCTION_IDLE_TIMEOUT_MS", "1000"))) {
            Socket[] both = await().atMost(Duration.ofSeconds(10)).until(() -> servedPair(bounded.port), java.util.Objects::nonNull);
            try (Socket one = both[0]; Socket two = both[1]) {

                Answer refused = single(exchange(bounded.port, LIVE.getBytes(StandardCharsets.US_ASCII), false));
                assertJsonError(refused, 503, "Overloaded");
                assertThat(refused.json().get("message").toString()).contains("FUNCTION_MAX_CONNECTIONS");

                one.close();
                await().atMost(Duration.ofSeconds(10)).until(() -> exchange(bounded.port, (LIVE.replace("\r\n\r\n",
                        "\r\nConnection: close\r\n\r\n")).getBytes(StandardCharsets.US_ASCII), false).get(0).status() == 200);
            }
        }
    }

    private static final String LIVE = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    /** Two connections served and open at once, or null (the other one is closed then). */
    private static Socket[] servedPair(int port) throws IOException {
        Socket first = served(port);
        Socket second = first == null ? null : served(port);
        if (second == null) {
            if (first != null) {
                first.close();
            }
            return null;
        }
        return new Socket[] {first, second};
    }

    /** A new connection that got a 200 on GET /health/live and stays open; null if it was answered otherwise. */
    private static Socket served(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(LIVE.getBytes(StandardCharsets.US_ASCII));
        byte[] head = socket.getInputStream().readNBytes(12);
        if (new String(head, StandardCharsets.US_ASCII).equals("HTTP/1.1 200")) {
            socket.getInputStream().readNBytes(socket.getInputStream().available()); // the rest of the answer, if here
            return socket;
        }
        socket.close();
        return null;
    }

    @EveryRuntime
    void aConnectionThatNeverSendsARequestIsClosedAfterTheIdleTimeout(RuntimeKind kind) throws IOException {
        try (FunctionProcess idle = FunctionProcess.start(kind, RuntimeKind.Function.CONTRACT, "silent-fn",
                Map.of("FUNCTION_IDLE_TIMEOUT_MS", "1000"));
                Socket silent = new Socket("127.0.0.1", idle.port)) {
            silent.setSoTimeout(15_000);
            long start = System.nanoTime();
            assertThat(silent.getInputStream().read()).as("closed by the server, nothing sent").isEqualTo(-1);
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(500L, 14_000L);
        }
    }

    @EveryRuntime
    void aHandlerReturningNaNIs500NamingTheValue(RuntimeKind kind) {
        var r = to(fn(kind)).contentType("application/json").body("{\"action\":\"nan\"}").post("/");
        assertPlainError(r, 500, "FunctionError");
        assertThat(parse(r).get("message").toString()).contains("NaN");
    }
}
