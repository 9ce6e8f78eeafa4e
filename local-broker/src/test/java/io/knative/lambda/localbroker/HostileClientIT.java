package io.knative.lambda.localbroker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.sun.net.httpserver.HttpServer;

import io.knative.lambda.testsupport.RawHttp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * The local broker as a hostile client uses it, over a real Kafka: whatever it refuses it refuses at the
 * ingress (never 202 and then silence), malformed HTTP gets a JSON answer, and an invoke whose function
 * answers 400 costs exactly one delivery.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
class HostileClientIT {

    /** A function answering 200 with 2 MB. */
    private static final int HUGE = 299;
    /** Functions that always answer with their status: path = function id. */
    private HttpServer functions;
    private final Map<String, Integer> statusOf = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> callsOf = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> ceIds = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void startFunctions() throws IOException {
        functions = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        functions.createContext("/", exchange -> {
            String id = exchange.getRequestURI().getPath().substring(1);
            callsOf.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            ceIds.add(exchange.getRequestHeaders().getFirst("ce-id"));
            exchange.getRequestBody().readAllBytes();
            int status = statusOf.getOrDefault(id, 200);
            byte[] body = (status == HUGE ? "[" + "1,".repeat(1_000_000) + "1]"
                    : status == 200 ? "{\"ok\":true}" : "{\"error\":\"InvalidJson\",\"message\":\"the body is not valid JSON\"}")
                    .getBytes(StandardCharsets.UTF_8);
            status = status == HUGE ? 200 : status;
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        functions.start();
    }

    @AfterEach
    void stopFunctions() {
        functions.stop(0);
    }

    private String deploy(int status) {
        String functionId = "fn-" + UUID.randomUUID();
        statusOf.put(functionId, status);
        String url = "http://127.0.0.1:" + functions.getAddress().getPort() + "/" + functionId;
        given().header("ce-specversion", "1.0").header("ce-id", "deploy-" + functionId)
                .header("ce-source", "/knative-lambda/deployer").header("ce-type", "io.knative.lambda.deploy.completed")
                .header("ce-subject", functionId).contentType("application/json")
                // the route is the Service name, the subject of the invokes: here the same string as the id
                .body(Map.of("functionId", functionId, "service", functionId, "url", url, "revision", "r1")).post("/")
                .then().statusCode(202);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(JsonPath.from(given().get("/routes").asString()).getMap("$")).containsEntry(functionId, url));
        return functionId;
    }

    private static RequestSpecification ce(String type, String id) {
        return given().header("ce-specversion", "1.0").header("ce-id", id).header("ce-source", "/test/hostile")
                .header("ce-type", type);
    }

    private static List<Map<String, Object>> events(String type, String subject) {
        return JsonPath.from(given().queryParam("type", type).queryParam("subject", subject).get("/events").asString())
                .getList("$");
    }

    @Test
    void aBuildRequestedWithTruncatedJsonDataIs400AtTheIngressAndNeverReachesTheBus() {
        String id = "truncated-" + UUID.randomUUID();

        ce("io.knative.lambda.build.requested", id).header("ce-subject", id).contentType("application/json")
                .body("{\"bucket\":\"functions\",\"key\":").post("/")
                .then().statusCode(400).contentType("application/json").body("error", equalTo("InvalidEvent"))
                .body("message", containsString("not valid JSON"));

        String probe = "probe-" + UUID.randomUUID();
        ce("io.knative.lambda.build.requested", probe).header("ce-subject", probe).contentType("application/json")
                .body("{}").post("/").then().statusCode(202);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(events("io.knative.lambda.build.requested", probe)).hasSize(1));
        assertThat(JsonPath.from(given().queryParam("subject", id).get("/events").asString()).getList("$"))
                .as("nothing of the refused event on the bus").isEmpty();
    }

