package io.knative.lambda.deployer.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.eventing.v1.TriggerBuilder;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.knative.lambda.deployer.core.FunctionCluster;
import io.knative.lambda.deployer.it.KnativeCrds;

/**
 * The deployer's RBAC (k8s/300-rbac-deployer.yaml) grants exactly the verbs and resources its code
 * calls: every method of the {@link FunctionCluster} port — the deployer's only way to the API — runs
 * against a recording mock API server, and the recorded requests, as RBAC verbs, must equal the Role.
 */
@EnableKubernetesMockClient(crud = true)
class RbacMatchesApiCallsTest {

    private static final String NAMESPACE = "knative-lambda";
    private static final String TESTER = "rbac-test-driver";
    private static final Pattern PATH = Pattern.compile("/apis/([^/]+)/[^/]+/namespaces/[^/]+/([^/?]+)(/[^/?]+)?(/[^?]+)?(\\?.*)?");

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void theRoleGrantsExactlyWhatTheFunctionClusterPortCalls() throws Exception {
        KnativeCrds.install(client);
        drain();
        Fabric8FunctionCluster cluster = new Fabric8FunctionCluster(client, NAMESPACE);
        Set<String> exercised = new TreeSet<>();

        Service service = new ServiceBuilder().withNewMetadata().withName("parser-x").withNamespace(NAMESPACE)
                .withLabels(Map.of("io.knative.lambda/function-id", "x")).endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withImage("r/x@sha256:" + "1".repeat(64))
                .endContainer().endSpec().endTemplate().endSpec().build();
        Service created = cluster.createService(service);
        exercised.add("createService");
        cluster.getService("parser-x");
        exercised.add("getService");
        cluster.updateService(created);
        exercised.add("updateService");
        cluster.servicesOfFunction("x");
        exercised.add("servicesOfFunction");
        assertThat(cluster.functionServices()).isEmpty(); // parser-x is not labelled managed-by=knative-lambda
        exercised.add("functionServices");
        awaitServiceThroughAWatch(cluster);
        exercised.add("awaitService");
        Trigger trigger = new TriggerBuilder().withNewMetadata().withName("parser-x").withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().withBroker("knative-lambda").endSpec().build();
        Trigger createdTrigger = cluster.createTrigger(trigger);
        exercised.add("createTrigger");
        cluster.getTrigger("parser-x");
        exercised.add("getTrigger");
        cluster.updateTrigger(createdTrigger);
        exercised.add("updateTrigger");
        cluster.getRevision("parser-x-00001");
        exercised.add("getRevision");
        cluster.revisionsOf("parser-x");
        exercised.add("revisionsOf");
        cluster.deleteTrigger("parser-x");
        exercised.add("deleteTrigger");
        cluster.deleteService("parser-x");
        exercised.add("deleteService");

        Set<String> portMethods = new TreeSet<>();
        for (Method m : FunctionCluster.class.getDeclaredMethods()) {
            if (!m.isDefault() && !m.isSynthetic() && !java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                portMethods.add(m.getName());
            }
        }
        assertThat(exercised).as("every port method is exercised (a new one must be added here)").isEqualTo(portMethods);

        assertThat(calledVerbs()).as("verbs the code calls vs. k8s/300-rbac-deployer.yaml").isEqualTo(roleVerbs());
    }

    /**
     * awaitService with a condition that the first state does not meet, so that it keeps watching; the
     * test's own client (recognised by its user agent, left out of the recording) changes the Service until
     * the wait is over.
     */
    private void awaitServiceThroughAWatch(Fabric8FunctionCluster cluster) {
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CompletableFuture<FunctionCluster.Awaited> waiting = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> cluster.awaitService("parser-x", s -> seen.incrementAndGet() > 1, Duration.ofSeconds(20)));
        try (KubernetesClient tester = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(client.getConfiguration()).withUserAgent(TESTER).build())
                .build()) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                tester.resources(Service.class).inNamespace(NAMESPACE).withName("parser-x")
                        .edit(s -> new ServiceBuilder(s).editMetadata().addToAnnotations("poke", String.valueOf(System.nanoTime()))
                                .endMetadata().build());
                return waiting.isDone();
            });
        }
        assertThat(waiting.join().met()).isTrue();
    }

    private void drain() throws InterruptedException {
        while (server.takeRequest(10, TimeUnit.MILLISECONDS) != null) {
            // requests of the test's own setup
        }
    }

    /** resource.group -> verbs, from the recorded requests. */
    private Map<String, Set<String>> calledVerbs() throws InterruptedException {
        Map<String, Set<String>> verbs = new TreeMap<>();
        RecordedRequest request;
        while ((request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            Matcher m = PATH.matcher(request.getPath());
            if (!m.matches() || TESTER.equals(request.getHeader("User-Agent"))) {
                continue;
            }
            String resource = m.group(2) + "." + m.group(1);
            boolean item = m.group(3) != null;
            String query = m.group(5) == null ? "" : m.group(5);
            String verb = switch (request.getMethod()) {
                case "GET" -> query.contains("watch=true") ? "watch" : item ? "get" : "list";
                case "POST" -> "create";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> item ? "delete" : "deletecollection";
                default -> request.getMethod();
            };
            if (m.group(4) != null) {
                resource = resource + m.group(4).replace('/', '_');
            }
            verbs.computeIfAbsent(resource, k -> new TreeSet<>()).add(verb);
        }
        return verbs;
    }

    private static Map<String, Set<String>> roleVerbs() throws Exception {
        Path rbac = Path.of(System.getProperty("test.project.dir", "../.."), "k8s", "300-rbac-deployer.yaml");
        Map<String, Set<String>> verbs = new TreeMap<>();
        try (MappingIterator<JsonNode> docs = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class)
                .readValues(new File(rbac.toString()))) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (!"Role".equals(doc.path("kind").asText())) {
                    continue;
                }
                assertThat(doc.path("metadata").path("namespace").asText()).isEqualTo(NAMESPACE);
                for (JsonNode rule : doc.path("rules")) {
                    for (JsonNode group : rule.path("apiGroups")) {
                        for (JsonNode resource : rule.path("resources")) {
                            Set<String> v = verbs.computeIfAbsent(resource.asText() + "." + group.asText(), k -> new TreeSet<>());
                            rule.path("verbs").forEach(x -> v.add(x.asText()));
                        }
                    }
                }
            }
        }
        assertThat(verbs).as("Role rules in " + rbac).isNotEmpty();
        return verbs;
    }
}
