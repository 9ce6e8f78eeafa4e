package io.knative.lambda.localcluster.process;

import static io.knative.lambda.localcluster.KnativeTestClient.condition;
import static io.knative.lambda.localcluster.KnativeTestClient.service;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.TrafficTargetBuilder;
import io.knative.lambda.localcluster.KnativeTestClient;
import io.knative.lambda.localcluster.LocalCluster;
import io.knative.lambda.localcluster.LocalClusterSettings;
import io.knative.lambda.localcluster.api.BearerToken;
import io.knative.lambda.testsupport.RegistryServer;
import io.knative.lambda.testsupport.RegistryWriter;

/**
 * Local mode's runner behind the local cluster's API, with a real registry and the real runtimes: a Service
 * becomes a running process that answers at the Service's URL; a new image replaces it; a pin serves the old
 * revision; delete stops it; an image that cannot be pulled is Knative's RevisionFailed.
 */
class ProcessRevisionRunnerIT {

    private static final String PROJECT = System.getProperty("test.project.dir", "..");
    private static RegistryServer registry;
    private LocalCluster cluster;
    private KnativeTestClient client;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startRegistry() {
        registry = RegistryServer.start();
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    private void start(Path work) throws Exception {
        start(work, "bwrap");
    }

    /** The local cluster with functions in the bubblewrap sandbox, or ({@code off}) as plain processes. */
    private void start(Path work, String sandbox) throws Exception {
        LocalClusterSettings settings = LocalClusterSettings.from(Map.of("KLAMBDA_LOCAL_SANDBOX", sandbox,
                "KLAMBDA_LOCAL_CLUSTER_PORT", "0",
                "KLAMBDA_LOCAL_WORK_DIR", work.toString(), "KLAMBDA_LOCAL_START_TIMEOUT", "30s",
                "KLAMBDA_LOCAL_PYTHON_RUNTIME", "python3 -u " + PROJECT + "/function-runtime/python/klambda_local.py",
                "KLAMBDA_LOCAL_JAVA_RUNTIME", "java @" + PROJECT + "/function-runtime/java/jvm.options -jar " + PROJECT
                        + "/function-runtime/java/target/runtime-app/klambda-runtime.jar"));
        cluster = LocalCluster.start(settings, LocalCluster.runner(settings), BearerToken.of("test-token-0123456789"));
        client = new KnativeTestClient(cluster.url(), "test-token-0123456789");
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private String image(String name, String answer) {
        String source = "def handler(event):\n    return {'answer': '" + answer + "', 'got': event}\n";
        String digest = new RegistryWriter(registry.host()).push("functions/" + name, answer,
                Map.of("function/" + name, source.getBytes(StandardCharsets.UTF_8)),
                Map.of("FUNCTION_ID", name, "FUNCTION_RUNTIME", "python", "FUNCTION_FILE", name, "FUNCTION_HANDLER", "handler"));
        return registry.host() + "/functions/" + name + "@" + digest;
    }

    private Service awaitReady(String name, long generation) {
        Service s = client.awaitSettled(name, generation, Duration.ofSeconds(60));
        assertThat(condition(s, "Ready").getStatus()).as(String.valueOf(s.getStatus())).isEqualTo("True");
        return s;
    }

    private String call(String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"k\":1}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    @Test
    void aServiceRunsItsImagesFunctionAndANewImageReplacesIt(@TempDir Path work) throws Exception {
        start(work);
        var services = client.knative.services().inNamespace(KnativeTestClient.NAMESPACE);
        services.resource(service("fn-a", image("fn-a", "v1"))).create();

        Service first = awaitReady("fn-a", 1);
        assertThat(first.getStatus().getUrl()).startsWith("http://127.0.0.1:");
        assertThat(call(first.getStatus().getUrl())).contains("\"answer\": \"v1\"").contains("\"k\": 1");

        Service current = services.withName("fn-a").get();
        current.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image("fn-a", "v2"));
        services.resource(current).update();

        Service second = awaitReady("fn-a", 2);
        assertThat(second.getStatus().getLatestReadyRevisionName()).isEqualTo("fn-a-00002");
        assertThat(call(second.getStatus().getUrl())).contains("\"answer\": \"v2\"");
        assertThat(client.knative.revisions().inNamespace(KnativeTestClient.NAMESPACE)
                .withLabel("serving.knative.dev/service", "fn-a").list().getItems()).hasSize(2);
        // the old revision's process is stopped once the new one serves (SIGTERM: it drains first)
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !reachable(first.getStatus().getUrl()));

        // pin the traffic back to the first revision: its process starts again
        current = services.withName("fn-a").get();
        current.getSpec().setTraffic(List.of(new TrafficTargetBuilder().withRevisionName("fn-a-00001")
                .withLatestRevision(false).withPercent(100L).build()));
        services.resource(current).update();
        Service pinned = client.knative.services().inNamespace(KnativeTestClient.NAMESPACE).withName("fn-a")
                .waitUntilCondition(s -> s.getStatus().getTraffic() != null && s.getStatus().getTraffic().size() == 1
                        && "fn-a-00001".equals(s.getStatus().getTraffic().get(0).getRevisionName()), 60,
                        java.util.concurrent.TimeUnit.SECONDS);
        assertThat(call(pinned.getStatus().getUrl())).contains("\"answer\": \"v1\"");

        assertThat(services.withName("fn-a").delete()).isNotEmpty();
        Awaitility.await("deleted means stopped").atMost(Duration.ofSeconds(20))
                .until(() -> !reachable(pinned.getStatus().getUrl()));
        assertThat(services.withName("fn-a").delete()).as("already gone").isEmpty();
    }

    @Test
    void aJavaFunctionListensWhereLocalModePlacesItWhateverPortAndHostItsImageNames(@TempDir Path work,
            @TempDir Path src) throws Exception {
        start(work);
        // every runtime image carries PORT=8080 (and HOST may be 0.0.0.0): local mode places the function on loopback
        Files.writeString(src.resolve("Echo.java"), "import java.util.Map;\n"
                + "public class Echo { public static Map<String, Object> handler(Map<String, Object> e) { return Map.of(\"echo\", e); } }\n");
        assertThat(javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-d",
                src.toString(), src.resolve("Echo.java").toString())).isZero();
        String digest = new RegistryWriter(registry.host()).push("functions/fn-java", "v1",
                Map.of("function/classes/Echo.class", Files.readAllBytes(src.resolve("Echo.class"))),
                Map.of("FUNCTION_ID", "fn-java", "FUNCTION_RUNTIME", "java", "FUNCTION_CLASS", "Echo",
                        "PORT", "8080", "HOST", "0.0.0.0"));
        client.knative.services().inNamespace(KnativeTestClient.NAMESPACE)
                .resource(service("fn-java", registry.host() + "/functions/fn-java@" + digest)).create();

        assertThat(call(awaitReady("fn-java", 1).getStatus().getUrl())).isEqualTo("{\"echo\":{\"k\":1}}");
    }

