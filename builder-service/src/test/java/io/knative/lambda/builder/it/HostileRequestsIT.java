package io.knative.lambda.builder.it;

import static io.knative.lambda.builder.it.CloudEvents.S3_PUT;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.knative.lambda.testsupport.RawHttp;
import io.knative.lambda.testsupport.RegistryReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/**
 * The builder's {@code /} as a hostile client uses it: every malformed request gets its documented 4xx with a
 * JSON body (never a 404 that Knative would retry, never a 500, never a build), malformed HTTP included.
 */
@QuarkusTest
@WithTestResource(BuilderServers.class)
class HostileRequestsIT {

    private static final String CE_HEADERS = "ce-specversion: 1.0\r\nce-id: raw-1\r\nce-source: /test\r\n"
            + "ce-type: io.knative.lambda.build.requested\r\n";

    private static RequestSpecification event(String type) {
        return given().header("ce-specversion", "1.0").header("ce-id", CloudEvents.newId("hostile"))
                .header("ce-source", "/test/hostile").header("ce-type", type);
    }

    @Test
    void aBinaryEventWithoutCeIdIs400InvalidEventNotTheRetried404() {
        given().header("ce-specversion", "1.0").header("ce-source", "/test").header("ce-type", "io.knative.lambda.build.requested")
                .contentType("application/json").body("{\"bucket\":\"functions\",\"key\":\"global/parser/x\"}").post("/")
                .then().statusCode(400).contentType("application/json").body("error", equalTo("InvalidEvent"))
                .body("message", equalTo("the CloudEvent lacks required attribute(s) id"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "text/plain", "application/xml", "application/octet-stream" })
    void ceHeadersWithDataThatIsNotJsonAre415NotA500(String mediaType) {
        event("io.knative.lambda.build.requested").contentType(mediaType).body("bucket=functions".getBytes(StandardCharsets.UTF_8))
                .post("/")
                .then().statusCode(415).contentType("application/json").body("error", equalTo("UnsupportedMediaType"))
                .body("message", containsString(mediaType));
    }

    @Test
    void plainJsonWithoutCeHeadersIs415NotA404() {
        given().contentType("application/json").body("{\"bucket\":\"functions\",\"key\":\"global/parser/x\"}").post("/")
                .then().statusCode(415).contentType("application/json").body("error", equalTo("UnsupportedMediaType"));
    }

    @ParameterizedTest(name = "{0} /")
    @ValueSource(strings = { "PUT", "GET", "DELETE", "PATCH", "OPTIONS" })
    void everyMethodButPostOnTheRootIs405WithAllowAndNoBuildRuns(String method) {
        String id = CloudEvents.newId("put");
        String key = "global/parser/" + id;
        byte[] source = "def handler(event):\n    return event\n".getBytes(StandardCharsets.UTF_8);
        CloudEvents.put(key, source, Map.of());

        event("io.knative.lambda.build.requested").contentType("application/json")
                .body("{\"bucket\":\"" + BuilderServers.BUCKET + "\",\"key\":\"" + key + "\"}").request(method, "/")
                .then().statusCode(405).header("Allow", "POST").contentType("application/json")
                .body("error", equalTo("MethodNotAllowed"));
        assertThat(new RegistryReader(BuilderServers.registry.host()).manifestStatus(
                BuilderServers.REGISTRY_PATH + "/parser-" + id, BuilderIT.sha256(source))).as("no image was built").isEqualTo(404);
    }

    @Test
    void anObjectCreatedEventWithAnEmptyBodyIsBuildFailedInvalidEventNotA500() {
        event(S3_PUT).contentType("application/json").post("/")
                .then().statusCode(200).header("ce-type", "io.knative.lambda.build.failed")
                .body("reason", equalTo("InvalidEvent")).body("message", containsString("has no data"));
        event(S3_PUT).post("/")
                .then().statusCode(200).header("ce-type", "io.knative.lambda.build.failed").body("reason", equalTo("InvalidEvent"));
    }

    @Test
    void anAttributeHeaderGivenTwiceIs400() {
        given().header("ce-specversion", "1.0").header("ce-id", "dup").header("ce-source", "/test")
                .header("ce-type", "io.knative.lambda.build.requested").header("ce-type", S3_PUT)
                .contentType("application/json").body("{}").post("/")
                .then().statusCode(400).body("error", equalTo("InvalidEvent")).body("message", containsString("twice"));
    }

    static Stream<Arguments> badJson() {
        return Stream.of(
                Arguments.of("truncated", "{\"bucket\":\"functions\",\"key\":".getBytes(StandardCharsets.UTF_8), "end-of-input"),
                Arguments.of("trailing bytes", "{\"bucket\":\"b\"} x".getBytes(StandardCharsets.UTF_8), "Unrecognized token"),
                Arguments.of("a key twice", "{\"key\":\"a\",\"key\":\"b\"}".getBytes(StandardCharsets.UTF_8), "Duplicate field"),
                Arguments.of("not UTF-8", "{\"key\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1), "not UTF-8"),
                Arguments.of("nested 100,000 deep", ("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.UTF_8),
                        "deeper than 1000"),
                Arguments.of("a 5,000-digit number", ("{\"n\":" + "9".repeat(5000) + "}").getBytes(StandardCharsets.UTF_8),
                        "1000 digits"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badJson")
    void jsonDataThatIsNotStrictJsonIs400InvalidEvent(String what, byte[] body, String reason) {
        event("io.knative.lambda.build.requested").contentType("application/json").body(body).post("/")
                .then().statusCode(400).body("error", equalTo("InvalidEvent")).body("message", containsString(reason));
    }

    static Stream<Arguments> malformedHttp() {
        String post = "POST / HTTP/1.1\r\nHost: x\r\n" + CE_HEADERS + "Content-Type: application/json\r\n";
        return Stream.of(
                Arguments.of("chunk size zz", post + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400, "chunk size"),
                Arguments.of("Transfer-Encoding with Content-Length", post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "0\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "Transfer-Encoding"),
                Arguments.of("Transfer-Encoding xchunked", post + "Transfer-Encoding: xchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400,
                        "send 'chunked' alone"),
                Arguments.of("Transfer-Encoding chunked twice", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"
                        + "\r\n2\r\n{}\r\n0\r\n\r\n", 400, "send 'chunked' alone"),
                Arguments.of("HTTP/2.0 in an HTTP/1 request line", "POST / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "HTTP version"),
                Arguments.of("Content-Length -5", post + "Content-Length: -5\r\n\r\n", 400, "Content-Length"),
                Arguments.of("two Content-Lengths", post + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400, "Content-Length"),
                Arguments.of("control character in ce-id", "POST / HTTP/1.1\r\nHost: x\r\nce-specversion: 1.0\r\nce-id: a\u0001b\r\n"
                        + "ce-source: /t\r\nce-type: t\r\nContent-Length: 2\r\n\r\n{}", 400, "prohibited character"),
                Arguments.of("request line HELLO", "HELLO\r\n\r\n", 400, "malformed HTTP request"),
                Arguments.of("100 KB of headers", "POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(100_000) + "\r\n\r\n",
                        431, "headers are too large"),
                Arguments.of("no Host", "POST / HTTP/1.1\r\n" + CE_HEADERS + "Content-Length: 2\r\n\r\n{}", 400, "Host"),
                Arguments.of("undecodable path", "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, "not valid HTTP"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHttp")
    void malformedHttpIsAnsweredWithTheJsonErrorNotAnEmptyBodyOrASilentClose(String what, String request, int status,
            String reason) {
        RawHttp.Response response = RawHttp.exchange(RestAssured.port, request);

        assertThat(response.status()).isEqualTo(status);
        assertThat(response.header("content-type")).isEqualTo("application/json");
        assertThat(CloudEvents.parse(response.body()).path("error").asText())
                .isEqualTo(status == 431 ? "HeadersTooLarge" : status == 505 ? "HttpVersionNotSupported" : "BadRequest");
        assertThat(CloudEvents.parse(response.body()).path("message").asText()).contains(reason);
    }

    @Test
    void aMalformedRequestPipelinedBehindAGoodOneGetsItsAnswerAfterTheGoodOnesAnswer() {
        RawHttp.Response first = RawHttp.exchange(RestAssured.port, "POST / HTTP/1.1\r\nHost: x\r\n" + CE_HEADERS
                + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                + "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n");

        assertThat(first.status()).as("the good request's answer comes first").isEqualTo(200);
        assertThat(first.header("ce-type")).isEqualTo("io.knative.lambda.build.failed");
    }

    @Test
    void aClientThatStopsMidBodyCostsNothingAndTheServerKeepsServing() {
        for (int i = 0; i < 20; i++) {
            RawHttp.sendAndClose(RestAssured.port, "POST / HTTP/1.1\r\nHost: x\r\n" + CE_HEADERS
                    + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"bucket\":");
        }

        event(S3_PUT).contentType("application/json").post("/")
                .then().statusCode(200).header("ce-type", "io.knative.lambda.build.failed");
    }

    @Test
    void aBodyOverTheLimitIs413WithJson() {
        event("io.knative.lambda.build.requested").contentType("application/json").body(new byte[2 * 1024 * 1024]).post("/")
                .then().statusCode(413).contentType("application/json").body("error", equalTo("PayloadTooLarge"));
    }

    @Test
    void anUnknownPathIs404WithJson() {
        given().get("/build").then().statusCode(404).contentType("application/json").body("error", equalTo("NotFound"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "/q/health", "/q/health/ready", "/q/metrics" })
    void healthAndMetricsAnswerGetAndHeadOnly(String path) {
        given().get(path).then().statusCode(200);
        given().head(path).then().statusCode(200);
        given().body("{}").post(path).then().statusCode(405).header("Allow", "GET, HEAD").body("error", equalTo("MethodNotAllowed"));
        given().delete(path).then().statusCode(405);
    }

    @Test
    void theWebhookTakesPostOnly() {
        given().contentType("application/json").body("{\"Records\":[]}").put("/s3/notifications")
                .then().statusCode(405).header("Allow", "POST").body("error", equalTo("MethodNotAllowed"));
        given().get("/s3/notifications").then().statusCode(405).header("Allow", "POST");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badJson")
    void theWebhookRefusesJsonThatIsNotStrictJsonAndForwardsNothing(String what, byte[] body, String reason) {
        BuilderServers.sink.clear();

        BuilderServers.webhook().contentType("application/json").body(body).post("/s3/notifications")
                .then().statusCode(400).body("error", equalTo("InvalidEvent"))
                .body("message", startsWith("not an S3 event notification: the body is not valid JSON"))
                .body("message", containsString(reason));
        assertThat(BuilderServers.sink.received()).isEmpty();
    }

    @Test
    void theWebhookPercentEncodesAKeyWithSpacesPercentOrNonAsciiInCeSubject() {
        BuilderServers.sink.clear();
        BuilderServers.sink.answer(202);
        String record = CloudEvents.s3Record(BuilderServers.BUCKET, "global/parser/café 100%", 1).toString();

        BuilderServers.webhook().contentType("application/json").body("{\"Records\":[" + record + "]}").post("/s3/notifications")
                .then().statusCode(200).body("forwarded", equalTo(1));

        assertThat(BuilderServers.sink.received()).singleElement()
                .satisfies(r -> assertThat(r.header("ce-subject")).isEqualTo("global/parser/caf%C3%A9%20100%25"));
    }
}
