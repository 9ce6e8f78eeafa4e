package io.knative.lambda.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
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
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.knative.lambda.testsupport.LocalProcess;
import io.knative.lambda.testsupport.RegistryServer;
import io.knative.lambda.testsupport.RegistryWriter;

/**
 * The packaged local cluster of make run, broken as an operator would: SIGKILLed with functions running and started
 * again (the listing, the revisions and the processes are the same, no duplicate; an update is {@code -00002}),
 * stopped after that (no function process left), and a function process that crashes (Ready=False with the reason,
 * then restarted and answering again).
 */
class LocalClusterRestartIT {

    private static final String TOKEN = "restart-test-token-0123456789";
    private static final String NAMESPACE = "local";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PROJECT = Path.of(System.getProperty("test.project.dir", "..")).toAbsolutePath().normalize();
    private static RegistryServer registry;
    private final HttpClient http = HttpClient.newHttpClient();
    private final int port = LocalProcess.freePort();
    private Path dir;
    private LocalProcess cluster;

    @BeforeAll
    static void startRegistry() {
        registry = RegistryServer.start();
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    /**
     * Unsandboxed, and in the sandbox forked by the sandboxed fork server, function processes outlive a killed cluster
     * and are adopted; started by bubblewrap (--die-with-parent) they end with it and are started again.
     */
    private String sandbox = "off";
    private boolean forkServer = true;

    @BeforeEach
    void start() throws IOException {
        dir = Files.createTempDirectory("klambda-cluster-");
        cluster = startCluster();
    }

    @AfterEach
    void stop() {
        cluster.stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder
        }
    }