    @Test
    void aFunctionImportsFromItsDependencyLayerWhichLocalModeUnpacksBesideIt(@TempDir Path work) throws Exception {
        start(work);
        // as the builder makes it: code under /function, packages under /function-deps, FUNCTION_DEPS_DIR in the image
        String digest = new RegistryWriter(registry.host()).push("functions/fn-deps", "v1", Map.of(
                "function/main.py", "from tinymath import triple\n\ndef handler(event):\n    return {'tripled': triple(event['k'])}\n"
                        .getBytes(StandardCharsets.UTF_8),
                "function-deps/tinymath/__init__.py", "def triple(n):\n    return 3 * n\n".getBytes(StandardCharsets.UTF_8)),
                Map.of("FUNCTION_ID", "fn-deps", "FUNCTION_RUNTIME", "python", "FUNCTION_FILE", "main.py",
                        "FUNCTION_HANDLER", "handler", "FUNCTION_DEPS_DIR", "/function-deps"));
        client.knative.services().inNamespace(KnativeTestClient.NAMESPACE)
                .resource(service("fn-deps", registry.host() + "/functions/fn-deps@" + digest)).create();

        assertThat(call(awaitReady("fn-deps", 1).getStatus().getUrl())).contains("\"tripled\": 3");
    }

    @Test
    void withoutAWorkingForkServerPythonFunctionsStartTheirOwnInterpreter(@TempDir Path other) throws Exception {
        // a Unix socket path over the kernel's 108 bytes: the fork server cannot bind, so it never starts (the fork
        // server is used only without the sandbox: a fork would share one sandbox)
        Path deep = Files.createDirectories(other.resolve("d".repeat(60)).resolve("e".repeat(60)));
        start(deep, "off");
        client.knative.services().inNamespace(KnativeTestClient.NAMESPACE).resource(service("fn-c", image("fn-c", "own")))
                .create();

        assertThat(call(awaitReady("fn-c", 1).getStatus().getUrl())).contains("\"answer\": \"own\"");
        assertThat(Files.readString(deep.resolve("python-fork-server.log"))).contains("AF_UNIX path too long");
    }

    @Test
    void anImageThatCannotBePulledMakesTheServiceReadyFalseWithKnativesReasons(@TempDir Path work) throws Exception {
        start(work);
        client.knative.services().inNamespace(KnativeTestClient.NAMESPACE)
                .resource(service("fn-b", registry.host() + "/functions/none@sha256:" + "0".repeat(64))).create();

        Service failed = client.awaitSettled("fn-b", 1, Duration.ofSeconds(30));

        assertThat(condition(failed, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(failed, "ConfigurationsReady").getReason()).isEqualTo("RevisionFailed");
        assertThat(condition(failed, "ConfigurationsReady").getMessage()).startsWith("Revision \"fn-b-00001\" failed with message: ")
                .contains("cannot pull").contains("404");
        assertThat(condition(failed, "Ready").getReason()).isEqualTo("RevisionMissing");
        Revision revision = client.knative.revisions().inNamespace(KnativeTestClient.NAMESPACE).withName("fn-b-00001").get();
        assertThat(revision.getStatus().getConditions()).singleElement()
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("ContainerMissing"));
    }

    @Test
    void closingTheClusterStopsEveryFunctionProcess(@TempDir Path work) throws Exception {
        start(work);
        client.knative.services().inNamespace(KnativeTestClient.NAMESPACE).resource(service("fn-d", image("fn-d", "d")))
                .create();
        String url = awaitReady("fn-d", 1).getStatus().getUrl();

        cluster.close();
        cluster = null;

        assertThat(reachable(url)).isFalse();
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
