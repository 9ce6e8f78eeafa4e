package io.knative.lambda.builder.it;

import static io.knative.lambda.builder.it.CloudEvents.S3_PUT;
import static io.knative.lambda.builder.it.CloudEvents.binary;
import static io.knative.lambda.builder.it.CloudEvents.put;
import static io.knative.lambda.builder.it.CloudEvents.s3Record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** The registry is down (nothing listens where KLAMBDA_REGISTRY points): 503 and no reply, so the broker retries. */
@QuarkusTest
@WithTestResource(value = BuilderServers.class, initArgs = @ResourceArg(name = "down", value = "registry"))
class RegistryDownIT {

    @Test
    void aBuildAnswers503WithoutAReplyEvent() {
        String id = CloudEvents.newId("regdown");
        String key = "global/parser/" + id;
        put(key, "def handler(e):\n    return e\n".getBytes(), Map.of());

        Response reply = binary(S3_PUT, "e-" + id, s3Record(BuilderServers.BUCKET, key, 28));

        reply.then().statusCode(503).contentType("application/json")
                .header("Retry-After", "5")
                .body("error", equalTo("RegistryUnavailable"))
                .body("message", containsString("connection refused"));
        assertThat(reply.header("ce-type")).as("no reply event").isNull();
    }
}
