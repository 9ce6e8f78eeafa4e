package io.knative.lambda.localbroker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** The local broker over a real Kafka: ingress in both modes, routes from deploy events, invoke delivery and retries. */
@QuarkusTest
@WithTestResource(KafkaResource.class)
class LocalBrokerIT {

    /** A function stand-in: answers with the queued statuses, then 200 with a response CloudEvent. */
    private HttpServer function;
    private final ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> hosts = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void startFunction() throws IOException {
        function = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        function.createContext("/", exchange -> {
            calls.incrementAndGet();
            hosts.add(exchange.getRequestHeaders().getFirst("Host"));
            received.add(exchange.getRequestHeaders().getFirst("ce-type") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            Integer status = statuses.poll();
            byte[] body;
            if (status == null || status == 200) {
                body = "{\"status\":\"success\"}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("ce-type", "io.knative.lambda.response.success");
                exchange.getResponseHeaders().add("ce-id", UUID.randomUUID().toString());
                exchange.getResponseHeaders().add("ce-source", "/knative-lambda/functions/fake");
                exchange.getResponseHeaders().add("ce-specversion", "1.0");
                exchange.getResponseHeaders().add("ce-subject", exchange.getRequestHeaders().getFirst("ce-subject"));
                status = 200;
            } else {
                body = "{\"error\":\"BadInput\",\"message\":\"no\"}".getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        function.start();
    }

    @AfterEach
    void stopFunction() {
        function.stop(0);
    }

    /** Deploys a {@code parser} function at the stand-in; the subject its invoke events carry (its Service name). */
    private String deploy() {
        return deploy("parser", "fn-" + UUID.randomUUID(), "http://127.0.0.1:" + function.getAddress().getPort() + "/");
    }

    private static String deploy(String url) {
        return deploy("parser", "fn-" + UUID.randomUUID(), url);
    }

    private static String deploy(String kind, String functionId, String url) {
        String service = kind + "-" + functionId;
        given().header("ce-specversion", "1.0").header("ce-id", "deploy-" + service)
                .header("ce-source", "/knative-lambda/deployer").header("ce-type", "io.knative.lambda.deploy.completed")
                .header("ce-subject", functionId).contentType("application/json")
                .body(Map.of("functionId", functionId, "service", service, "namespace", "local",
                        "url", url, "revision", "r1", "image", "x@sha256:1", "durationMs", 1))
                .post("/").then().statusCode(202);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(JsonPath.from(given().get("/routes").asString()).getMap("$")).containsEntry(service, url));
        return service;
    }

    private static void invoke(String functionId, String id) {
        invoke(functionId, id, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    }

    private static void invoke(String functionId, String id, String traceparent) {
        given().header("ce-specversion", "1.0").header("ce-id", id).header("ce-source", "/test")
                .header("ce-traceparent", traceparent)
                .header("ce-type", "io.knative.lambda.invoke").header("ce-subject", functionId)
                .contentType("application/json").body("{\"parser_id\":\"" + functionId + "\",\"data\":{\"key\":\"value\"}}")
                .post("/").then().statusCode(202);
    }

    private static List<Map<String, Object>> events(String type, String subject) {
        return JsonPath.from(given().queryParam("type", type).queryParam("subject", subject).get("/events").asString())
                .getList("$");
    }

    @Test
    void anInvokeEventReachesTheDeployedFunctionAndItsResponseIsOnTheBus() {
        String functionId = deploy();

        invoke(functionId, "inv-" + UUID.randomUUID());

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(events("io.knative.lambda.response.success", functionId)).hasSize(1));
        assertThat(received).anySatisfy(r -> assertThat(r).startsWith("io.knative.lambda.invoke").contains("\"key\""));
        assertThat(events("io.knative.lambda.response.success", functionId).get(0)).containsEntry("data",
                Map.of("status", "success"));
    }

    @Test
    void theResponseStaysInTheInvocationsTrace() {
        String functionId = deploy();
        String trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

        invoke(functionId, "traced-" + UUID.randomUUID(), trace);

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(events("io.knative.lambda.response.success", functionId)).hasSize(1));
        assertThat(events("io.knative.lambda.response.success", functionId).get(0)).containsEntry("traceparent", trace);
        assertThat(events("io.knative.lambda.invoke", functionId).get(0)).containsEntry("traceparent", trace);
    }

    @Test
    void aFunctionAtAKnativeStyleLocalhostUrlIsReachedThroughThatPortWithItsHost() {
        String host = "parser-x.local.localhost:" + function.getAddress().getPort();
        String functionId = deploy("http://" + host);

        invoke(functionId, "via-host-" + UUID.randomUUID());

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(events("io.knative.lambda.response.success", functionId)).hasSize(1));
        assertThat(hosts).contains(host);
    }

    @Test
    void aFollowerAsksOnlyForEventsAfterTheLastItSaw() {
        String functionId = deploy();
        String last = given().get("/events?limit=1").header("Klambda-Last-Event");

        invoke(functionId, "after-" + UUID.randomUUID());
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(events("io.knative.lambda.response.success", functionId)).hasSize(1));

        List<Map<String, Object>> newer = JsonPath.from(given().queryParam("after", last).get("/events").asString())
                .getList("$");
        assertThat(newer).extracting(e -> e.get("type")).containsExactly("io.knative.lambda.invoke",
                "io.knative.lambda.response.success");
        assertThat(Long.parseLong(given().get("/events?limit=1").header("Klambda-Last-Event")))
                .isEqualTo(Long.parseLong(last) + 2);
        given().get("/events?after=x").then().statusCode(400).body("error", equalTo("BadRequest"));
    }