    @Test
    void anInvokeWhoseFunctionAnswers400IsDeliveredOnceAndItsErrorPublishedWithTheStatus() {
        String functionId = deploy(400);
        String invoke = "inv-" + UUID.randomUUID();

        ce("io.knative.lambda.invoke", invoke).header("ce-subject", functionId).contentType("application/json")
                .body(("[".repeat(900) + "]".repeat(900)).getBytes(StandardCharsets.UTF_8)).post("/").then().statusCode(202);

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(events("io.knative.lambda.response.error", functionId)).hasSize(1));
        Map<String, Object> error = events("io.knative.lambda.response.error", functionId).get(0);
        assertThat(error).containsEntry("knativeerrorcode", "400")
                .containsEntry("data", Map.of("error", "InvalidJson", "message", "the body is not valid JSON"));
        assertThat(callsOf.get(functionId).get()).as("a 400 is not retried").isEqualTo(1);
    }

    @Test
    void aFunctionAnsweringMoreThanTheBusTakesGetsOneResponseErrorNotALostAnswer() {
        String functionId = deploy(HUGE);

        ce("io.knative.lambda.invoke", "inv-" + UUID.randomUUID()).header("ce-subject", functionId)
                .contentType("application/json").body("{}").post("/").then().statusCode(202);

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(events("io.knative.lambda.response.error", functionId)).hasSize(1));
        assertThat(events("io.knative.lambda.response.error", functionId).get(0)).containsEntry("knativeerrorcode", "200")
                .extractingByKey("data").asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsEntry("error", "ResponseTooLarge");
        assertThat(callsOf.get(functionId).get()).isEqualTo(1);
    }

    static Stream<Arguments> statuses() {
        return Stream.of(400, 401, 403, 404, 408, 409, 410, 413, 415, 422, 429, 500, 501, 503)
                .map(s -> Arguments.of(s, s == 404 || s == 408 || s == 409 || s == 429 || s >= 500));
    }

    @ParameterizedTest(name = "{0} retried: {1}")
    @MethodSource("statuses")
    void knativesRetryRulesDecideHowOftenAFunctionIsCalled(int status, boolean retried) {
        String functionId = deploy(status);

        ce("io.knative.lambda.invoke", "inv-" + UUID.randomUUID()).header("ce-subject", functionId)
                .contentType("application/json").body("{}").post("/").then().statusCode(202);

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(events("io.knative.lambda.response.error", functionId)).hasSize(1));
        Map<String, Object> error = events("io.knative.lambda.response.error", functionId).get(0);
        assertThat(error).containsEntry("knativeerrorcode", String.valueOf(status));
        assertThat(callsOf.get(functionId).get()).isEqualTo(retried ? 3 : 1);
        assertThat(((Map<?, ?>) error.get("data")).get("error")).isEqualTo(retried ? "DeliveryFailed" : "InvalidJson");
    }

    @Test
    void attributeValuesArePercentDecodedAtTheIngressAndEncodedAgainForTheFunction() {
        String functionId = deploy(200);
        String suffix = UUID.randomUUID().toString();

        ce("io.knative.lambda.invoke", "caf%C3%A9%20" + suffix).header("ce-subject", functionId)
                .contentType("application/json").body("{}").post("/").then().statusCode(202);

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(ceIds).contains("caf%C3%A9%20" + suffix));
        assertThat(events("io.knative.lambda.invoke", functionId)).anySatisfy(e -> assertThat(e).containsEntry("id",
                "café " + suffix));
    }

    @Test
    void jsonNested100000DeepIsRefusedAtTheIngressAndNeverDelivered() {
        String functionId = deploy(200);

        ce("io.knative.lambda.invoke", "deep-" + UUID.randomUUID()).header("ce-subject", functionId)
                .contentType("application/json")
                .body(("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.UTF_8)).post("/")
                .then().statusCode(400).body("error", equalTo("InvalidEvent")).body("message", containsString("deeper than 1000"));
        assertThat(callsOf).doesNotContainKey(functionId);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("two ce-type headers", Map.of("ce-type", List.of("a", "b")), "application/json", bytes("{}"), 400,
                        "InvalidEvent"),
                Arguments.of("specversion 0.3", Map.of("ce-specversion", List.of("0.3")), "application/json", bytes("{}"), 400,
                        "InvalidEvent"),
                Arguments.of("JSON not UTF-8", Map.of(), "application/json; charset=iso-8859-1",
                        "{\"k\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1), 400, "InvalidEvent"),
                Arguments.of("a key twice", Map.of(), "application/json", bytes("{\"a\":1,\"a\":2}"), 400, "InvalidEvent"),
                Arguments.of("a batch", Map.of(), "application/cloudevents-batch+json", bytes("[]"), 415, "UnsupportedMediaType"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void malformedEventsAreRefusedWithAJsonBody(String what, Map<String, List<String>> override, String contentType, byte[] body,
            int status, String code) {
        Map<String, List<String>> headers = new LinkedHashMap<>(Map.of("ce-specversion", List.of("1.0"),
                "ce-id", List.of("r-" + UUID.randomUUID()), "ce-source", List.of("/t"), "ce-type", List.of("io.knative.lambda.invoke")));
        headers.putAll(override);
        RequestSpecification request = given().contentType(contentType).body(body);
        headers.forEach((name, values) -> values.forEach(v -> request.header(name, v)));

        request.post("/").then().statusCode(status).contentType("application/json").body("error", equalTo(code));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "/", "/events", "/routes" })
    void aMethodAPathDoesNotTakeIs405WithAllow(String path) {
        String allow = path.equals("/") ? "POST" : "GET";
        String wrong = path.equals("/") ? "GET" : "POST";

        given().body("{}").request(wrong, path).then().statusCode(405).header("Allow", allow)
                .contentType("application/json").body("error", equalTo("MethodNotAllowed"));
        given().delete(path).then().statusCode(405).header("Allow", allow);
    }

    @Test
    void unknownPathsOversizedBodiesAndHealthWritesGetJsonErrors() {
        given().get("/nothing/here/at/all").then().statusCode(404).contentType("application/json").body("error", equalTo("NotFound"));
        ce("io.knative.lambda.invoke", "big").contentType("application/json").body(new byte[2 * 1024 * 1024]).post("/")
                .then().statusCode(413).contentType("application/json").body("error", equalTo("PayloadTooLarge"));
        given().body("{}").post("/q/health").then().statusCode(405).header("Allow", "GET, HEAD");
        given().queryParam("limit", "99999999999999999999").get("/events").then().statusCode(400)
                .contentType("application/json").body("error", equalTo("BadRequest"));
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void anEventUnderTheBodyLimitButLargerThanKafkaTakesIs413NotARetried503() {
        byte[] almost1MiB = ("{\"pad\":\"" + "x".repeat(1_048_560) + "\"}").getBytes(StandardCharsets.UTF_8);

        ce("io.knative.lambda.invoke", "large-" + UUID.randomUUID()).contentType("application/json").body(almost1MiB).post("/")
                .then().statusCode(413).contentType("application/json").body("error", equalTo("PayloadTooLarge"))
                .body("message", containsString("Kafka"));
    }

    @Test
    void theEventLogKeepsNoLargeDataOnlyItsSize() {
        String subject = "big-" + UUID.randomUUID();
        byte[] big = ("{\"pad\":\"" + "x".repeat(200_000) + "\"}").getBytes(StandardCharsets.UTF_8);

        ce("io.knative.lambda.build.requested", subject).header("ce-subject", subject).contentType("application/json")
                .body(big).post("/").then().statusCode(202);

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(events("io.knative.lambda.build.requested", subject)).hasSize(1));
        assertThat(events("io.knative.lambda.build.requested", subject).get(0))
                .containsEntry("knativelambdadatasize", String.valueOf(big.length)).doesNotContainKey("data");
    }

    static Stream<Arguments> malformedHttp() {
        String head = "POST / HTTP/1.1\r\nHost: x\r\nce-specversion: 1.0\r\nce-id: raw\r\nce-source: /t\r\n"
                + "ce-type: io.knative.lambda.invoke\r\nContent-Type: application/json\r\n";
        return Stream.of(
                Arguments.of("chunk size zz", head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400),
                Arguments.of("Transfer-Encoding with Content-Length",
                        head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("Content-Length ten", head + "Content-Length: ten\r\n\r\n", 400),
                Arguments.of("Transfer-Encoding xchunked", head + "Transfer-Encoding: xchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400),
                Arguments.of("NUL in a header", "POST / HTTP/1.1\r\nHost: x\r\nce-id: a\u0000b\r\nContent-Length: 2\r\n\r\n{}", 400),
                Arguments.of("a 10 KB request line", "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHttp")
    void malformedHttpGetsAJsonAnswerNotASilentClose(String what, String request, int status) {
        RawHttp.Response response = RawHttp.exchange(RestAssured.port, request);

        assertThat(response.status()).isEqualTo(status);
        assertThat(response.header("content-type")).isEqualTo("application/json");
        assertThat(JsonPath.from(response.body()).getString("error")).isIn("BadRequest", "UriTooLong");
    }

    @Test
    void clientsThatStopMidBodyDoNotStopTheIngress() {
        for (int i = 0; i < 20; i++) {
            RawHttp.sendAndClose(RestAssured.port, "POST / HTTP/1.1\r\nHost: x\r\nce-specversion: 1.0\r\nce-id: cut\r\n"
                    + "ce-source: /t\r\nce-type: t\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"a\":");
        }

        ce("io.knative.lambda.build.requested", "after-" + UUID.randomUUID()).contentType("application/json").body("{}")
                .post("/").then().statusCode(202);
    }
}
