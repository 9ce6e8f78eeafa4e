package io.knative.lambda.builder.it;

import static io.knative.lambda.builder.it.CloudEvents.binary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** The S3 server is down (nothing listens where KLAMBDA_S3_ENDPOINT points): 503 and no reply. */
@QuarkusTest
@WithTestResource(value = BuilderServers.class, initArgs = @ResourceArg(name = "down", value = "s3"))
class S3DownIT {

    @Test
    void aBuildAnswers503WithoutAReplyEvent() {
        Response reply = binary("io.knative.lambda.build.requested", "e-s3down",
                Map.of("bucket", BuilderServers.BUCKET, "key", "global/parser/s3-down"));

        reply.then().statusCode(503).contentType("application/json").body("error", equalTo("SourceUnavailable"));
        assertThat(reply.header("ce-type")).as("no reply event").isNull();
    }
}