    @Test
    void aClusterKilledWithFunctionsRunningComesBackWithTheSameServicesRevisionsAndProcesses() throws Exception {
        long pid = killTheClusterAndAssertAdopted("fn-keep");
        assertThat(functionProcesses()).as("no duplicate").hasSize(1);

        ObjectNode current = (ObjectNode) get("fn-keep");
        ((ObjectNode) current.path("spec").path("template").path("spec").path("containers").get(0))
                .put("image", image("fn-keep", "v2"));
        send("PUT", "/fn-keep", current);
        JsonNode updated = awaitReady("fn-keep", 2);
        assertThat(updated.path("status").path("latestReadyRevisionName").asText()).isEqualTo("fn-keep-00002");
        assertThat(call(updated.path("status").path("url").asText())).contains("\"answer\": \"v2\"");

        long second = pid("fn-keep-00002");
        cluster.stop();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(ProcessHandle.of(pid)).isEmpty();
            assertThat(ProcessHandle.of(second)).isEmpty();
        });
    }

    @Test
    void aCrashedFunctionIsNotReadyWithTheReasonThenRestartedAndAnswersAgain() throws Exception {
        create("fn-crash", image("fn-crash", "v1"));
        awaitReady("fn-crash", 1);
        long pid = pid("fn-crash-00001");

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode service = get("fn-crash");
            JsonNode ready = condition(service, "Ready");
            assertThat(ready.path("status").asText()).as("%s%n%s", ready, cluster.logText()).isEqualTo("False");
            // as in Knative, Ready says RevisionMissing and ConfigurationsReady carries the revision's own failure
            JsonNode configuration = condition(service, "ConfigurationsReady");
            assertThat(configuration.path("status").asText()).isEqualTo("False");
            assertThat(configuration.path("message").asText()).contains("fn-crash-00001").contains("ended");
        });
        JsonNode back = awaitReady("fn-crash", 1);
        assertThat(pid("fn-crash-00001")).isNotEqualTo(pid);
        assertThat(call(back.path("status").path("url").asText())).contains("\"answer\": \"v1\"");
    }

    @Test
    void aSandboxedForkedFunctionOutlivesItsKilledClusterAndIsAdopted() throws Exception {
        cluster.stop();
        sandbox = "bwrap";
        cluster = startCluster();
        long pid = killTheClusterAndAssertAdopted("fn-forked");
        cluster.stop();
        await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).isEmpty());
    }

    @Test
    void aFunctionBubblewrapStartedEndsWithItsKilledClusterAndIsStartedAgainWhenItComesBack() throws Exception {
        cluster.stop();
        sandbox = "bwrap";
        forkServer = false;
        cluster = startCluster();
        create("fn-boxed", image("fn-boxed", "v1"));
        awaitReady("fn-boxed", 1);
        long pid = pid("fn-boxed-00001");

        cluster.kill();
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).isEmpty());
        cluster = startCluster();

        // the reloaded status says Ready until the controller has reconciled it: wait for the function to answer
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(call(get("fn-boxed").path("status").path("url").asText())).contains("\"answer\": \"v1\""));
        JsonNode back = awaitReady("fn-boxed", 1);
        assertThat(back.path("status").path("latestReadyRevisionName").asText()).isEqualTo("fn-boxed-00001");
        assertThat(pid("fn-boxed-00001")).as("a new process").isNotEqualTo(pid);
        assertThat(ProcessHandle.of(pid("fn-boxed-00001"))).as("the one the pid file names runs").isPresent();
    }

    /**
     * Creates {@code name} (answering v1), SIGKILLs the cluster, starts it again, and asserts that the same process,
     * adopted, answers at the same URL as the same revision; returns its pid.
     */
    private long killTheClusterAndAssertAdopted(String name) throws Exception {
        create(name, image(name, "v1"));
        String url = awaitReady(name, 1).path("status").path("url").asText();
        long pid = pid(name + "-00001");
        assertThat(call(url)).contains("\"answer\": \"v1\"");

        cluster.kill();
        assertThat(ProcessHandle.of(pid)).as("the function outlives a SIGKILL of its cluster").isPresent();
        cluster = startCluster();

        JsonNode after = awaitReady(name, 1);
        assertThat(after.path("status").path("latestReadyRevisionName").asText()).isEqualTo(name + "-00001");
        assertThat(after.path("status").path("url").asText()).isEqualTo(url);
        assertThat(call(url)).contains("\"answer\": \"v1\"");
        assertThat(pid(name + "-00001")).as("the same process, adopted").isEqualTo(pid);
        return pid;
    }

    private LocalProcess startCluster() {
        Map<String, String> env = Map.of("KLAMBDA_LOCAL_CLUSTER_PORT", Integer.toString(port),
                "KLAMBDA_LOCAL_CLUSTER_TOKEN_FILE", dir.resolve("token").toString(),
                "KLAMBDA_LOCAL_WORK_DIR", dir.resolve("functions").toString(),
                "KLAMBDA_LOCAL_STATE_FILE", dir.resolve("state.json").toString(),
                "KLAMBDA_LOCAL_PYTHON_RUNTIME", "python3 -u " + PROJECT.resolve("function-runtime/python/klambda_local.py"),
                "KLAMBDA_LOCAL_RESTART_BACKOFF", "5s", "KLAMBDA_LOCAL_RESTART_MAX_BACKOFF", "10s",
                "KLAMBDA_LOCAL_SANDBOX", sandbox, "KLAMBDA_LOCAL_PYTHON_FORK_SERVER", String.valueOf(forkServer));
        try {
            Files.writeString(dir.resolve("token"), TOKEN);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        LocalProcess process = new LocalProcess("local-cluster", List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", PROJECT.resolve("local-cluster/target/local-cluster.jar").toString()), dir, env) {
        };
        await().atMost(Duration.ofSeconds(60)).until(() -> answers("/version"));
        return process;
    }

    private String image(String name, String answer) {
        String source = "def handler(event):\n    return {'answer': '" + answer + "'}\n";
        String digest = new RegistryWriter(registry.host()).push("functions/" + name, answer,
                Map.of("function/" + name, source.getBytes(StandardCharsets.UTF_8)),
                Map.of("FUNCTION_ID", name, "FUNCTION_RUNTIME", "python", "FUNCTION_FILE", name, "FUNCTION_HANDLER", "handler"));
        return registry.host() + "/functions/" + name + "@" + digest;
    }

    private void create(String name, String image) throws Exception {
        ObjectNode service = (ObjectNode) JSON.readTree("""
                {"apiVersion":"serving.knative.dev/v1","kind":"Service",
                 "metadata":{"name":"%s","namespace":"local"},
                 "spec":{"template":{"spec":{"containers":[{"image":"%s"}]}},
                         "traffic":[{"latestRevision":true,"percent":100}]}}""".formatted(name, image));
        send("POST", "", service);
    }

    private JsonNode awaitReady(String name, long generation) {
        JsonNode[] seen = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            seen[0] = get(name);
            assertThat(seen[0].path("status").path("observedGeneration").asLong()).isGreaterThanOrEqualTo(generation);
            assertThat(condition(seen[0], "Ready").path("status").asText()).as(seen[0].path("status").toString())
                    .isEqualTo("True");
        });
        return seen[0];
    }

    private static JsonNode condition(JsonNode service, String type) {
        for (JsonNode c : service.path("status").path("conditions")) {
            if (type.equals(c.path("type").asText())) {
                return c;
            }
        }
        return JSON.createObjectNode();
    }

    private long pid(String revision) throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("functions").resolve(revision).resolve("process.pid")).trim()
                .split("\\s+")[0]);
    }

    private List<Long> functionProcesses() {
        return ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(List::of).orElse(List.of()).stream()
                .anyMatch(a -> a.contains(dir.toString()))).map(ProcessHandle::pid)
                .filter(p -> !List.of(cluster.pid(), forkServer()).contains(p)).toList();
    }

    private long forkServer() {
        try {
            return Long.parseLong(Files.readString(dir.resolve("functions/python-fork-server.pid")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private JsonNode get(String name) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/" + name)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private void send(String method, String path, JsonNode body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization",
                "Bearer " + TOKEN).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 201);
    }

    private String base() {
        return "http://127.0.0.1:" + port + "/apis/serving.knative.dev/v1/namespaces/" + NAMESPACE + "/services";
    }

    private String call(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"k\":1}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private boolean answers(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(2))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
