package io.knative.lambda.deployer.it;

import static io.knative.lambda.deployer.TestBuilds.build;
import static io.knative.lambda.deployer.TestBuilds.digest;
import static io.knative.lambda.deployer.TestBuilds.newId;
import static io.knative.lambda.deployer.it.Events.binary;
import static io.knative.lambda.deployer.it.Events.parse;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;

/** The HTTP surface: 400 for what the deployer does not handle, 503 for API failures, no foreign overwrite, metrics. */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = KnativeCrds.class)
class EventSurfaceIT extends MockApiTestBase {

    @ParameterizedTest(name = "{0} is refused with 400")
    @ValueSource(strings = { "io.knative.lambda.invoke", "io.knative.lambda.deploy.completed",
            "io.knative.lambda.build.failed", "com.amazonaws.s3.ObjectCreated:Put", "com.example.unknown" })
    void eventTypesTheDeployerDoesNotHandleAre400NotRetried(String type) {
        Response reply = binary(type, newId("evt"), "x", Map.of("a", 1));

        reply.then().statusCode(400).contentType("application/json");
        assertThat(parse(reply.asString()).path("error").asText()).isEqualTo("UnsupportedEventType");
        assertThat(reply.header("ce-type")).isNull();
    }

    @Test
    void aCloudEventWithoutSourceIs400() {
        given().header("ce-specversion", "1.0").header("ce-id", "x").header("ce-type", "io.knative.lambda.build.completed")
                .contentType("application/json").body("{}").post("/")
                .then().statusCode(400).body(containsString("source"));
    }

    @Test
    void anS3RemovalWithoutARecordIs400() {
        binary("com.amazonaws.s3.ObjectRemoved:Delete", newId("rm"), "k", Map.of("not", "a record"))
                .then().statusCode(400).body(containsString("InvalidEvent"));
    }

    @Test
    void anApiServerFailureIsAnswered503SoTheBrokerRetries() {
        String id = newId("apidown");
        mockServer.expect().get().withPath("/apis/serving.knative.dev/v1/namespaces/" + NAMESPACE + "/services/parser-" + id)
                .andReturn(500, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":500,"
                        + "\"message\":\"etcdserver: request timed out\"}")
                .always();

        Response reply = binary("io.knative.lambda.build.completed", "b-" + id, id, build(id, digest('a')));

        reply.then().statusCode(503).header("Retry-After", "5").contentType("application/json");
        assertThat(parse(reply.asString()).path("error").asText()).isEqualTo("ClusterUnavailable");
        assertThat(parse(reply.asString()).path("message").asText()).contains("parser-" + id);
        mockServer.getKubernetesMockServer().clearExpectations();
    }

    @Test
    void aServiceOfTheSameNameNotManagedByKnativeLambdaIsNeverOverwritten() {
        String id = newId("foreign");
        Service foreign = client().resources(Service.class).inNamespace(NAMESPACE).resource(new ServiceBuilder()
                .withNewMetadata().withName("parser-" + id).withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withImage("example.com/theirs:1")
                .endContainer().endSpec().endTemplate().endSpec().build()).create();

        Response reply = binary("io.knative.lambda.build.completed", "b-" + id, id, build(id, digest('a')));

        reply.then().statusCode(200).header("ce-type", "io.knative.lambda.deploy.failed");
        assertThat(parse(reply.asString()).path("reason").asText()).isEqualTo("NameTaken");
        Service after = service("parser-" + id);
        assertThat(after.getMetadata().getGeneration()).isEqualTo(foreign.getMetadata().getGeneration());
        assertThat(after.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("example.com/theirs:1");
        assertThat(after.getMetadata().getLabels()).doesNotContainKey("app.kubernetes.io/managed-by");
        assertThat(trigger("parser-" + id)).as("no Trigger for a Service that is not ours").isNull();
    }

    @Test
    void theWireCheckRejectsAServiceThatViolatesItsPublishedSchema() {
        // a typo the API server would silently prune: the setting would be lost
        String name = newId("wrong");
        try (var checked = SchemaCheckedCluster.checkedClient(client())) {
            checked.resource("{\"apiVersion\":\"serving.knative.dev/v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\""
                    + name + "\",\"namespace\":\"" + NAMESPACE + "\"},\"spec\":{\"template\":{\"spec\":{"
                    + "\"containerConcurency\":10,\"containers\":[{\"image\":\"example.com/f@" + digest('a')
                    + "\"}]}}}}").inNamespace(NAMESPACE).create();
        }

        assertThat(SchemaCheckedCluster.takeWrites()).contains("create Service " + name);
        assertThat(SchemaCheckedCluster.takeViolations()).isNotEmpty()
                .anySatisfy(v -> assertThat(v).contains("create Service " + name).contains("containerConcurency"));
    }

    @Test
    void metricsAndHealthAreExposed() {
        String id = newId("metrics");
        binary("io.knative.lambda.build.completed", "b-" + id, id, build(id, digest('a'))).then().statusCode(200);

        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("klambda_deploys_total{outcome=\"completed\"}"))
                .body(containsString("klambda_deploy_duration_seconds"));
        given().get("/q/health/ready").then().statusCode(200);
    }
}
