package io.knative.lambda.builder.it;

import static io.knative.lambda.builder.it.BuilderIT.assertFailed;
import static io.knative.lambda.builder.it.CloudEvents.S3_PUT;
import static io.knative.lambda.builder.it.CloudEvents.binary;
import static io.knative.lambda.builder.it.CloudEvents.put;
import static io.knative.lambda.builder.it.CloudEvents.s3Record;
import static io.knative.lambda.builder.it.CloudEvents.structured;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** One test per permanent failure and per malformed request: each gets its stable reason or status. */
@QuarkusTest
@WithTestResource(BuilderServers.class)
class BuilderFailuresIT {

    @Test
    void aMissingObjectIsSourceNotFound() {
        String id = CloudEvents.newId("missing");
        assertFailed(binary(S3_PUT, "e-" + id, s3Record(BuilderServers.BUCKET, "global/parser/" + id, 10)),
                "SourceNotFound", id).contains("global/parser/" + id);
    }

    @Test
    void aKeyThatIsNoFunctionIdIsInvalidFunctionIdAndNothingIsFetched() {
        String key = "global/Parser/Upper_Case";
        put(key, "x".getBytes(), Map.of());
        assertFailed(binary(S3_PUT, "e-invalid", s3Record(BuilderServers.BUCKET, key, 1)), "InvalidFunctionId", key)
                .contains("Parser");
    }

    @Test
    void aServiceNameOver63CharactersIsRefusedNotTruncated() {
        String id = "a".repeat(60);
        String key = "global/parser/" + id;
        put(key, "x".getBytes(), Map.of());
        assertFailed(binary(S3_PUT, "e-long", s3Record(BuilderServers.BUCKET, key, 1)), "FunctionNameTooLong", key)
                .contains("67").contains("63");
    }

    @Test
    void anObjectOverTheSizeLimitIsSourceTooLarge() {
        String id = CloudEvents.newId("big");
        String key = "global/parser/" + id;
        byte[] big = new byte[10 * 1024 * 1024 + 1];
        put(key, big, Map.of());
        assertFailed(binary(S3_PUT, "e-" + id, s3Record(BuilderServers.BUCKET, key, big.length)), "SourceTooLarge", id)
                .contains("10485760");
    }

    @Test
    void anExtensionOfNoRuntimeIsUnsupportedRuntime() {
        String id = CloudEvents.newId("rb");
        String key = "global/parser/" + id + ".rb";
        put(key, "def handler(e) = e".getBytes(), Map.of());
        assertFailed(binary(S3_PUT, "e-" + id, s3Record(BuilderServers.BUCKET, key, 18)), "UnsupportedRuntime", id)
                .contains(".rb");
    }

    @Test
    void buildRequestedWithoutAKeyIsInvalidEvent() {
        assertFailed(binary("io.knative.lambda.build.requested", "e-nokey", Map.of("bucket", BuilderServers.BUCKET)),
                "InvalidEvent", null);
    }

    @Test
    void anS3EventWhoseDataIsNoRecordIsInvalidEvent() {
        assertFailed(structured(S3_PUT, "e-norecord", Map.of("hello", "world")), "InvalidEvent", null);
    }

    @Test
    void anEventTypeTheBuilderDoesNotHandleIs400NotTheRetried404() {
        binary("io.knative.lambda.deploy.completed", "e-other", Map.of("functionId", "x"))
                .then().statusCode(400).contentType("application/json")
                .body("error", equalTo("UnsupportedEventType"))
                .body("message", containsString("io.knative.lambda.deploy.completed"));
        binary("com.amazonaws.s3.ObjectRemoved:Delete", "e-removed", Map.of())
                .then().statusCode(400).body("error", equalTo("UnsupportedEventType"));
    }

    @Test
    void aBinaryEventWithoutCeSourceIs400() {
        given().header("ce-specversion", "1.0").header("ce-id", "e-nosource")
                .header("ce-type", "io.knative.lambda.build.requested")
                .contentType("application/json").body("{\"bucket\":\"functions\",\"key\":\"global/parser/x\"}")
                .post("/")
                .then().statusCode(400).contentType("application/json")
                .body("error", equalTo("InvalidEvent"))
                .body("message", containsString("source"));
    }

    @Test
    void aStructuredEventWithoutTypeIs400() {
        given().contentType("application/cloudevents+json")
                .body("{\"specversion\":\"1.0\",\"id\":\"e-notype\",\"source\":\"/t\",\"data\":{}}")
                .post("/")
                .then().statusCode(400).contentType("application/json").body("error", equalTo("InvalidEvent"));
    }

    @Test
    void aStructuredEventThatIsNotJsonIs400() {
        given().contentType("application/cloudevents+json").body("{not json").post("/")
                .then().statusCode(400).contentType("application/json").body("error", equalTo("InvalidEvent"));
    }

    @Test
    void anUnsupportedSpecVersionIs400() {
        given().header("ce-specversion", "0.3").header("ce-id", "e-old").header("ce-source", "/t")
                .header("ce-type", "io.knative.lambda.build.requested").contentType("application/json").body("{}")
                .post("/")
                .then().statusCode(400).body("error", equalTo("InvalidEvent")).body("message", containsString("0.3"));
    }
}
