package io.knative.lambda.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Where the published schemas come from, and that a deliberately wrong object of every kind the
 * project writes is caught, each beside a valid one of the same kind so that the check is not simply
 * refusing everything.
 */
class KnativeSchemasTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String META = "\"metadata\":{\"name\":\"x\",\"namespace\":\"knative-lambda\"}";
    private static final String SERVICE = "{\"apiVersion\":\"serving.knative.dev/v1\",\"kind\":\"Service\"," + META
            + ",\"spec\":{\"template\":{\"spec\":{\"containerConcurrency\":10,\"containers\":[{\"image\":\"r/f@sha256:1\"%s}]}}}}";
    private static final String TRIGGER = "{\"apiVersion\":\"eventing.knative.dev/v1\",\"kind\":\"Trigger\"," + META
            + ",\"spec\":{\"broker\":\"knative-lambda\"%s}}";
    private static final String SUBSCRIBER = ",\"subscriber\":{\"ref\":{\"apiVersion\":\"serving.knative.dev/v1\",\"kind\":\"Service\","
            + "\"name\":\"deployer\"}}";
    private static final String KAFKA_SINK = "{\"apiVersion\":\"eventing.knative.dev/v1alpha1\",\"kind\":\"KafkaSink\"," + META
            + ",\"spec\":{\"topic\":\"dead-letters\",\"bootstrapServers\":[\"kafka:9092\"]%s}}";

    @Test
    void theSchemasComeFromTheExactlyPinnedPackagesInstalledUnderTools() throws Exception {
        JsonNode pinned = JSON.readTree(KnativeSchemas.project().resolve("test-support/schemas/package.json").toFile())
                .path("dependencies");
        assertThat(pinned.path("@kubernetes-models/knative").asText()).isEqualTo("4.0.0");
        assertThat(pinned.path("kubernetes-models").asText()).isEqualTo("5.1.0");
        JsonNode lock = JSON.readTree(KnativeSchemas.project().resolve("test-support/schemas/package-lock.json").toFile())
                .path("packages");
        for (String name : new String[] { "@kubernetes-models/knative", "kubernetes-models" }) {
            Path installed = KnativeSchemas.project().resolve(".tools/schemas/node_modules/" + name + "/package.json");
            assertThat(JSON.readTree(installed.toFile()).path("version").asText()).as(name + " installed")
                    .isEqualTo(pinned.path(name).asText()).isEqualTo(lock.path("node_modules/" + name).path("version").asText());
        }
    }

    @Test
    void packagesThatAreNotInstalledFailWithAPlainMessageSayingHowToInstallThem(@TempDir Path checkout) throws Exception {
        Path script = checkout.resolve("test-support/schemas/validate.mjs");
        Files.createDirectories(script.getParent());
        Files.copy(KnativeSchemas.project().resolve("test-support/schemas/validate.mjs"), script);
        assertThatThrownBy(() -> NodeSchemaValidator.start(checkout)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("not installed").hasMessageContaining("make tools");
    }

    @Test
    void aServiceWithAMisspeltFieldOrAWrongTypeIsCaught() {
        assertThat(KnativeSchemas.violations(SERVICE.formatted(""))).isEmpty();
        assertThat(KnativeSchemas.violations(SERVICE.formatted(",\"imagePullPolicyy\":\"Always\"")))
                .singleElement().asString().contains("imagePullPolicyy", "unknown field");
        assertThat(KnativeSchemas.violations(SERVICE.formatted("").replace("10", "\"ten\"")))
                .singleElement().asString().contains("containerConcurrency", "integer");
        assertThatThrownBy(() -> KnativeSchemas.assertValid(SERVICE.formatted(",\"ports\":8080")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("violates its published schema")
                .hasMessageContaining("/ports");
    }

    @Test
    void aRevisionWithAWrongTypeIsCaught() {
        String revision = "{\"apiVersion\":\"serving.knative.dev/v1\",\"kind\":\"Revision\"," + META
                + ",\"spec\":{\"timeoutSeconds\":%s,\"containers\":[{\"image\":\"r/f@sha256:1\"}]}}";
        assertThat(KnativeSchemas.violations(revision.formatted("300"))).isEmpty();
        assertThat(KnativeSchemas.violations(revision.formatted("\"300s\""))).anySatisfy(v -> assertThat(v).contains("timeoutSeconds"));
    }

    @Test
    void aTriggerWithoutSubscriberOrWithAnUnknownFieldIsCaught() {
        assertThat(KnativeSchemas.violations(TRIGGER.formatted(SUBSCRIBER))).isEmpty();
        assertThat(KnativeSchemas.violations(TRIGGER.formatted(""))).anySatisfy(v -> assertThat(v).contains("subscriber"));
        assertThat(KnativeSchemas.violations(TRIGGER.formatted(SUBSCRIBER + ",\"filter\":{\"attribute\":{\"type\":\"t\"}}")))
                .anySatisfy(v -> assertThat(v).contains("/spec/filter/attribute", "unknown field"));
    }

    @Test
    void aBrokerWithRetryAsAStringIsCaught() {
        String broker = "{\"apiVersion\":\"eventing.knative.dev/v1\",\"kind\":\"Broker\"," + META + ",\"spec\":{\"delivery\":{\"retry\":%s}}}";
        assertThat(KnativeSchemas.violations(broker.formatted("5"))).isEmpty();
        assertThat(KnativeSchemas.violations(broker.formatted("\"five\""))).anySatisfy(v -> assertThat(v).contains("retry"));
    }

    @Test
    void aSinkBindingOrIntegrationSourceWithAMisspeltFieldIsCaught() {
        String binding = "{\"apiVersion\":\"sources.knative.dev/v1\",\"kind\":\"SinkBinding\"," + META
                + ",\"spec\":{\"subject\":{\"apiVersion\":\"serving.knative.dev/v1\",\"kind\":\"Service\",\"name\":\"b\"},"
                + "\"%s\":{\"uri\":\"http://broker\"}}}";
        assertThat(KnativeSchemas.violations(binding.formatted("sink"))).isEmpty();
        assertThat(KnativeSchemas.violations(binding.formatted("sinc"))).anySatisfy(v -> assertThat(v).contains("sinc"));
        String source = "{\"apiVersion\":\"sources.knative.dev/v1alpha1\",\"kind\":\"IntegrationSource\"," + META
                + ",\"spec\":{\"aws\":{\"sqs\":{\"%s\":\"arn:aws:sqs:us-east-1:1:q\",\"region\":\"us-east-1\"}},"
                + "\"sink\":{\"uri\":\"http://builder\"}}}";
        assertThat(KnativeSchemas.violations(source.formatted("arn"))).isEmpty();
        assertThat(KnativeSchemas.violations(source.formatted("ARN"))).anySatisfy(v -> assertThat(v).contains("ARN"));
    }

    @Test
    void aKafkaSinkWithAnUnknownFieldOrAWrongTypeIsCaughtByItsTypedModel() {
        assertThat(KnativeSchemas.known("eventing.knative.dev/v1alpha1", "KafkaSink")).isTrue();
        assertThat(KnativeSchemas.violations(KAFKA_SINK.formatted(",\"numPartitions\":3,\"contentMode\":\"binary\""))).isEmpty();
        assertThat(KnativeSchemas.violations(KAFKA_SINK.formatted(",\"partitions\":3")))
                .singleElement().asString().contains("/spec/partitions", "unknown field");
        assertThat(KnativeSchemas.violations(KAFKA_SINK.formatted(",\"numPartitions\":\"3\"")))
                .singleElement().asString().contains("numPartitions");
        assertThat(KnativeSchemas.violations(KAFKA_SINK.formatted("").replace("[\"kafka:9092\"]", "\"kafka:9092\"")))
                .singleElement().asString().contains("bootstrapServers");
    }

    @Test
    void wrongCoreObjectsAreCaught() {
        String role = "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"Role\"," + META
                + ",\"rules\":[{\"apiGroups\":[\"serving.knative.dev\"],\"resources\":[\"services\"],\"verbs\":%s}]}";
        assertThat(KnativeSchemas.violations(role.formatted("[\"get\"]"))).isEmpty();
        assertThat(KnativeSchemas.violations(role.formatted("\"get\""))).anySatisfy(v -> assertThat(v).contains("/rules/0/verbs"));

        String binding = "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"RoleBinding\"," + META
                + ",\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"d\"}]%s}";
        assertThat(KnativeSchemas.violations(binding.formatted(",\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\","
                + "\"kind\":\"Role\",\"name\":\"d\"}"))).isEmpty();
        assertThat(KnativeSchemas.violations(binding.formatted(""))).anySatisfy(v -> assertThat(v).contains("roleRef"));

        String account = "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\"," + META + ",\"automountServiceAccountToken\":%s}";
        assertThat(KnativeSchemas.violations(account.formatted("false"))).isEmpty();
        assertThat(KnativeSchemas.violations(account.formatted("\"no\""))).anySatisfy(v -> assertThat(v).contains("automount"));

        String config = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"," + META + ",\"data\":{\"KLAMBDA_X\":%s}}";
        assertThat(KnativeSchemas.violations(config.formatted("\"10\""))).isEmpty();
        assertThat(KnativeSchemas.violations(config.formatted("10"))).anySatisfy(v -> assertThat(v).contains("/data/KLAMBDA_X"));

        String namespace = "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"knative-lambda\",%s}}";
        assertThat(KnativeSchemas.violations(namespace.formatted("\"labels\":{\"pod-security.kubernetes.io/enforce\":\"restricted\"}")))
                .isEmpty();
        assertThat(KnativeSchemas.violations(namespace.formatted("\"label\":{\"a\":\"b\"}")))
                .anySatisfy(v -> assertThat(v).contains("/metadata/label", "unknown field"));
    }

    @Test
    void namesLabelsAndKindsWithoutASchemaAreCaught() {
        assertThat(KnativeSchemas.violations(SERVICE.formatted("").replace("\"name\":\"x\"", "\"name\":\"Parser_Bad\"")))
                .anySatisfy(v -> assertThat(v).contains("DNS-1035"));
        assertThat(KnativeSchemas.violations(SERVICE.formatted("").replace("\"name\":\"x\"", "\"name\":\"x\",\"labels\":{\"a\":\"b c\"}")))
                .anySatisfy(v -> assertThat(v).contains("label value"));
        assertThat(KnativeSchemas.known("example.com/v1", "Widget")).isFalse();
        assertThat(KnativeSchemas.violations("{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\"," + META + "}"))
                .anySatisfy(v -> assertThat(v).contains("no published schema"));
    }
}
