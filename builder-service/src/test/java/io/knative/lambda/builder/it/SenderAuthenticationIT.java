package io.knative.lambda.builder.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/**
 * With sender identity configured, the builder's {@code POST /} takes events only with a valid token of its own
 * Trigger, checked before the body is read or anything is built; the webhook keeps its own shared token.
 */
@QuarkusTest
@WithTestResource(BuilderServers.class)
@WithTestResource(TokenIssuerResource.class)
class SenderAuthenticationIT {

    private static RequestSpecification buildRequested(String id) {
        return given().header("ce-specversion", "1.0").header("ce-id", id).header("ce-source", "/test/auth")
                .header("ce-type", "io.knative.lambda.build.requested").contentType("application/json")
                .body(Map.of("bucket", BuilderServers.BUCKET, "key", "global/parser/" + id));
    }

    @Test
    void theTriggersTokenIsAcceptedAndTheEventHandled() {
        String id = CloudEvents.newId("authed");
        CloudEvents.put("global/parser/" + id, "def handler(e):\n    return e\n".getBytes(StandardCharsets.UTF_8), Map.of());

        buildRequested(id).header("Authorization", "Bearer " + TokenIssuerResource.issuer.token(TokenIssuerResource.TRIGGER,
                TokenIssuerResource.AUDIENCE)).post("/")
                .then().statusCode(200).header("ce-type", "io.knative.lambda.build.completed");
    }

    @Test
    void anAnonymousEventIs401WithAJsonBodyAndNothingIsBuilt() {
        long blobs = BuilderServers.registry.blobCount();

        buildRequested(CloudEvents.newId("anon")).post("/")
                .then().statusCode(401).header("WWW-Authenticate", "Bearer").contentType("application/json")
                .body("error", equalTo("Unauthorized"));

        assertThat(BuilderServers.registry.blobCount()).isEqualTo(blobs);
    }

    @Test
    void aValidTokenOfAnotherCallerOrForAnotherAudienceIs403() {
        buildRequested(CloudEvents.newId("other")).header("Authorization", "Bearer " + TokenIssuerResource.issuer.token(
                "system:serviceaccount:tenant-b:default", TokenIssuerResource.AUDIENCE)).post("/")
                .then().statusCode(403).body("error", equalTo("Forbidden"));
        buildRequested(CloudEvents.newId("aud")).header("Authorization", "Bearer " + TokenIssuerResource.issuer.token(
                TokenIssuerResource.TRIGGER, "knative-lambda-deployer")).post("/")
                .then().statusCode(403).body("error", equalTo("Forbidden"));
    }

    @Test
    void aForgedOrExpiredTokenIs401() {
        buildRequested(CloudEvents.newId("forged")).header("Authorization", "Bearer " + TokenIssuerResource.issuer
                .tokenWithAForgedSignature(TokenIssuerResource.TRIGGER, TokenIssuerResource.AUDIENCE)).post("/")
                .then().statusCode(401).body("message", equalTo("the token's signature is not valid"));
        buildRequested(CloudEvents.newId("none")).header("Authorization", "Bearer " + TokenIssuerResource.issuer
                .unsignedToken(TokenIssuerResource.TRIGGER, TokenIssuerResource.AUDIENCE)).post("/")
                .then().statusCode(401).body("error", equalTo("Unauthorized"));
    }
}
