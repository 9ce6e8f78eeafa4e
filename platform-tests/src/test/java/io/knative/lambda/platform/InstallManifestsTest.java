package io.knative.lambda.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.knative.lambda.events.EventTypes;
import io.knative.lambda.events.RetryPolicy;
import io.knative.lambda.testsupport.KnativeSchemas;

/**
 * The install manifests parse, render with the real {@code kubectl kustomize}, validate against the
 * published Kubernetes and Knative schemas, load into the fabric8 model, and agree with the code:
 * Trigger types exist in the catalogue, subscribers exist in k8s/, no Trigger accepts its
 * subscriber's reply, and nothing is cluster-wide.
 */
class InstallManifestsTest {

    static Stream<Manifests.Doc> documents() {
        return Manifests.all().stream();
    }

    static Stream<Manifests.Doc> kustomized() {
        return Manifests.kustomize("k8s").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void everyDocumentIsAKubernetesObjectInTheKnativeLambdaNamespace(Manifests.Doc doc) {
        assertThat(doc.apiVersion()).isNotBlank();
        assertThat(doc.kind()).isNotBlank();
        assertThat(doc.name()).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?").hasSizeLessThanOrEqualTo(63);
        if (!doc.kind().equals("Namespace")) {
            assertThat(doc.node().path("metadata").path("namespace").asText()).isEqualTo("knative-lambda");
        }
        assertThat(doc.node().path("metadata").path("labels").path("app.kubernetes.io/part-of").asText())
                .isEqualTo("knative-lambda");
    }

    @Test
    void filesAreNumberedByApplyOrderWithOneObjectPerEventingFile() {
        for (String folder : List.of("eventing", "k8s")) {
            assertThat(Manifests.files(folder)).allSatisfy(f -> assertThat(f.getFileName().toString()).matches("\\d{3}-[a-z0-9-]+\\.yaml"));
        }
        for (Path file : Manifests.files("eventing")) {
            assertThat(Manifests.docs(List.of(file))).as(file.toString()).hasSize(1);
        }
        List<Manifests.Doc> k8s = Manifests.docs(Manifests.files("k8s"));
        int namespaceAt = indexOf(k8s, "Namespace");
        assertThat(namespaceAt).as("the namespace comes first").isZero();
        assertThat(indexOf(k8s, "ServiceAccount")).isLessThan(indexOf(k8s, "RoleBinding"));
        assertThat(indexOf(k8s, "ConfigMap")).isLessThan(indexOf(k8s, "Service"));
    }

    @Test
    void theKustomizationRendersEveryK8sFileAndOverridesEveryServiceImage() throws Exception {
        JsonNode kustomization = Manifests.YAML.readTree(Manifests.project().resolve("k8s/kustomization.yaml").toFile());
        List<String> resources = new ArrayList<>();
        kustomization.path("resources").forEach(r -> resources.add(r.asText()));
        List<String> files = Manifests.files("k8s").stream().map(p -> p.getFileName().toString()).toList();
        assertThat(resources).as("every k8s/*.yaml is a resource, in order").containsExactlyElementsOf(files);

        List<Manifests.Doc> rendered = Manifests.docs(resources.stream().map(r -> Manifests.project().resolve("k8s").resolve(r))
                .toList());
        Set<String> images = new TreeSet<>();
        rendered.stream().filter(d -> d.kind().equals("Service") && d.apiVersion().startsWith("serving.knative.dev"))
                .forEach(d -> d.node().path("spec").path("template").path("spec").path("containers")
                        .forEach(c -> images.add(c.path("image").asText().replaceFirst(":[^:/]+$", ""))));
        Set<String> overridden = new TreeSet<>();
        kustomization.path("images").forEach(i -> overridden.add(i.path("name").asText()));
        assertThat(overridden).as("kustomize image overrides (by name, as kustomize matches them)").isEqualTo(images)
                .containsExactlyInAnyOrder("knative-lambda/builder-service", "knative-lambda/deployer-service", "python", "node");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void everyObjectValidatesAgainstItsPublishedSchema(Manifests.Doc doc) {
        KnativeSchemas.assertValid(doc.node().toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomized")
    void everyObjectKubectlKustomizeRendersValidatesAgainstItsPublishedSchema(Manifests.Doc doc) {
        KnativeSchemas.assertValid(doc.node().toString());
    }

    @Test
    void kubectlKustomizeRendersEveryK8sObjectWithTheOverriddenImages() {
        List<Manifests.Doc> rendered = Manifests.kustomize("k8s");
        List<String> kinds = new ArrayList<>(Manifests.docs(Manifests.files("k8s")).stream().map(Manifests.Doc::kind).toList());
        kinds.add("ConfigMap"); // knative-lambda-tools, generated from k8s/tools/
        assertThat(rendered).extracting(Manifests.Doc::kind).containsExactlyInAnyOrderElementsOf(kinds);
        List<String> images = rendered.stream().filter(d -> d.kind().equals("Service"))
                .flatMap(d -> d.node().findValuesAsText("image").stream()).toList();
        assertThat(images).filteredOn(i -> i.contains("knative-lambda")).hasSize(2)
                .allSatisfy(image -> assertThat(image).startsWith("registry.example.com/knative-lambda/"));
        assertThat(images).filteredOn(i -> !i.contains("knative-lambda")).as("the builder's tool sidecars: official images")
                .containsExactlyInAnyOrder("python:3.12-slim", "node:26-slim");
    }

    @Test
    void theDeadLetterKafkaSinkNamesItsTopicAndBootstrapServers() {
        // KafkaSink is checked against fabric8's typed model, which cannot say which fields are required:
        // the two that eventing-kafka-broker's KafkaSinkSpec requires are checked here.
        List<Manifests.Doc> sinks = documents().filter(d -> d.kind().equals("KafkaSink")).toList();
        assertThat(sinks).singleElement().satisfies(sink -> {
            assertThat(sink.node().path("spec").path("topic").asText()).isNotBlank();
            assertThat(sink.node().path("spec").path("bootstrapServers")).isNotEmpty();
        });
    }

    @Test
    void aDeliberatelyWrongObjectIsRejected() {
        String wrong = """
                {"apiVersion":"eventing.knative.dev/v1","kind":"Broker","metadata":{"name":"knative-lambda"},
                 "spec":{"delivery":{"retry":"five"}}}""";
        assertThat(KnativeSchemas.violations(wrong)).isNotEmpty();
        String unknownField = """
                {"apiVersion":"serving.knative.dev/v1","kind":"Service","metadata":{"name":"x"},
                 "spec":{"template":{"spec":{"containers":[{"image":"x","imagePullPolicyy":"Always"}]}}}}""";
        assertThat(KnativeSchemas.violations(unknownField)).anySatisfy(v -> assertThat(v).contains("imagePullPolicyy"));
    }

    @Test
    void builtInKindsLoadIntoTheFabric8Model() {
        Map<String, Class<?>> expected = Map.of("Namespace", Namespace.class, "ServiceAccount", ServiceAccount.class,
                "Role", Role.class, "RoleBinding", RoleBinding.class, "ConfigMap", ConfigMap.class);
        List<Manifests.Doc> builtIns = documents().filter(d -> !d.apiVersion().contains("knative.dev")).toList();
        assertThat(builtIns).isNotEmpty();
        for (Manifests.Doc doc : builtIns) {
            Object loaded = Serialization.unmarshal(doc.node().toString());
            assertThat(expected).as(doc + " is a kind the install is expected to hold").containsKey(doc.kind());
            assertThat(loaded).as(doc.toString()).isInstanceOf(expected.get(doc.kind()));
        }
    }

    @Test
    void everyTriggerFilterTypeIsInTheEventCatalogue() throws Exception {
        Set<String> catalogue = catalogueTypes();
        for (Manifests.Doc trigger : triggers()) {
            for (String type : filterTypes(trigger)) {
                if (type.endsWith(":")) {
                    assertThat(List.of(EventTypes.S3_OBJECT_CREATED_PREFIX, EventTypes.S3_OBJECT_REMOVED_PREFIX))
                            .as(trigger + " prefix").contains(type);
                } else {
                    assertThat(catalogue).as(trigger + " type").contains(type);
                }
            }
            assertThat(filterTypes(trigger)).as(trigger + " filters on type").isNotEmpty();
        }
    }

    @Test
    void everySubscriberIsAServiceDefinedInK8s() {
        Set<String> services = new TreeSet<>();
        Manifests.docs(Manifests.files("k8s")).stream().filter(d -> d.kind().equals("Service")).forEach(d -> services.add(d.name()));
        for (Manifests.Doc trigger : triggers()) {
            JsonNode ref = trigger.node().path("spec").path("subscriber").path("ref");
            assertThat(ref.path("apiVersion").asText()).isEqualTo("serving.knative.dev/v1");
            assertThat(ref.path("kind").asText()).isEqualTo("Service");
            assertThat(services).as(trigger + " subscriber").contains(ref.path("name").asText());
            assertThat(trigger.node().path("spec").path("broker").asText()).isEqualTo("knative-lambda");
        }
    }

    @Test
    void noTriggerAcceptsTheReplyTypeOfItsOwnSubscriber() {
        Map<String, List<String>> replies = Map.of(
                "builder", List.of(EventTypes.BUILD_COMPLETED, EventTypes.BUILD_FAILED),
                "deployer", List.of(EventTypes.DEPLOY_COMPLETED, EventTypes.DEPLOY_FAILED, EventTypes.FUNCTION_DELETED));
        for (Manifests.Doc trigger : triggers()) {
            String subscriber = trigger.node().path("spec").path("subscriber").path("ref").path("name").asText();
            for (String reply : replies.getOrDefault(subscriber, List.of())) {
                for (String type : filterTypes(trigger)) {
                    assertThat(reply.startsWith(type)).as(trigger + " would loop on " + reply).isFalse();
                }
            }
        }
    }

    @Test
    void everyTriggerRetriesWithBackoffAndDeadLettersWithATimeoutAboveTheServiceWorstCase() {
        for (Manifests.Doc trigger : triggers()) {
            JsonNode delivery = trigger.node().path("spec").path("delivery");
            assertThat(delivery.path("retry").asInt()).as(trigger + " retry").isGreaterThanOrEqualTo(3);
            assertThat(delivery.path("backoffPolicy").asText()).isEqualTo("exponential");
            assertThat(delivery.path("deadLetterSink").path("ref").path("name").asText()).isEqualTo("knative-lambda-dead-letters");
            // builder: 30 s queue + 3 x 10 s S3 + registry calls; deployer: 120 s ready timeout + 30 s.
            assertThat(java.time.Duration.parse(delivery.path("timeout").asText())).as(trigger + " timeout")
                    .isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(150));
        }
    }

    @Test
    void everyDeliverySpecRetriesTransientFailuresForAtLeastTheKafkaPathsMaximumEventAge() {
        List<Manifests.Doc> specs = Manifests.all().stream()
                .filter(d -> d.kind().equals("Trigger") || d.kind().equals("Broker")).toList();
        assertThat(specs).hasSizeGreaterThan(5);
        for (Manifests.Doc doc : specs) {
            JsonNode delivery = doc.node().path("spec").path("delivery");
            assertThat(delivery.path("backoffPolicy").asText()).as(doc + " backoffPolicy").isEqualTo("exponential");
            java.time.Duration span = RetryPolicy.knativeExponentialSpan(
                    delivery.path("retry").asInt(), java.time.Duration.parse(delivery.path("backoffDelay").asText()));
            assertThat(span).as(doc + ": retry " + delivery.path("retry") + " x " + delivery.path("backoffDelay"))
                    .isGreaterThanOrEqualTo(RetryPolicy.DEFAULT.maxEventAge());
            assertThat(delivery.path("deadLetterSink").path("ref").path("name").asText()).as(doc + " dead letters")
                    .isEqualTo("knative-lambda-dead-letters");
        }
    }

    @Test
    void nothingIsClusterWideAndTheBuilderHasNoApiAccess() {
        List<Manifests.Doc> all = Manifests.all();
        assertThat(all).noneMatch(d -> d.kind().equals("ClusterRole") || d.kind().equals("ClusterRoleBinding"));
        Manifests.Doc builderAccount = all.stream()
                .filter(d -> d.kind().equals("ServiceAccount") && d.name().equals("knative-lambda-builder")).findFirst().orElseThrow();
        assertThat(builderAccount.node().path("automountServiceAccountToken").asBoolean(true)).isFalse();
        assertThat(all).filteredOn(d -> d.kind().equals("RoleBinding"))
                .allSatisfy(b -> b.node().path("subjects").forEach(s ->
                        assertThat(s.path("name").asText()).isNotEqualTo("knative-lambda-builder")));
    }

    @Test
    void platformContainersRunRestricted() {
        Manifests.docs(Manifests.files("k8s")).stream().filter(d -> d.kind().equals("Service")).forEach(svc -> {
            JsonNode pod = svc.node().path("spec").path("template").path("spec");
            pod.path("containers").forEach(c -> {
                JsonNode sc = c.path("securityContext");
                assertThat(sc.path("runAsNonRoot").asBoolean()).as(svc + " runAsNonRoot").isTrue();
                assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
                assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
                assertThat(sc.path("capabilities").path("drop").toString()).contains("ALL");
                assertThat(sc.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
                if (c.has("ports")) {
                    assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/ready");
                }
                assertThat(c.path("resources").path("limits").path("memory").asText()).isNotBlank();
            });
            assertThat(pod.path("containers").findParents("ports")).as(svc + ": Knative routes to one container").hasSize(1);
        });
    }

    @Test
    void noSecretValuesAreInGit() throws Exception {
        assertThat(Manifests.all()).noneMatch(d -> d.kind().equals("Secret"));
        for (Path file : Manifests.files("k8s")) {
            assertThat(Files.readString(file)).doesNotContainPattern("(?im)^\\s*[a-z_]*(password|secret_access_key|access_key_id|api_key)\\s*:\\s*\\S");
        }
    }

    private static List<Manifests.Doc> triggers() {
        List<Manifests.Doc> triggers = documents().filter(d -> d.kind().equals("Trigger")).toList();
        assertThat(triggers).hasSizeGreaterThanOrEqualTo(5);
        return triggers;
    }

    /** The type values a Trigger filters on: exact attributes or a prefix filter. */
    private static List<String> filterTypes(Manifests.Doc trigger) {
        List<String> types = new ArrayList<>();
        JsonNode spec = trigger.node().path("spec");
        if (spec.path("filter").path("attributes").hasNonNull("type")) {
            types.add(spec.path("filter").path("attributes").path("type").asText());
        }
        spec.path("filters").forEach(f -> {
            if (f.path("prefix").hasNonNull("type")) {
                types.add(f.path("prefix").path("type").asText());
            }
            if (f.path("exact").hasNonNull("type")) {
                types.add(f.path("exact").path("type").asText());
            }
        });
        return types;
    }

    private static Set<String> catalogueTypes() throws IllegalAccessException {
        Set<String> types = new TreeSet<>();
        for (Field f : EventTypes.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                String value = (String) f.get(null);
                if (value.startsWith("io.knative.lambda.")) {
                    types.add(value);
                }
            }
        }
        return types;
    }

    private static int indexOf(List<Manifests.Doc> docs, String kind) {
        for (int i = 0; i < docs.size(); i++) {
            if (docs.get(i).kind().equals(kind)) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }
}
