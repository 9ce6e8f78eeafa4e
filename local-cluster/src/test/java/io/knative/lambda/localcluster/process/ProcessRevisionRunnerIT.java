package io.knative.lambda.localcluster.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.knative.lambda.deployer.core.FunctionCluster;
import io.knative.lambda.deployer.core.KnativeObjects;
import io.knative.lambda.deployer.core.RolloutState;
import io.knative.lambda.testsupport.RegistryServer;
import io.knative.lambda.testsupport.RegistryWriter;

/**
 * Local mode's deploy target with a real registry and the real Python runtime: a Service becomes a
 * running process that answers; a new image replaces it; a pin serves the old revision; delete stops it.
 */
class LocalFunctionClusterIT {

    private static RegistryServer registry;
    private LocalFunctionCluster cluster;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startRegistry() {
        registry = RegistryServer.start();
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    @BeforeEach
    void cluster(@TempDir Path work) {
        String project = System.getProperty("test.project.dir", "..");
        cluster = new LocalFunctionCluster(new OciImagePuller(new ObjectMapper(), "http"),
                new LocalRuntimes(List.of("python3", "-u", project + "/function-runtime/python/klambda_runtime.py"),
                        List.of("java", "@" + project + "/function-runtime/java/jvm.options", "-jar", project + "/function-runtime/java/target/quarkus-app/quarkus-run.jar")),
                work, Duration.ofSeconds(30));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private String image(String name, String answer) {
        String source = "def handler(event):\n    return {'answer': '" + answer + "', 'got': event}\n";
        String digest = new RegistryWriter(registry.host()).push("functions/" + name, answer,
                Map.of("function/" + name, source.getBytes(StandardCharsets.UTF_8)),
                Map.of("FUNCTION_ID", name, "FUNCTION_RUNTIME", "python", "FUNCTION_FILE", name, "FUNCTION_HANDLER", "handler"));
        return registry.host() + "/functions/" + name + "@" + digest;
    }

    private static Service service(String name, String image) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("local")
                .withLabels(Map.of("io.knative.lambda/function-id", name)).endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withImage(image).endContainer().endSpec()
                .endTemplate().withTraffic(KnativeObjects.latestTraffic()).endSpec().build();
    }

    private RolloutState.Ready awaitReady(String name, long generation, String pinned) {
        FunctionCluster.Awaited done = cluster.awaitService(name, s -> RolloutState.of(s, generation, pinned).terminal(),
                Duration.ofSeconds(60));
        assertThat(done.met()).as("settled").isTrue();
        RolloutState state = RolloutState.of(done.service(), generation, pinned);
        assertThat(state).isInstanceOf(RolloutState.Ready.class);
        return (RolloutState.Ready) state;
    }

    private String call(String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"k\":1}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    @Test
    void aServiceRunsItsImagesFunctionAndANewImageReplacesIt() throws Exception {
        String v1 = image("fn-a", "v1");
        cluster.createService(service("fn-a", v1));

        RolloutState.Ready first = awaitReady("fn-a", 1, null);
        assertThat(call(first.url())).contains("\"answer\": \"v1\"").contains("\"k\": 1");

        Service current = cluster.getService("fn-a").orElseThrow();
        current.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image("fn-a", "v2"));
        cluster.updateService(current);

        RolloutState.Ready second = awaitReady("fn-a", 2, null);
        assertThat(second.revision()).isNotEqualTo(first.revision());
        assertThat(call(second.url())).contains("\"answer\": \"v2\"");
        assertThat(cluster.revisionsOf("fn-a")).hasSize(2);
        // the old revision's process is stopped once the new one serves (SIGTERM: it drains first)
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !reachable(first.url()));

        // pin the traffic back to the first revision
        current = cluster.getService("fn-a").orElseThrow();
        current.getSpec().setTraffic(KnativeObjects.pinnedTraffic(first.revision()));
        cluster.updateService(current);
        RolloutState.Ready pinned = awaitReady("fn-a", 3, first.revision());
        assertThat(call(pinned.url())).contains("\"answer\": \"v1\"");

        assertThat(cluster.deleteService("fn-a")).isTrue();
        org.awaitility.Awaitility.await("deleted means stopped").atMost(Duration.ofSeconds(20))
                .until(() -> !reachable(pinned.url()));
        assertThat(cluster.deleteService("fn-a")).as("already gone").isFalse();
    }

