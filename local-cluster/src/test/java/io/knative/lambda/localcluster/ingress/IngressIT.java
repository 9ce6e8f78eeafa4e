package io.knative.lambda.localcluster.ingress;

import static io.knative.lambda.localcluster.KnativeTestClient.service;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.knative.lambda.localcluster.KnativeTestClient;
import io.knative.lambda.localcluster.LocalCluster;
import io.knative.lambda.localcluster.LocalClusterSettings;
import io.knative.lambda.localcluster.api.BearerToken;
import io.knative.lambda.localcluster.serving.RevisionState;
import io.knative.lambda.localcluster.serving.ScriptedRevisionRunner;
import io.knative.lambda.localcluster.store.Json;
import io.knative.lambda.testsupport.LocalhostProxy;

/**
 * The ingress as a caller meets it: {@code http://{service}.{namespace}.localhost:PORT} reaches the process of the
 * revision that takes the Service's traffic (here a test server standing in for a function), with the request as sent,
 * the answer streamed back, connections kept alive; unknown hosts and functions not ready are answered in JSON.
 */
class IngressIT {

    private static final String TOKEN = "ingress-it-token-0123456789";
    private final ScriptedRevisionRunner runner = new ScriptedRevisionRunner();
    private final HttpClient http = LocalhostProxy.client();
    private final CountDownLatch releaseSecondChunk = new CountDownLatch(1);
    private HttpServer backend;
    private LocalCluster cluster;
    private KnativeTestClient client;
    private int port;

    @BeforeEach
    void start() throws Exception {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        backend.createContext("/", this::echo);
        backend.createContext("/stream", this::stream);
        backend.start();
        String endpoint = "http://127.0.0.1:" + backend.getAddress().getPort() + "/";
        runner.rule(KnativeTestClient.NAMESPACE, "fn", revision -> new RevisionState.Ready(endpoint));
        cluster = LocalCluster.start(LocalClusterSettings.from(Map.of("KLAMBDA_LOCAL_CLUSTER_PORT", "0",
                "KLAMBDA_LOCAL_INGRESS_PORT", "0")), runner, BearerToken.of(TOKEN));
        port = Integer.parseInt(cluster.ingressUrl().substring(cluster.ingressUrl().lastIndexOf(':') + 1));
        client = new KnativeTestClient(cluster.url(), TOKEN);
        client.knative.services().inNamespace(KnativeTestClient.NAMESPACE).resource(service("fn", "img@sha256:a")).create();
        client.awaitSettled("fn", 1, Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        releaseSecondChunk.countDown();
        client.close();
        cluster.close();
        backend.stop(0);
    }

    private void echo(HttpExchange exchange) throws java.io.IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
        var answer = Json.MAPPER.createObjectNode();
        answer.put("method", exchange.getRequestMethod());
        answer.put("path", exchange.getRequestURI().getRawPath());
        answer.put("query", exchange.getRequestURI().getRawQuery());
        answer.put("body", new String(body, StandardCharsets.UTF_8));
        answer.set("headers", Json.MAPPER.valueToTree(headers));
        byte[] bytes = Json.bytes(answer);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("X-Function", "echo");
        exchange.sendResponseHeaders(201, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private void stream(HttpExchange exchange) throws java.io.IOException {
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        out.write("first\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        try {
            releaseSecondChunk.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.write("second\n".getBytes(StandardCharsets.UTF_8));
        exchange.close();
    }

    /** The Service's URL, as its status has it. */
    private String url(String service) {
        return "http://" + service + ".local.localhost:" + port;
    }

    /** A URL the JDK client can send in proxy form: with a path (its server finds no handler for an empty one). */
    private URI at(String service, String path) {
        return URI.create(url(service) + path);
    }

    @Test
    void theServicesUrlReachesItsRevisionWithTheRequestAsSentAndTheAnswerAsGiven() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(at("fn", "/orders/7?verbose=1&x=%2F"))
                .header("Content-Type", "application/json").header("ce-id", "42").POST(HttpRequest.BodyPublishers.ofString("{\"parser_id\":\"p\"}")).build(),
                HttpResponse.BodyHandlers.ofString());

        JsonNode seen = Json.MAPPER.readTree(r.body());
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("X-Function")).hasValue("echo");
        assertThat(seen.path("method").asText()).isEqualTo("POST");
        assertThat(seen.path("path").asText()).isEqualTo("/orders/7");
        assertThat(seen.path("query").asText()).isEqualTo("verbose=1&x=%2F");
        assertThat(seen.path("body").asText()).isEqualTo("{\"parser_id\":\"p\"}");
        JsonNode headers = seen.path("headers");
        assertThat(headers.path("ce-id").asText()).isEqualTo("42");
        assertThat(headers.path("content-type").asText()).isEqualTo("application/json");
        assertThat(headers.path("x-forwarded-host").asText()).isEqualTo("fn.local.localhost:" + port);
        assertThat(headers.path("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
        assertThat(headers.path("x-forwarded-proto").asText()).isEqualTo("http");
        assertThat(client.knative.services().inNamespace(KnativeTestClient.NAMESPACE).withName("fn").get().getStatus().getUrl())
                .isEqualTo(url("fn"));
    }

    @Test
    void anAnswerIsStreamedAsTheFunctionWritesIt() throws Exception {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(at("fn", "/stream")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));

        assertThat(lines.readLine()).as("the first part arrives while the function still works").isEqualTo("first");
        releaseSecondChunk.countDown();
        assertThat(lines.readLine()).isEqualTo("second");
        assertThat(lines.readLine()).isNull();
    }

    @Test
    void requestsOnOneKeptAliveConnectionAreAllAnsweredWithoutTheirHopByHopHeaders() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 3; i++) {
                String body = "{\"n\":" + i + "}";
                out.write(("POST /call HTTP/1.1\r\nHost: fn.local.localhost:" + port + "\r\nContent-Type: application/json\r\n"
                        + "Connection: keep-alive, X-Secret\r\nX-Secret: for the next hop only\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String answer = readAnswer(in);
                assertThat(answer).startsWith("HTTP/1.1 201").contains("\"body\":\"{\\\"n\\\":" + i + "}\"");
                assertThat(answer).as("a header that Connection names stays behind").doesNotContain("x-secret");
            }
        }
    }

