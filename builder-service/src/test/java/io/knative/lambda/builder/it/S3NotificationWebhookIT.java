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
