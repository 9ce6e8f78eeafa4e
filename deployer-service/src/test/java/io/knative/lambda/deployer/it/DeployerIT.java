package io.knative.lambda.deployer.it;

import static io.knative.lambda.deployer.TestBuilds.build;
import static io.knative.lambda.deployer.TestBuilds.digest;
import static io.knative.lambda.deployer.TestBuilds.newId;
import static io.knative.lambda.deployer.it.Events.binary;
import static io.knative.lambda.deployer.it.Events.parse;
import static io.knative.lambda.deployer.it.Events.structured;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.Container;
import io.knative.lambda.events.BuildCompleted;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;

/** build.completed against the mock API server: create, update, no-op, and what the reply says, in both modes. */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = KnativeCrds.class)
class DeployerIT extends MockApiTestBase {

    static final String BUILD_COMPLETED = "io.knative.lambda.build.completed";

    @Test
    void buildCompletedInBinaryModeCreatesServiceAndTriggerAndRepliesDeployCompleted() {
        String id = newId("create");
        BuildCompleted build = build(id, digest('a'));

        Response reply = binary(BUILD_COMPLETED, "build-" + id, id, build);

        reply.then().statusCode(200)
                .header("ce-type", "io.knative.lambda.deploy.completed")
                .header("ce-source", "/knative-lambda/deployer")
                .header("ce-subject", id)
                .header("ce-specversion", "1.0");
        JsonNode data = parse(reply.asString());
        assertThat(data.path("functionId").asText()).isEqualTo(id);
        assertThat(data.path("service").asText()).isEqualTo("parser-" + id);
        assertThat(data.path("namespace").asText()).isEqualTo(NAMESPACE);
        assertThat(data.path("url").asText()).isEqualTo("http://parser-" + id + ".knative-lambda.example.com");
        assertThat(data.path("revision").asText()).isEqualTo("parser-" + id + "-00001");
        assertThat(data.path("image").asText()).isEqualTo(build.image());
        assertThat(data.path("durationMs").asLong()).isGreaterThanOrEqualTo(0);

        Service service = service("parser-" + id);
        assertThat(service.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "knative-lambda")
                .containsEntry("io.knative.lambda/function-id", id).containsEntry("io.knative.lambda/scope", "global")
                .containsEntry("io.knative.lambda/kind", "parser");
        assertThat(service.getMetadata().getAnnotations()).containsEntry("io.knative.lambda/build-event-id", "build-" + id)
                .containsEntry("io.knative.lambda/source", "s3://functions/global/parser/" + id)
                .containsEntry("io.knative.lambda/source-digest", build.sourceDigest())
                .containsEntry("io.knative.lambda/reported-generation", "1")
                .containsEntry("io.knative.lambda/reported-outcome", "io.knative.lambda.deploy.completed");
        Container container = service.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo(build.image());
        assertThat(container.getSecurityContext().getRunAsNonRoot()).isTrue();

        Trigger trigger = trigger("parser-" + id);
        assertThat(trigger.getSpec().getBroker()).isEqualTo("knative-lambda");
        assertThat(trigger.getSpec().getFilter().getAttributes())
                .containsExactlyInAnyOrderEntriesOf(Map.of("type", "io.knative.lambda.invoke", "subject", "parser-" + id));
        assertThat(trigger.getSpec().getSubscriber().getRef().getName()).isEqualTo("parser-" + id);
        assertThat(trigger.getSpec().getDelivery().getRetry()).isEqualTo(5);
        assertThat(trigger.getSpec().getDelivery().getBackoffPolicy()).isEqualTo("exponential");
        assertThat(trigger.getSpec().getDelivery().getBackoffDelay()).isEqualTo("PT1S");
        assertThat(trigger.getSpec().getDelivery().getDeadLetterSink().getUri())
                .isEqualTo("http://dead-letter.knative-lambda.svc.cluster.local");
        assertThat(trigger.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(service.getMetadata().getUid()));
        assertThat(checkedWrites()).contains("create Service parser-" + id, "create Trigger parser-" + id);
    }

    @Test
    void buildCompletedInStructuredModeIsAnsweredInStructuredMode() {
        String id = newId("structured");

        Response reply = structured(BUILD_COMPLETED, "build-" + id, id, build(id, digest('b')));

        reply.then().statusCode(200).contentType("application/cloudevents+json");
        JsonNode event = parse(reply.asString());
        assertThat(event.path("type").asText()).isEqualTo("io.knative.lambda.deploy.completed");
        assertThat(event.path("subject").asText()).isEqualTo(id);
        assertThat(event.path("source").asText()).isEqualTo("/knative-lambda/deployer");
        assertThat(event.path("data").path("revision").asText()).isEqualTo("parser-" + id + "-00001");
    }