    @Test
    void anUnknownHostIs404AndAFunctionWithNothingReadyIs503InJson() throws Exception {
        client.knative.services().inNamespace(KnativeTestClient.NAMESPACE).resource(service("starting", "img@sha256:b"))
                .create();

        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(at("nobody", "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> bare = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> starting = http.send(HttpRequest.newBuilder(at("starting", "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(starting.statusCode()).as(starting.body()).isEqualTo(503);
            assertThat(starting.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(Json.MAPPER.readTree(starting.body()).path("error").asText()).isEqualTo("FunctionNotReady");
            assertThat(Json.MAPPER.readTree(starting.body()).path("message").asText()).contains("'starting' is not ready");
        });

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(Json.MAPPER.readTree(unknown.body()).path("error").asText()).isEqualTo("FunctionNotFound");
        assertThat(Json.MAPPER.readTree(unknown.body()).path("message").asText()).contains("no function 'nobody'");
        assertThat(bare.statusCode()).isEqualTo(404);
        assertThat(Json.MAPPER.readTree(bare.body()).path("message").asText()).contains("{service}.{namespace}.localhost");
    }

    @Test
    void aDeletedServiceIsNoLongerRouted() throws Exception {
        client.knative.services().inNamespace(KnativeTestClient.NAMESPACE).withName("fn").delete();

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(http.send(HttpRequest.newBuilder(
                at("fn", "/")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404));
    }

    /** One HTTP/1.1 answer with a Content-Length, as text. */
    private static String readAnswer(InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        var m = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
