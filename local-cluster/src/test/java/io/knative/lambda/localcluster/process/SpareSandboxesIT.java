package io.knative.lambda.localcluster.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.knative.lambda.localcluster.LocalClusterSettings;

/**
 * Where the sandboxed fork server is not used (turned off here but in one test, which shows that with it no spare
 * starts), sandboxed Python functions start in a spare sandbox (an interpreter that imported the runtime beforehand, in
 * a sandbox of its own): the spare becomes exactly the function (its files, its environment, its log), the next spare
 * is started behind it, functions a spare cannot serve start as before, and nothing of the spares outlives the
 * launcher.
 */
class SpareSandboxesIT {

    private static final String PROJECT = System.getProperty("test.project.dir", "..");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOURCE = """
            import os
            def handler(event):
                print('handled', event.get('n'), flush=True)
                return {'dir': os.environ['FUNCTION_DIR'], 'files': sorted(os.listdir('.')), 'uid': os.getuid(),
                        'env': sorted(os.environ), 'secret': os.environ.get('MY_SETTING'),
                        'others': sorted(os.listdir(os.path.dirname(os.path.dirname(os.environ['FUNCTION_DIR']))))}
            """;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<FunctionProcess> started = new ArrayList<>();
    private FunctionLauncher launcher;

    @AfterEach
    void stop() {
        started.forEach(FunctionProcess::stop);
        if (launcher != null) {
            launcher.close();
        }
    }

    private FunctionLauncher launcher(Path work) throws Exception {
        return launcher(work, false);
    }

    /** A launcher in the bwrap sandbox; {@code forkInSandbox}: Python functions forked by the sandboxed fork server. */
    private FunctionLauncher launcher(Path work, boolean forkInSandbox) throws Exception {
        LocalClusterSettings settings = LocalClusterSettings.from(Map.of("KLAMBDA_LOCAL_PYTHON_RUNTIME",
                "python3 -u " + PROJECT + "/function-runtime/python/klambda_local.py"));
        LocalRuntimes runtimes = new LocalRuntimes(settings.resolvedPythonRuntime(), List.of("java"), true);
        return new FunctionLauncher(runtimes, Sandbox.bubblewrap("bwrap"), work, Duration.ofSeconds(30), FunctionPorts.SHARED,
                forkInSandbox);
    }

    /** Unpacks the function as the image puller would, and launches it. */
    private FunctionProcess launch(Path work, String revision, Map<String, String> containerEnv) throws Exception {
        Path dir = work.resolve(revision);
        Files.createDirectories(dir.resolve("function"));
        Files.writeString(dir.resolve("function/fn.py"), SOURCE);
        List<EnvVar> env = new ArrayList<>();
        containerEnv.forEach((k, v) -> env.add(new EnvVar(k, v, null)));
        FunctionProcess process = launcher.launch(revision, revision, "registry.local/functions/" + revision + "@sha256:0",
                Map.of("FUNCTION_ID", revision, "FUNCTION_FILE", "fn.py", "FUNCTION_HANDLER", "handler"), env,
                dir.resolve("function"), dir.resolve("function.log"));
        started.add(process);
        return process;
    }

    private JsonNode call(FunctionProcess process, int n) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(process.url())).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"n\":" + n + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static boolean spareFolders(Path work) throws Exception {
        try (var dirs = Files.list(work)) {
            return dirs.anyMatch(d -> d.getFileName().toString().startsWith(SpareSandboxes.PREFIX));
        }
    }

    private static List<ProcessHandle> spareProcesses() {
        return ProcessHandle.current().children().filter(p -> p.info().commandLine().orElse("").endsWith("--spare")).toList();
    }

    @Test
    void aSpareBecomesTheFunctionWithItsFilesEnvironmentAndLogAndTheNextSpareFollows(@TempDir Path work) throws Exception {
        launcher = launcher(work);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(launcher::spareReady);

        FunctionProcess first = launch(work, "fn-a-00001", Map.of("MY_SETTING", "a-value"));
        JsonNode seen = call(first, 1);
        assertThat(seen.path("dir").asText()).as("the function runs in the spare's sandbox").contains("/" + SpareSandboxes.PREFIX);
        assertThat(seen.path("files").toString()).contains("fn.py");
        assertThat(seen.path("uid").asInt()).isEqualTo(65534);
        assertThat(seen.path("secret").asText()).isEqualTo("a-value");
        assertThat(seen.path("env").toString()).doesNotContain("AWS_SECRET_ACCESS_KEY", "KLAMBDA_");
        assertThat(seen.path("others")).as("beside its own folder, no other function's, no other spare").hasSize(1);
        assertThat(Files.readString(work.resolve("fn-a-00001/function.log"))).contains("handled 1")
                .doesNotContain("spare ready");
        assertThat(work.resolve("fn-a-00001/function/fn.py")).exists();

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(launcher::spareReady);
        FunctionProcess second = launch(work, "fn-b-00001", Map.of("MY_SETTING", "b-value"));
        JsonNode b = call(second, 2);
        assertThat(b.path("dir").asText()).contains("/" + SpareSandboxes.PREFIX).isNotEqualTo(seen.path("dir").asText());
        assertThat(b.path("secret").asText()).isEqualTo("b-value");
        assertThat(call(first, 3).path("secret").asText()).as("the first function is unchanged").isEqualTo("a-value");
    }

    @Test
    void aFunctionThatSetsAPythonVariableStartsAnInterpreterOfItsOwn(@TempDir Path work) throws Exception {
        launcher = launcher(work);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(launcher::spareReady);

        FunctionProcess own = launch(work, "fn-c-00001", Map.of("PYTHONDONTWRITEBYTECODE", "1"));

        assertThat(call(own, 1).path("dir").asText()).isEqualTo(work.resolve("fn-c-00001/function").toString());
        assertThat(launcher.spareReady()).as("the spare is still there for the next function").isTrue();
    }

    @Test
    void withTheSandboxedForkServerNoSpareStartsAndAPythonVariableStillGetsAnInterpreterInBwrap(@TempDir Path work)
            throws Exception {
        launcher = launcher(work, true);

        FunctionProcess forked = launch(work, "fn-d-00001", Map.of("MY_SETTING", "d-value"));
        FunctionProcess own = launch(work, "fn-e-00001", Map.of("PYTHONDONTWRITEBYTECODE", "1"));

        assertThat(call(forked, 1).path("secret").asText()).isEqualTo("d-value");
        assertThat(call(forked, 2).path("uid").asInt()).isEqualTo(65534);
        assertThat(ProcessHandle.of(forked.pid()).flatMap(ProcessHandle::parent).flatMap(p -> p.info().commandLine())
                .orElse("")).as("forked by the sandboxed fork server").contains("--fork-server").endsWith("--sandbox");
        assertThat(call(own, 1).path("uid").asInt()).isEqualTo(65534);
        assertThat(ProcessHandle.of(own.pid()).flatMap(p -> p.info().command()).orElse(""))
                .as("an interpreter of its own, in bwrap").endsWith("bwrap");
        assertThat(spareFolders(work)).as("no spare where functions are forked").isFalse();
        assertThat(spareProcesses()).isEmpty();
    }

    @Test
    void closingTheLauncherStopsTheSpareAndDeletesItsFolder(@TempDir Path work) throws Exception {
        launcher = launcher(work);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(launcher::spareReady);
        List<ProcessHandle> before = spareProcesses();
        assertThat(before).as("the spare's sandbox runs").hasSize(1);

        launcher.close();
        launcher = null;

        assertThat(spareFolders(work)).isFalse();
        assertThat(before).noneMatch(ProcessHandle::isAlive);
    }
}