    @Test
    void aStructuredEventIsAcceptedToo() {
        String functionId = deploy();

        given().contentType("application/cloudevents+json").body(Map.of("specversion", "1.0", "id", "s-" + functionId,
                "source", "/test", "type", "io.knative.lambda.invoke", "subject", functionId, "datacontenttype",
                "application/json", "data", Map.of("x", 1))).post("/knative-lambda/knative-lambda").then().statusCode(202);

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(events("io.knative.lambda.response.success", functionId)).hasSize(1));
    }

    @Test
    void aTransientFunctionFailureIsRetriedAndAClientErrorIsPublishedAsResponseError() {
        String functionId = deploy();
        statuses.add(503);

        invoke(functionId, "retry-" + UUID.randomUUID());
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(events("io.knative.lambda.response.success", functionId)).hasSize(1));
        assertThat(calls.get()).isEqualTo(2);

        statuses.add(400);
        invoke(functionId, "bad-" + UUID.randomUUID());
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(events("io.knative.lambda.response.error", functionId)).hasSize(1));
        assertThat(calls.get()).as("a 400 is not retried").isEqualTo(3);
    }

    @Test
    void anInvokeOfAFunctionThatDoesNotExistEndsInAResponseErrorNotSilence() {
        String functionId = "nobody-" + UUID.randomUUID();

        invoke(functionId, "lost-" + UUID.randomUUID());

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(events("io.knative.lambda.response.error", functionId)).hasSize(1));
        assertThat(events("io.knative.lambda.response.error", functionId).get(0)).containsEntry("data",
                Map.of("error", "FunctionNotFound", "message", "no function '" + functionId + "' is deployed"));
    }

    @Test
    void aFunctionOfAnotherScopeOrKindThatReusesAnIdNeverReceivesTheFirstOnesInvocations() throws IOException {
        String id = "shared-" + UUID.randomUUID();
        ConcurrentLinkedQueue<String> otherReceived = new ConcurrentLinkedQueue<>();
        HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        other.createContext("/", exchange -> {
            otherReceived.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("{}".getBytes(StandardCharsets.UTF_8));
            exchange.close();
        });
        other.start();
        try {
            String parser = deploy("parser", id, "http://127.0.0.1:" + function.getAddress().getPort() + "/");
            String tenantB = deploy("other", id, "http://127.0.0.1:" + other.getAddress().getPort() + "/");

            invoke(parser, "for-parser-" + id);
            invoke(tenantB, "for-other-" + id);

            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(received).singleElement().asString().contains("\"parser_id\":\"" + parser + "\"");
                assertThat(otherReceived).singleElement().asString().contains("\"parser_id\":\"" + tenantB + "\"");
            });
            assertThat(JsonPath.from(given().get("/routes").asString()).getMap("$")).doesNotContainKey(id);
        } finally {
            other.stop(0);
        }
    }

    @Test
    void anInvokeOfAFunctionWhoseProcessIsDownIsAnsweredWithFunctionUnavailableAfterOneCall() {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // a deployed function whose process is gone: its port refuses connections, as while the local cluster restarts it
        String functionId = deploy("http://127.0.0.1:" + closed + "/");

        invoke(functionId, "down-" + UUID.randomUUID());

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(events("io.knative.lambda.response.error", functionId)).hasSize(1));
        Map<String, Object> error = events("io.knative.lambda.response.error", functionId).get(0);
        assertThat(((Map<?, ?>) error.get("data")).get("error")).isEqualTo("FunctionUnavailable");
        assertThat(String.valueOf(((Map<?, ?>) error.get("data")).get("message"))).contains(functionId, "down");
        assertThat(calls.get()).isZero();
    }

    @Test
    void badRequestsGetA4xxWithAJsonBody() {
        given().header("ce-specversion", "1.0").header("ce-id", "x").header("ce-type", "io.knative.lambda.invoke")
                .contentType("application/json").body("{}").post("/")
                .then().statusCode(400).body("error", equalTo("InvalidEvent"));
        given().contentType("application/json").body("{}").post("/")
                .then().statusCode(415).body("error", equalTo("UnsupportedMediaType"));
        given().contentType("application/cloudevents+json").body("[1]").post("/")
                .then().statusCode(400).body("error", equalTo("InvalidEvent"))
                .body("message", equalTo("the structured CloudEvent is not a JSON object"));
        given().contentType("application/cloudevents+json")
                .body("{\"specversion\":\"1.0\",\"id\":\"b\",\"source\":\"/me\",\"type\":\"t\",\"data_base64\":\"%%%\"}")
                .post("/")
                .then().statusCode(400).body("error", equalTo("InvalidEvent"))
                .body("message", startsWith("the structured CloudEvent is not valid: data_base64 is not base64"));
    }
}
