package io.knative.lambda.localcluster.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.knative.lambda.localcluster.LocalClusterSettings;

/**
 * A port taken between its choice and the function's bind (another program binds it in that moment): the function is
 * started again on another port and serves; a port taken every time ends the start with what held it.
 */
class PortTakenIT {

    private static final String PROJECT = System.getProperty("test.project.dir", "..");
    private final List<FunctionProcess> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(FunctionProcess::stop);
    }

    @Test
    void aFunctionWhosePortIsTakenBeforeItListensStartsAgainOnAnotherAndServes(@TempDir Path work) throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Deque<Integer> firstTaken = new ArrayDeque<>(List.of(squatter.getLocalPort()));
            FunctionLauncher.Ports ports = () -> firstTaken.isEmpty() ? FunctionPorts.SHARED.next() : firstTaken.pop();
            try (FunctionLauncher launcher = launcher(work, ports)) {
                FunctionProcess function = launch(launcher, work, "fn-taken-00001");

                assertThat(function.port()).isNotEqualTo(squatter.getLocalPort());
                HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(function.url()))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.body()).contains("\"port\": " + function.port());
                assertThat(Files.readString(work.resolve("fn-taken-00001/function.log")))
                        .as("the first start's own words").contains("Address already in use");
            }
        }
    }

    @Test
    void aPortTakenAtEveryStartEndsTheLaunchWithWhatHeldIt(@TempDir Path work) throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                FunctionLauncher launcher = launcher(work, squatter::getLocalPort)) {
            assertThatThrownBy(() -> launch(launcher, work, "fn-always-00001")).isInstanceOf(IOException.class)
                    .hasMessageContaining("Address already in use")
                    .hasMessageContaining("(port " + squatter.getLocalPort() + " held by: [tcp")
                    .hasMessageContaining("LISTEN");
        }
    }

    private static FunctionLauncher launcher(Path work, FunctionLauncher.Ports ports) {
        LocalClusterSettings settings = LocalClusterSettings.from(Map.of("KLAMBDA_LOCAL_PYTHON_RUNTIME",
                "python3 -u " + PROJECT + "/function-runtime/python/klambda_local.py"));
        LocalRuntimes runtimes = new LocalRuntimes(settings.resolvedPythonRuntime(), List.of("java"), false);
        return new FunctionLauncher(runtimes, Sandbox.off(), work, Duration.ofSeconds(30), ports);
    }

    /** A function that says which port it serves on, unpacked as the image puller would, and launched. */
    private FunctionProcess launch(FunctionLauncher launcher, Path work, String revision) throws IOException {
        Path dir = work.resolve(revision);
        Files.createDirectories(dir.resolve("function"));
        Files.writeString(dir.resolve("function/fn.py"), "import os\ndef handler(event):\n    return {'port': int(os.environ['PORT'])}\n");
        FunctionProcess process = launcher.launch(revision, revision, "registry.local/functions/" + revision + "@sha256:0",
                Map.of("FUNCTION_ID", revision, "FUNCTION_FILE", "fn.py"), List.of(), dir.resolve("function"),
                dir.resolve("function.log"));
        started.add(process);
        return process;
    }
}