    @Test
    void aJavaFunctionListensWhereLocalModePlacesItWhateverQuarkusPortItsEnvironmentCarries(@TempDir Path src) throws Exception {
        // make run gives the deployer QUARKUS_HTTP_PORT; its functions inherit it, and Quarkus reads it before PORT
        java.nio.file.Files.writeString(src.resolve("Echo.java"), "import java.util.Map;\n"
                + "public class Echo { public static Map<String, Object> handler(Map<String, Object> e) { return Map.of(\"echo\", e); } }\n");
        assertThat(javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-d",
                src.toString(), src.resolve("Echo.java").toString())).isZero();
        String digest = new RegistryWriter(registry.host()).push("functions/fn-java", "v1",
                Map.of("function/classes/Echo.class", java.nio.file.Files.readAllBytes(src.resolve("Echo.class"))),
                Map.of("FUNCTION_ID", "fn-java", "FUNCTION_RUNTIME", "java", "FUNCTION_CLASS", "Echo",
                        "QUARKUS_HTTP_PORT", "1"));
        cluster.createService(service("fn-java", registry.host() + "/functions/fn-java@" + digest));

        RolloutState.Ready ready = awaitReady("fn-java", 1, null);
        assertThat(call(ready.url())).isEqualTo("{\"echo\":{\"k\":1}}");
        assertThat(cluster.deleteService("fn-java")).isTrue();
    }

    @Test
    void withoutAWorkingForkServerPythonFunctionsStartTheirOwnInterpreter(@TempDir Path other) throws Exception {
        // a Unix socket path over the kernel's 108 bytes: the fork server cannot bind, so it never starts
        Path deep = java.nio.file.Files.createDirectories(other.resolve("d".repeat(60)).resolve("e".repeat(60)));
        String project = System.getProperty("test.project.dir", "..");
        try (LocalFunctionCluster fallback = new LocalFunctionCluster(new OciImagePuller(new ObjectMapper(), "http"),
                new LocalRuntimes(List.of("python3", "-u", project + "/function-runtime/python/klambda_runtime.py"),
                        List.of("java", "@" + project + "/function-runtime/java/jvm.options", "-jar", project + "/function-runtime/java/target/quarkus-app/quarkus-run.jar")),
                deep, Duration.ofSeconds(30))) {
            LocalFunctionCluster saved = cluster;
            cluster = fallback;
            try {
                cluster.createService(service("fn-c", image("fn-c", "own")));
                assertThat(call(awaitReady("fn-c", 1, null).url())).contains("\"answer\": \"own\"");
            } finally {
                cluster = saved;
            }
        }
        assertThat(java.nio.file.Files.readString(deep.resolve("python-fork-server.log"))).contains("AF_UNIX path too long");
    }

    @Test
    void anImageThatCannotBePulledMakesTheServiceReadyFalseWithTheReason() {
        cluster.createService(service("fn-b", registry.host() + "/functions/none@sha256:" + "0".repeat(64)));

        FunctionCluster.Awaited done = cluster.awaitService("fn-b", s -> RolloutState.of(s, 1, null).terminal(),
                Duration.ofSeconds(30));

        assertThat(RolloutState.of(done.service(), 1, null)).isInstanceOfSatisfying(RolloutState.Failed.class, f -> {
            assertThat(f.reason()).isEqualTo("RevisionFailed");
            assertThat(f.message()).contains("cannot pull").contains("404");
        });
    }

    private boolean reachable(String url) {
        try {
            http.send(HttpRequest.newBuilder(URI.create(url + "health/live")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
