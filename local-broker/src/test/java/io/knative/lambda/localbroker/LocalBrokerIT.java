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

    @BeforeEach
    void startFunction() throws IOException {
        function = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        function.createContext("/", exchange -> {
            calls.incrementAndGet();
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

    private String deploy() {
        return deploy("http://127.0.0.1:" + function.getAddress().getPort() + "/");
    }

    private String deploy(String url) {
        String functionId = "fn-" + UUID.randomUUID();
        given().header("ce-specversion", "1.0").header("ce-id", "deploy-" + functionId)
                .header("ce-source", "/knative-lambda/deployer").header("ce-type", "io.knative.lambda.deploy.completed")
                .header("ce-subject", functionId).contentType("application/json")
                .body(Map.of("functionId", functionId, "service", "parser-" + functionId, "namespace", "local",
                        "url", url, "revision", "r1", "image", "x@sha256:1", "durationMs", 1))
                .post("/").then().statusCode(202);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(JsonPath.from(given().get("/routes").asString()).getMap("$")).containsEntry(functionId, url));
        return functionId;
    }

    private static void invoke(String functionId, String id) {
        given().header("ce-specversion", "1.0").header("ce-id", id).header("ce-source", "/test")
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
