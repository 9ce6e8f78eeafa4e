package io.knative.lambda.deployer.it;

import static io.knative.lambda.deployer.TestBuilds.build;
import static io.knative.lambda.deployer.TestBuilds.digest;
import static io.knative.lambda.deployer.TestBuilds.newId;
import static io.knative.lambda.deployer.it.Events.parse;
import static io.knative.lambda.deployer.it.Events.unsigned;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.knative.lambda.deployer.TestBuilds;
import io.knative.lambda.events.BuildCompleted;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;

/**
 * The deployer rolls out only what the builder built: a {@code build.completed} without the builder's signature, signed
 * by another key, changed after signing, or naming an image outside the builder's repository of that function is
 * {@code deploy.failed Unverified}, and nothing is written to the cluster.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = KnativeCrds.class)
class ForgedBuildsIT extends MockApiTestBase {

    private static final String BUILD_COMPLETED = "io.knative.lambda.build.completed";

    private void refusedAsUnverified(String id, Object data, String because) {
        Response reply = unsigned(BUILD_COMPLETED, "forged-" + id, id, data);

        reply.then().statusCode(200).header("ce-type", "io.knative.lambda.deploy.failed");
        JsonNode failed = parse(reply.asString());
        assertThat(failed.path("reason").asText()).isEqualTo("Unverified");
        assertThat(failed.path("message").asText()).contains(because);
        assertThat(failed.path("retryable").asBoolean()).isFalse();
        assertThat(service("parser-" + id)).as("no Service written").isNull();
        assertThat(trigger("parser-" + id)).as("no Trigger written").isNull();
        assertThat(checkedWrites()).isEmpty();
    }

    @Test
    void anAnonymousBuildCompletedWithAForeignImageAndAKeyNotInS3IsRefused() {
        String id = newId("anon");
        BuildCompleted forged = new BuildCompleted(id, "parser", "global", "python", "evil.example/miner@" + digest('e'),
                digest('e'), "sha256:" + "0".repeat(64), "functions", "global/parser/not-in-the-bucket", 1, Map.of());

        refusedAsUnverified(id, forged, "carries no signature");
    }

    @Test
    void aBuildSignedByAnotherKeyIsRefused() {
        String id = newId("otherkey");

        refusedAsUnverified(id, TestBuilds.signed(build(id, digest('a')), TestBuilds.fromSeed("not the builder")),
                "not a key of the builder");
    }

    @Test
    void aSignedBuildWhoseImageWasChangedInTransitIsRefused() {
        String id = newId("tampered");
        ObjectNode data = TestBuilds.signed(build(id, digest('a')));
        data.put("image", TestBuilds.REPO + "/parser-" + id + "@" + digest('f')).put("digest", digest('f'));

        refusedAsUnverified(id, data, "does not match");
    }

    @Test
    void aSignedBuildWithAnImageOutsideTheFunctionsRepositoryIsRefused() {
        String id = newId("foreign");
        BuildCompleted foreign = new BuildCompleted(id, "parser", "global", "python", TestBuilds.REPO + "/parser-other@"
                + digest('a'), digest('a'), "sha256:" + "5".repeat(64), "functions", "global/parser/" + id, 1, Map.of());

        refusedAsUnverified(id, TestBuilds.signed(foreign), "not in the builder's repository");
    }

    @Test
    void aSignedBuildWhoseImageIsNotTheDigestItNamesIsRefused() {
        String id = newId("digest");
        BuildCompleted build = build(id, digest('a'));
        BuildCompleted mismatched = new BuildCompleted(id, "parser", "global", "python", build.image(), digest('b'),
                build.sourceDigest(), build.bucket(), build.key(), 1, Map.of());

        refusedAsUnverified(id, TestBuilds.signed(mismatched), "is not the digest");
    }
}
