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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.knative.serving.v1.Service;
import io.knative.lambda.localcluster.KnativeTestClient;
import io.knative.lambda.localcluster.LocalCluster;
import io.knative.lambda.localcluster.LocalClusterSettings;
import io.knative.lambda.localcluster.api.BearerToken;
import io.knative.lambda.testsupport.RegistryServer;
import io.knative.lambda.testsupport.RegistryWriter;

/**
 * A hostile function in local mode, in the sandbox, both as the sandboxed fork server forks it (the default) and as
 * bwrap starts it ({@code KLAMBDA_LOCAL_PYTHON_FORK_SERVER=false}): it prints its whole environment and finds none of
 * the platform's variables (the local cluster's environment holds made-up platform credentials, see the pom); it cannot
 * read another function's source, another function's log, the local cluster's {@code /proc/<pid>/environ}, nor see
 * other processes; its own directory is read-only; it holds no capability; and nothing of another function's
 * environment is anywhere in its memory (a forked function's memory is a copy of the fork server's).
 */
class FunctionIsolationIT {

    private static final String PROJECT = System.getProperty("test.project.dir", "..");
    private static final ObjectMapper JSON = new ObjectMapper();
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

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private void start(Path work, boolean forkServer) throws Exception {
        LocalClusterSettings settings = LocalClusterSettings.from(Map.of("KLAMBDA_LOCAL_CLUSTER_PORT", "0",
                "KLAMBDA_LOCAL_WORK_DIR", work.toString(), "KLAMBDA_LOCAL_START_TIMEOUT", "30s",
                "KLAMBDA_LOCAL_PYTHON_RUNTIME", "python3 -u " + PROJECT + "/function-runtime/python/klambda_local.py",
                "KLAMBDA_LOCAL_SANDBOX", "bwrap", "KLAMBDA_LOCAL_PYTHON_FORK_SERVER", String.valueOf(forkServer)));
        cluster = LocalCluster.start(settings, LocalCluster.runner(settings), BearerToken.of("test-token-0123456789"));
        client = new KnativeTestClient(cluster.url(), "test-token-0123456789");
    }

    private String image(String name, String source, String token) {
        String digest = new RegistryWriter(registry.host()).push("functions/" + name, "v1",
                Map.of("function/" + name, source.getBytes(StandardCharsets.UTF_8)),
                Map.of("FUNCTION_ID", name, "FUNCTION_RUNTIME", "python", "FUNCTION_FILE", name, "FUNCTION_HANDLER", "handler",
                        "FUNCTION_TOKEN", token));
        return registry.host() + "/functions/" + name + "@" + digest;
    }

    private String deploy(String name, String source, String token) {
        client.knative.services().inNamespace(KnativeTestClient.NAMESPACE).resource(service(name, image(name, source, token)))
                .create();
        Service ready = client.awaitSettled(name, 1, Duration.ofSeconds(60));
        assertThat(condition(ready, "Ready").getStatus()).as(String.valueOf(ready.getStatus())).isEqualTo("True");
        return ready.getStatus().getUrl();
    }