    @Test
    void aNewDigestUpdatesTheImageAndTheNewRevisionTakesTheTraffic() {
        String id = newId("update");
        binary(BUILD_COMPLETED, "b1-" + id, id, build(id, digest('a'))).then().statusCode(200);

        Response reply = binary(BUILD_COMPLETED, "b2-" + id, id, build(id, digest('c')));

        reply.then().statusCode(200).header("ce-type", "io.knative.lambda.deploy.completed");
        assertThat(parse(reply.asString()).path("revision").asText()).isEqualTo("parser-" + id + "-00002");
        Service service = service("parser-" + id);
        assertThat(service.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(service.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).endsWith(digest('c'));
        assertThat(service.getMetadata().getAnnotations()).containsEntry("io.knative.lambda/build-event-id", "b2-" + id)
                .containsEntry("io.knative.lambda/reported-generation", "2");
        assertThat(service.getSpec().getTraffic()).singleElement()
                .satisfies(t -> assertThat(t.getLatestRevision()).isTrue());
    }

    @Test
    void theSameDigestAgainWritesNothingAndAnswersWithoutAnEvent() {
        String id = newId("noop");
        binary(BUILD_COMPLETED, "b1-" + id, id, build(id, digest('a'))).then().statusCode(200)
                .header("ce-type", "io.knative.lambda.deploy.completed");
        Service before = service("parser-" + id);
        Trigger triggerBefore = trigger("parser-" + id);

        Response again = binary(BUILD_COMPLETED, "b1-" + id, id, build(id, digest('a')));
        Response rebuilt = structured(BUILD_COMPLETED, "b2-" + id, id, build(id, digest('a')));

        for (Response r : new Response[] { again, rebuilt }) {
            assertThat(r.statusCode()).isIn(200, 202, 204);
            assertThat(r.header("ce-type")).isNull();
            assertThat(r.asString()).isEmpty();
        }
        Service after = service("parser-" + id);
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
        assertThat(after.getMetadata().getGeneration()).isEqualTo(before.getMetadata().getGeneration());
        assertThat(trigger("parser-" + id).getMetadata().getResourceVersion())
                .isEqualTo(triggerBefore.getMetadata().getResourceVersion());
    }

    @Test
    void perFunctionSettingsReachTheServiceAndBadOnesFailWithInvalidSettingsWritingNothing() {
        String id = newId("settings");
        binary(BUILD_COMPLETED, "b1-" + id, id, build("global", "parser", id, digest('a'),
                Map.of("min-scale", "1", "max-scale", "3", "container-concurrency", "2", "memory", "256Mi")))
                .then().statusCode(200).header("ce-type", "io.knative.lambda.deploy.completed");
        var template = service("parser-" + id).getSpec().getTemplate();
        assertThat(template.getMetadata().getAnnotations()).containsEntry("autoscaling.knative.dev/min-scale", "1")
                .containsEntry("autoscaling.knative.dev/max-scale", "3");
        assertThat(template.getSpec().getContainerConcurrency()).isEqualTo(2L);
        String resourceVersion = service("parser-" + id).getMetadata().getResourceVersion();

        Response reply = binary(BUILD_COMPLETED, "b2-" + id, id, build("global", "parser", id, digest('c'),
                Map.of("max-scale", "many")));

        reply.then().statusCode(200).header("ce-type", "io.knative.lambda.deploy.failed").header("ce-subject", id);
        JsonNode data = parse(reply.asString());
        assertThat(data.path("reason").asText()).isEqualTo("InvalidSettings");
        assertThat(data.path("message").asText()).contains("max-scale").contains("many");
        assertThat(data.path("retryable").asBoolean()).isFalse();
        assertThat(service("parser-" + id).getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
    }

    @Test
    void aBuildCompletedWithoutAnImageByDigestFailsWithInvalidEvent() {
        String id = newId("tag");
        BuildCompleted build = build(id, digest('a'));
        BuildCompleted tagged = new BuildCompleted(id, "parser", "global", "python", "registry.example.com/f:latest",
                build.digest(), build.sourceDigest(), build.bucket(), build.key(), 1, Map.of());

        Response reply = binary(BUILD_COMPLETED, "b-" + id, id, tagged);

        reply.then().statusCode(200).header("ce-type", "io.knative.lambda.deploy.failed");
        assertThat(parse(reply.asString()).path("reason").asText()).isEqualTo("InvalidEvent");
        assertThat(service("parser-" + id)).isNull();
    }
}
