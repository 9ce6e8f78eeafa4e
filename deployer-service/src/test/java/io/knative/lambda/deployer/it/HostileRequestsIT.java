package io.knative.lambda.deployer.it;

import static io.knative.lambda.deployer.TestBuilds.build;
import static io.knative.lambda.deployer.TestBuilds.digest;
import static io.knative.lambda.deployer.TestBuilds.newId;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.knative.lambda.testsupport.RawHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/**
 * The deployer's HTTP surface as a hostile client uses it: every malformed request gets its 4xx with a JSON
 * body and writes nothing to the cluster; malformed HTTP gets the JSON error too.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = KnativeCrds.class)
class HostileRequestsIT extends MockApiTestBase {

    private static RequestSpecification buildCompleted(String id) {
        return given().header("ce-specversion", "1.0").header("ce-id", "b-" + id).header("ce-source", "/test/hostile")
                .header("ce-type", "io.knative.lambda.build.completed").header("ce-subject", id);
    }

    @ParameterizedTest(name = "{0} /")
    @ValueSource(strings = { "PUT", "GET", "DELETE", "PATCH" })
    void everyMethodButPostOnTheRootIs405AndDeploysNothing(String method) {
        String id = newId("put");

        buildCompleted(id).contentType("application/json").body(Events.JSON.valueToTree(build(id, digest('a'))).toString())
                .request(method, "/").then().statusCode(405).header("Allow", "POST").contentType("application/json")
                .body("error", equalTo("MethodNotAllowed"));
        assertThat(service("parser-" + id)).isNull();
    }

    @Test
    void truncatedJsonDataIs400AndDeploysNothing() {
        String id = newId("truncated");

        buildCompleted(id).contentType("application/json").body("{\"functionId\":\"" + id + "\",\"image\":").post("/")
                .then().statusCode(400).body("error", equalTo("InvalidEvent")).body("message", containsString("not valid JSON"));
        assertThat(service("parser-" + id)).isNull();
    }

    @Test
    void requestsThatAreNoCloudEventOrCarryNoJsonAre415() {
        given().contentType("application/json").body("{\"functionId\":\"x\"}").post("/")
                .then().statusCode(415).body("error", equalTo("UnsupportedMediaType"));
        buildCompleted(newId("text")).contentType("text/plain").body("hello".getBytes(StandardCharsets.UTF_8)).post("/")
                .then().statusCode(415).body("error", equalTo("UnsupportedMediaType")).body("message", containsString("text/plain"));
    }

    @Test
    void aBinaryEventWithoutCeIdIs400() {
        given().header("ce-specversion", "1.0").header("ce-source", "/t").header("ce-type", "io.knative.lambda.build.completed")
                .contentType("application/json").body("{}").post("/")
                .then().statusCode(400).body("error", equalTo("InvalidEvent")).body("message", containsString("id"));
    }

    @Test
    void aStructuredEventIsAcceptedWhateverCharsetTheClientDeclares() {
        String id = newId("charset");

        given().contentType("application/cloudevents+json; charset=ISO-8859-1").body("{\"specversion\":\"1.0\",\"id\":\"s-" + id
                + "\",\"source\":\"/t\",\"type\":\"io.knative.lambda.rollback.requested\",\"subject\":\"" + id
                + "\",\"data\":{\"revision\":\"parser-" + id + "-00001\"}}").post("/")
                .then().statusCode(200).contentType("application/cloudevents+json").body("type", equalTo("io.knative.lambda.deploy.failed"));
    }

    @Test
    void anyOtherPathIs404EvenWhereLocalModeOnceListedServices() {
        given().get("/ksvc").then().statusCode(404).body("error", equalTo("NotFound"));
    }

    @Test
    void healthAndMetricsTakeGetAndHeadOnly() {
        given().get("/q/health/live").then().statusCode(200);
        given().body("{}").post("/q/metrics").then().statusCode(405).header("Allow", "GET, HEAD");
    }

    static Stream<Arguments> malformedHttp() {
        String head = "POST / HTTP/1.1\r\nHost: x\r\nce-specversion: 1.0\r\nce-id: raw\r\nce-source: /t\r\n"
                + "ce-type: io.knative.lambda.build.completed\r\nContent-Type: application/json\r\n";
        return Stream.of(
                Arguments.of("chunk size zz", head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding with Content-Length",
                        head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("Content-Length -5", head + "Content-Length: -5\r\n\r\n"),
                Arguments.of("a control character in ce-subject", head + "ce-subject: a\u001bb\r\nContent-Length: 2\r\n\r\n{}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHttp")
    void malformedHttpGets400WithTheJsonError(String what, String request) {
        RawHttp.Response response = RawHttp.exchange(RestAssured.port, request);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("content-type")).isEqualTo("application/json");
        assertThat(Events.parse(response.body()).path("error").asText()).isEqualTo("BadRequest");
    }
}
