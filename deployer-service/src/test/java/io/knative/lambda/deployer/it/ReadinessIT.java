package io.knative.lambda.deployer.it;

import static io.knative.lambda.deployer.TestBuilds.build;
import static io.knative.lambda.deployer.TestBuilds.digest;
import static io.knative.lambda.deployer.TestBuilds.newId;
import static io.knative.lambda.deployer.it.Events.binary;
import static io.knative.lambda.deployer.it.Events.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.deployer.it.FakeKnativeController.BecomeReady;
import io.knative.lambda.deployer.it.FakeKnativeController.Fail;
import io.knative.lambda.deployer.it.FakeKnativeController.Ignore;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;

/**
 * Readiness: Knative's own failure reason, ReadyTimeout after the bound, and exactly one outcome event
 * per rollout however many times (and however concurrently) the build.completed is delivered.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = KnativeCrds.class)
class ReadinessIT extends MockApiTestBase {

    static final String BUILD_COMPLETED = "io.knative.lambda.build.completed";

    @Test
    void aRevisionThatCannotPullItsImageGivesDeployFailedWithKnativesReasonAndMessage() {
        String id = newId("pullfail");
        String message = "Revision \"parser-" + id + "-00001\" failed with message: Back-off pulling image"
                + " \"registry.example.com/functions/parser-" + id + "@" + digest('a') + "\".";
        // the revision's own reason and message; Knative wraps the message on ConfigurationsReady
        controller().behave("parser-" + id, new Fail("ImagePullBackOff", "Back-off pulling image"
                + " \"registry.example.com/functions/parser-" + id + "@" + digest('a') + "\""));

        Response reply = binary(BUILD_COMPLETED, "b-" + id, id, build(id, digest('a')));

        reply.then().statusCode(200).header("ce-type", "io.knative.lambda.deploy.failed").header("ce-subject", id);
        JsonNode data = parse(reply.asString());
        assertThat(data.path("functionId").asText()).isEqualTo(id);
        assertThat(data.path("reason").asText()).as("ConfigurationsReady's reason, not Ready's RevisionMissing")
                .isEqualTo("RevisionFailed");
        assertThat(data.path("message").asText()).isEqualTo(message);
        assertThat(data.path("retryable").asBoolean()).isFalse();
        assertThat(service("parser-" + id).getMetadata().getAnnotations())
                .containsEntry("io.knative.lambda/reported-outcome", "io.knative.lambda.deploy.failed");
    }

    @Test
    void aNewDigestWhoseRevisionFailsIsReportedWhileTheOldRevisionKeepsServing() {
        String id = newId("badupdate");
        String name = "parser-" + id;
        binary(BUILD_COMPLETED, "b1-" + id, id, build(id, digest('a'))).then().header("ce-type",
                "io.knative.lambda.deploy.completed");
        controller().behave(name, new Fail("ExitCode1", "container exited with code 1"));

        Response reply = binary(BUILD_COMPLETED, "b2-" + id, id, build(id, digest('c')));

        reply.then().statusCode(200).header("ce-type", "io.knative.lambda.deploy.failed");
        assertThat(parse(reply.asString()).path("reason").asText()).isEqualTo("RevisionFailed");
        assertThat(parse(reply.asString()).path("message").asText()).contains(name + "-00002").contains("exited");
        assertThat(service(name).getStatus().getLatestReadyRevisionName()).isEqualTo(name + "-00001");
        assertThat(service(name).getMetadata().getAnnotations())
                .containsEntry("io.knative.lambda/reported-generation", "2")
                .containsEntry("io.knative.lambda/reported-reason", "RevisionFailed");
    }

    @Test
    void aServiceThatNeverBecomesReadyGivesReadyTimeoutOnceDuplicatesNothingAndAskingAgainReports() {
        String id = newId("timeout");
        controller().behave("parser-" + id, new Ignore());
        long started = System.nanoTime();

        Response reply = binary(BUILD_COMPLETED, "b-" + id, id, build(id, digest('a')));

        reply.then().statusCode(200).header("ce-type", "io.knative.lambda.deploy.failed");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(8));
        JsonNode data = parse(reply.asString());
        assertThat(data.path("reason").asText()).isEqualTo("ReadyTimeout");
        assertThat(data.path("retryable").asBoolean()).isTrue();
        assertThat(data.path("message").asText()).contains("within 8s").contains("observed none");

        Response duplicate = binary(BUILD_COMPLETED, "b-" + id, id, build(id, digest('a')));

        assertThat(duplicate.header("ce-type")).isNull();
        assertThat(duplicate.asString()).isEmpty();

        // ReadyTimeout is retryable: a new request for the same rollout waits again and reports.
        controller().behave("parser-" + id, new BecomeReady());
        controller().reconcileNow("parser-" + id);
        Response askedAgain = binary(BUILD_COMPLETED, "b2-" + id, id, build(id, digest('a')));

        askedAgain.then().statusCode(200).header("ce-type", "io.knative.lambda.deploy.completed");
        assertThat(parse(askedAgain.asString()).path("revision").asText()).isEqualTo("parser-" + id + "-00001");
        assertThat(service("parser-" + id).getMetadata().getGeneration()).isEqualTo(1L);
    }

    @Test
    void concurrentDuplicateDeliveriesGiveExactlyOneDeployCompleted() {
        String id = newId("dup");
        String name = "parser-" + id;
        controller().behave(name, new Ignore());
        List<CompletableFuture<Response>> deliveries = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            deliveries.add(CompletableFuture.supplyAsync(() -> binary(BUILD_COMPLETED, "b-" + id, id, build(id, digest('a')))));
        }
        await().atMost(Duration.ofSeconds(3)).until(() -> service(name) != null);

        controller().behave(name, new BecomeReady());
        controller().reconcileNow(name);

        List<Response> replies = deliveries.stream().map(CompletableFuture::join).toList();
        assertThat(replies).allSatisfy(r -> assertThat(r.statusCode()).isIn(200, 204));
        assertThat(replies).filteredOn(r -> "io.knative.lambda.deploy.completed".equals(r.header("ce-type"))).hasSize(1);
        assertThat(replies).filteredOn(r -> r.header("ce-type") == null).hasSize(2)
                .allSatisfy(r -> assertThat(r.asString()).isEmpty());
        assertThat(service(name).getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(checkedWrites()).filteredOn(w -> w.equals("create Service " + name)).hasSizeBetween(1, 3);
    }

    @Test
    void aSequentialDuplicateAfterTheOutcomeWritesNothingAndGivesNoEvent() {
        String id = newId("seq");
        binary(BUILD_COMPLETED, "b-" + id, id, build(id, digest('a'))).then().header("ce-type",
                "io.knative.lambda.deploy.completed");
        String resourceVersion = service("parser-" + id).getMetadata().getResourceVersion();
        SchemaCheckedCluster.takeWrites();

        Response duplicate = binary(BUILD_COMPLETED, "b-" + id, id, build(id, digest('a')));

        assertThat(duplicate.header("ce-type")).isNull();
        assertThat(checkedWrites()).isEmpty();
        assertThat(service("parser-" + id).getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
    }

    @Test
    void aConflictOnUpdateIsReReadAndRetried() {
        String id = newId("conflict");
        String name = "parser-" + id;
        binary(BUILD_COMPLETED, "b1-" + id, id, build(id, digest('a'))).then().header("ce-type",
                "io.knative.lambda.deploy.completed");
        mockServer.expect().put().withPath("/apis/serving.knative.dev/v1/namespaces/" + NAMESPACE + "/services/" + name)
                .andReturn(409, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Conflict\","
                        + "\"code\":409,\"message\":\"Operation cannot be fulfilled on services.serving.knative.dev \\\""
                        + name + "\\\": the object has been modified; please apply your changes to the latest version\"}")
                .once();
        SchemaCheckedCluster.takeWrites();

        Response reply = binary(BUILD_COMPLETED, "b2-" + id, id, build(id, digest('c')));

        reply.then().statusCode(200).header("ce-type", "io.knative.lambda.deploy.completed");
        assertThat(parse(reply.asString()).path("revision").asText()).isEqualTo(name + "-00002");
        assertThat(service(name).getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).endsWith(digest('c'));
        // the refused update, the retried one, and the outcome record
        assertThat(checkedWrites()).filteredOn(w -> w.equals("update Service " + name)).hasSizeGreaterThanOrEqualTo(3);
    }
}
