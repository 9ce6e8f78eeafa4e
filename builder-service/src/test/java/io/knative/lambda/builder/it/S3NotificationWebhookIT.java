package io.knative.lambda.builder.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.events.Fixtures;
import io.knative.lambda.testsupport.RecordingSink;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** {@code POST /s3/notifications}: raw S3 notification JSON in, AWS-S3 CloudEvents out at K_SINK. */
@QuarkusTest
@WithTestResource(BuilderServers.class)
class S3NotificationWebhookIT {

    @BeforeEach
    void resetSink() {
        BuilderServers.sink.clear();
        BuilderServers.sink.answer(202);
    }

    static Stream<Arguments> notifications() {
        return Stream.of(
                Arguments.of(Fixtures.AWS_PUT, "com.amazonaws.s3.ObjectCreated:Put", "global/parser/my-parser-0b7e6c1a",
                        "aws:s3.us-east-1.knative-lambda-fusion-modules-tmp"),
                Arguments.of(Fixtures.MINIO_PUT, "com.amazonaws.s3.ObjectCreated:Put", "acme/parser/invoice-parser.py",
                        "minio:s3..functions"),
                Arguments.of(Fixtures.AWS_DELETE, "com.amazonaws.s3.ObjectRemoved:Delete", "global/parser/my-parser-0b7e6c1a",
                        "aws:s3.eu-west-1.knative-lambda-fusion-modules-tmp"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notifications")
    void eachRecordReachesTheSinkAsABinaryCloudEvent(String fixture, String type, String key, String source) {
        String body = Fixtures.read(fixture);

        BuilderServers.webhook().contentType("application/json").body(body).post("/s3/notifications")
                .then().statusCode(200).body("forwarded", equalTo(1));

        List<RecordingSink.Received> received = BuilderServers.sink.received();
        assertThat(received).hasSize(1);
        RecordingSink.Received event = received.get(0);
        assertThat(event.header("ce-specversion")).isEqualTo("1.0");
        assertThat(event.header("ce-type")).isEqualTo(type);
        assertThat(event.header("ce-subject")).isEqualTo(key);
        assertThat(event.header("ce-source")).isEqualTo(source);
        assertThat(event.header("ce-id")).isNotBlank();
        assertThat(event.header("content-type")).startsWith("application/json");
        JsonNode record = CloudEvents.parse(event.body());
        JsonNode original = CloudEvents.parse(body).path("Records").get(0);
        assertThat(record).as("the record travels unchanged as the data").isEqualTo(original);
    }

    @Test
    void everyRecordOfANotificationIsForwardedWithItsOwnId() {
        BuilderServers.webhook().contentType("application/json").body(Fixtures.read(Fixtures.TWO_RECORDS)).post("/s3/notifications")
                .then().statusCode(200).body("forwarded", equalTo(2));

        assertThat(BuilderServers.sink.received()).extracting(r -> r.header("ce-id")).containsExactly("REQ1.HOST1", "REQ2.HOST2");
    }

    @Test
    void aRefusingSinkMakesTheWebhookAnswer5xxSoThatS3Retries() {
        BuilderServers.sink.answer(500);

        BuilderServers.webhook().contentType("application/json").body(Fixtures.read(Fixtures.AWS_PUT)).post("/s3/notifications")
                .then().statusCode(502).contentType("application/json").body("error", equalTo("SinkRejected"));
    }

    private static String record(String eventName, String encodedKey) {
        return "{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":\"us-east-1\","
                + "\"eventTime\":\"2026-01-01T00:00:00.000Z\",\"eventName\":\"" + eventName + "\","
                + "\"responseElements\":{\"x-amz-request-id\":\"R" + Math.abs(encodedKey.hashCode()) + "\","
                + "\"x-amz-id-2\":\"H\"},\"s3\":{\"s3SchemaVersion\":\"1.0\",\"bucket\":{\"name\":\"functions\"},"
                + "\"object\":{\"key\":\"" + encodedKey + "\",\"size\":10,\"sequencer\":\"1\"}}}";
    }

    @Test
    void aKeyThatNamesNoFunctionIsAnsweredWithBuildFailedAndTheGoodRecordBehindItStillGoesThrough() {
        String body = "{\"Records\":[" + record("ObjectCreated:Put", "global/parser/bad%zz") + ","
                + record("ObjectCreated:Put", "global/parser/good-one") + "]}";

        BuilderServers.webhook().contentType("application/json").body(body).post("/s3/notifications")
                .then().statusCode(200).body("forwarded", equalTo(1));

        List<RecordingSink.Received> received = BuilderServers.sink.received();
        assertThat(received).extracting(r -> r.header("ce-type")).containsExactly("io.knative.lambda.build.failed",
                "com.amazonaws.s3.ObjectCreated:Put");
        assertThat(CloudEvents.parse(received.get(0).body()).path("reason").asText()).isEqualTo("InvalidFunctionId");
        assertThat(received.get(1).header("ce-subject")).isEqualTo("global/parser/good-one");
    }

    static Stream<Arguments> encodedKeys() {
        return Stream.of(
                Arguments.of("a literal %61", "global/parser/x%2561", "global/parser/x%61"),
                Arguments.of("a literal %2F", "global/parser/x%252F", "global/parser/x%2F"),
                Arguments.of("a plus sign", "global/parser/a%2Bb", "global/parser/a+b"),
                Arguments.of("spaces", "global/parser/a+b+c", "global/parser/a b c"),
                Arguments.of("an emoji", "global/parser/smile%F0%9F%98%80", "global/parser/smile\uD83D\uDE00"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encodedKeys")
    void aKeyIsDecodedOnceAndTravelsPercentEncodedInTheSubjectHeader(String what, String encoded, String key) {
        BuilderServers.webhook().contentType("application/json").body("{\"Records\":[" + record("ObjectCreated:Put", encoded) + "]}")
                .post("/s3/notifications").then().statusCode(200);

        List<RecordingSink.Received> received = BuilderServers.sink.received();
        assertThat(received).hasSize(1);
        assertThat(io.knative.lambda.service.http.HeaderValues.decode(received.get(0).header("ce-subject"))).isEqualTo(key);
        assertThat(received.get(0).header("ce-subject")).as("header values are ASCII").matches("\\p{ASCII}*");
    }

    @Test
    void aBodyThatIsNoNotificationIs400AndNothingIsSent() {
        BuilderServers.webhook().contentType("application/json").body("{\"Records\":[{\"eventName\":\"ObjectCreated:Put\"}]}")
                .post("/s3/notifications")
                .then().statusCode(400).body("error", equalTo("InvalidEvent"));
        assertThat(BuilderServers.sink.received()).isEmpty();
    }

    @Test
    void aCallWithoutTheWebhookTokenOrWithAWrongOneIs401AndStartsNothing() {
        String body = Fixtures.read(Fixtures.AWS_PUT);

        given().contentType("application/json").body(body).post("/s3/notifications")
                .then().statusCode(401).header("WWW-Authenticate", "Bearer").contentType("application/json")
                .body("error", equalTo("Unauthorized"));
        given().header("Authorization", "Bearer " + BuilderServers.WEBHOOK_TOKEN + "x").contentType("application/json")
                .body(body).post("/s3/notifications").then().statusCode(401).body("error", equalTo("Unauthorized"));
        given().header("Authorization", "Basic " + BuilderServers.WEBHOOK_TOKEN).contentType("application/json")
                .body(body).post("/s3/notifications").then().statusCode(401);

        assertThat(BuilderServers.sink.received()).as("nothing reached the broker").isEmpty();
    }

    @Test
    void theOidcTokenKnativeMountsForTheSinkGoesWithEveryEvent() throws Exception {
        java.nio.file.Files.writeString(BuilderServers.sinkTokenFile, "sink-oidc-token\n");
        try {
            BuilderServers.webhook().contentType("application/json").body(Fixtures.read(Fixtures.AWS_PUT))
                    .post("/s3/notifications").then().statusCode(200);
        } finally {
            java.nio.file.Files.delete(BuilderServers.sinkTokenFile);
        }

        assertThat(BuilderServers.sink.received()).singleElement()
                .satisfies(r -> assertThat(r.header("authorization")).isEqualTo("Bearer sink-oidc-token"));
    }
}
