package io.knative.lambda.deployer.it;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.knative.lambda.testsupport.KnativeSchemas;
import io.knative.lambda.deployer.core.DeployerSettings;
import io.knative.lambda.deployer.core.FunctionCluster;
import io.knative.lambda.deployer.k8s.Fabric8FunctionCluster;

/**
 * In the tests, the application's {@link FunctionCluster} is the real fabric8 adapter on a client whose
 * HTTP layer checks every request body on the wire: each Service and Trigger the deployer POSTs, PUTs
 * or PATCHes (status subresource aside) is validated against its published schema ({@code KnativeSchemas})
 * before it leaves, and each violation is recorded for {@link MockApiTestBase} to fail the test with.
 */
@ApplicationScoped
public class SchemaCheckedCluster {

    /** Violations seen since the last {@link #takeViolations()}. */
    static final List<String> VIOLATIONS = new CopyOnWriteArrayList<>();
    /** Writes checked since the last {@link #takeWrites()}, as {@code create|update|patch Service|Trigger name}. */
    static final List<String> WRITES = new CopyOnWriteArrayList<>();
    /** Services any write of which violated the schema (the deliberate ones): their Revisions are not checked again. */
    static final Set<String> REFUSED_SERVICES = ConcurrentHashMap.newKeySet();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern WRITE_PATH = Pattern.compile(
            "/apis/(?:serving|eventing)\\.knative\\.dev/v1/namespaces/[^/]+/(services|triggers)(?:/([^/?]+))?");

    private KubernetesClient wireClient;

    @Produces
    @Alternative
    @Priority(10)
    @Singleton
    FunctionCluster checked(KubernetesClient client, DeployerSettings settings) {
        wireClient = checkedClient(client);
        return new Fabric8FunctionCluster(wireClient, settings.namespace());
    }

    /** A client on {@code client}'s configuration whose every Service/Trigger write is checked on the wire. */
    static KubernetesClient checkedClient(KubernetesClient client) {
        return new KubernetesClientBuilder().withConfig(client.getConfiguration())
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("crd-schema", new WireCheck()))
                .build();
    }

    @PreDestroy
    void close() {
        if (wireClient != null) {
            wireClient.close();
        }
    }

    static List<String> takeViolations() {
        List<String> v = List.copyOf(VIOLATIONS);
        VIOLATIONS.clear();
        return v;
    }

    static List<String> takeWrites() {
        List<String> w = List.copyOf(WRITES);
        WRITES.clear();
        return w;
    }

    /** Validates the body of every Service or Trigger write the client sends. */
    static final class WireCheck implements Interceptor {
        @Override
        public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            String method = request.method();
            if (!("POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method))) {
                return;
            }
            Matcher m = WRITE_PATH.matcher(request.uri().getPath());
            if (!m.matches()) {
                return; // other objects, and the status subresource, which the deployer never writes
            }
            String kind = "services".equals(m.group(1)) ? "Service" : "Trigger";
            String body = request.bodyString();
            String name = m.group(2);
            try {
                JsonNode json = JSON.readTree(body == null ? "" : body);
                if (name == null) {
                    name = json.path("metadata").path("name").asText();
                }
                String operation = ("POST".equals(method) ? "create " : "PUT".equals(method) ? "update " : "patch ")
                        + kind + " " + name;
                WRITES.add(operation);
                if ("PATCH".equals(method)) {
                    VIOLATIONS.add(operation + ": the deployer is not expected to PATCH (its Role has no patch verb)");
                    return;
                }
                for (String v : KnativeSchemas.violations(body)) {
                    VIOLATIONS.add(operation + ": " + v);
                    if ("Service".equals(kind)) {
                        REFUSED_SERVICES.add(name);
                    }
                }
            } catch (Exception e) {
                VIOLATIONS.add(method + " " + request.uri().getPath() + ": body is not a JSON object: " + body);
            }
        }
    }
}