    @ParameterizedTest(name = "fork server {0}")
    @ValueSource(booleans = {true, false})
    void aFunctionSeesOnlyItsOwnEnvironmentFilesAndProcess(boolean forkServer, @TempDir Path work) throws Exception {
        start(work, forkServer);
        // the victim's secret: its halves are in the attacker's source apart (the second shifted by one), never together
        String victimToken = "victim-token-" + UUID.randomUUID();
        String head = victimToken.substring(0, 20);
        String tailShifted = victimToken.substring(20).chars().map(c -> c + 1)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        deploy("victim", "# victim-source-marker\ndef handler(event):\n    print('victim-log-marker', flush=True)\n"
                + "    return {}\n", victimToken);
        Path victimSource = work.resolve("victim-00001/function/victim");
        Path victimLog = work.resolve("victim-00001/function.log");
        assertThat(Files.readString(victimSource)).contains("victim-source-marker");
        String attacker = """
                import os
                def attempt(path):
                    try:
                        with open(path, 'rb') as f:
                            return 'READ ' + f.read(300).decode('utf-8', 'replace')
                    except Exception as e:
                        return 'DENIED ' + type(e).__name__
                def in_memory(head, tail_shifted):
                    tail = bytes(b - 1 for b in tail_shifted)
                    with open('/proc/self/maps') as maps, open('/proc/self/mem', 'rb', 0) as mem:
                        for line in maps.read().splitlines():
                            span, perms = line.split()[:2]
                            if not perms.startswith('r') or line.endswith(('[vvar]', '[vsyscall]', '[vvar_vclock]')):
                                continue
                            start, end = (int(x, 16) for x in span.split('-'))
                            try:
                                mem.seek(start)
                                region = mem.read(end - start)
                            except (OSError, ValueError, OverflowError):
                                continue
                            i = region.find(head)
                            while i >= 0:
                                if region[i + len(head):i + len(head) + len(tail)] == tail:
                                    return True
                                i = region.find(head, i + 1)
                    return False
                def status():
                    with open('/proc/self/status') as f:
                        return dict(l.split(':\t', 1) for l in f.read().splitlines() if ':\t' in l)
                def handler(event):
                    print('ENVIRONMENT', dict(os.environ), flush=True)
                    try:
                        open(os.path.join(os.environ['FUNCTION_DIR'], 'planted'), 'w').write('x')
                        wrote = True
                    except OSError:
                        wrote = False
                    return {'env': dict(os.environ), 'uid': os.getuid(),
                            'victimSource': attempt('%s'), 'victimLog': attempt('%s'),
                            'platformEnviron': attempt('/proc/%d/environ'),
                            'pids': sorted(int(p) for p in os.listdir('/proc') if p.isdigit()),
                            'ownEnviron': attempt('/proc/self/environ'),
                            'victimTokenInMemory': in_memory(b'%s', b'%s'),
                            'ownTokenInMemory': in_memory(b'attacker-tok', b'fo'),
                            'status': status(), 'wroteOwnDir': wrote}
                """.formatted(victimSource, victimLog, ProcessHandle.current().pid(), head, tailShifted);
        String url = deploy("attacker", attacker, "attacker-token");

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode seen = JSON.readTree(response.body());

        List<String> names = new ArrayList<>();
        seen.path("env").fieldNames().forEachRemaining(names::add);
        assertThat(System.getenv()).as("the platform's credentials are in the local cluster's environment")
                .containsKeys("AWS_SECRET_ACCESS_KEY", "KLAMBDA_REGISTRY_PASSWORD");
        assertThat(names).doesNotContain("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "KLAMBDA_REGISTRY_PASSWORD")
                .noneMatch(n -> n.startsWith("KLAMBDA_"))
                .allMatch(n -> n.startsWith("FUNCTION_") || n.startsWith("K_") || List.of("PORT", "HOST", "PATH", "HOME",
                        "LANG", "PWD").contains(n), "a function's own variable");
        assertThat(seen.path("env").toString()).doesNotContain("platform-secret-access-key", "platform-registry-password",
                "PLATFORM-ACCESS-KEY-ID", "platform-webhook-token");
        assertThat(Files.readString(work.resolve("attacker-00001/function.log"))).contains("ENVIRONMENT")
                .doesNotContain("platform-secret-access-key");
        assertThat(seen.path("env").path("FUNCTION_ID").asText()).isEqualTo("attacker");
        assertThat(seen.path("env").path("K_SERVICE").asText()).isEqualTo("attacker");

        assertThat(seen.path("victimSource").asText()).startsWith("DENIED").doesNotContain("victim-source-marker");
        assertThat(seen.path("victimLog").asText()).startsWith("DENIED");
        assertThat(seen.path("platformEnviron").asText()).startsWith("DENIED");
        assertThat(seen.path("pids").size()).as("only its own processes: " + seen.path("pids")).isLessThanOrEqualTo(2);
        assertThat(seen.path("uid").asInt()).as("an unprivileged uid (a user namespace is available here)").isEqualTo(65534);
        assertThat(seen.path("wroteOwnDir").asBoolean()).as("its directory is read-only").isFalse();
        assertThat(work.resolve("attacker-00001/function/planted")).doesNotExist();
        assertThat(seen.path("ownEnviron").asText()).as("the memory its process started with (a fork server's, when forked)")
                .doesNotContain("platform-secret-access-key", "platform-registry-password", "AWS_SECRET", victimToken);
        assertThat(seen.path("ownTokenInMemory").asBoolean()).as("the memory scan finds its own token (attacker-token)").isTrue();
        assertThat(seen.path("victimTokenInMemory").asBoolean()).as("another function's environment in its memory").isFalse();
        assertThat(seen.path("status").path("CapEff").asText().trim()).as("no capability").isEqualTo("0000000000000000");
        assertThat(seen.path("status").path("CapPrm").asText().trim()).isEqualTo("0000000000000000");
        assertThat(seen.path("status").path("NoNewPrivs").asText().trim()).as("no new privileges through exec").isEqualTo("1");
        assertThat(Files.exists(work.resolve("python-fork-server.sock"))).as("started by the sandboxed fork server")
                .isEqualTo(forkServer);
    }
}
