package io.knative.lambda.localcluster.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Python runtime's fork server as local mode uses it: real runtime, real processes, real HTTP. */
class PythonForkServerIT {

    private static final String SOURCE = "import os\n\ndef handler(event):\n"
            + "    return {'answer': os.environ.get('GREETING'), 'pid': os.getpid(), 'got': event}\n";

    @TempDir
    Path work;
    private PythonForkServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void server() {
        String project = System.getProperty("test.project.dir", "..");
        server = new PythonForkServer(List.of("python3", "-u", project + "/function-runtime/python/klambda_local.py"), work);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Path functionDir(String name) throws IOException {
        Path dir = Files.createDirectories(work.resolve(name));
        Files.writeString(dir.resolve(name + ".py"), SOURCE);
        return dir;
    }

    private String post(FunctionProcess p) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(p.url())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"k\":1}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    @Test
    void aForkedFunctionAnswersWithItsOwnEnvironmentAndStopsOnRequest() throws Exception {
        FunctionProcess a = FunctionProcess.startForked("a-00001", "img", FunctionPorts.SHARED.next(), server, Map.of("GREETING", "hello a", "FUNCTION_ID", "a"),
                functionDir("a"), work.resolve("a.log"), Duration.ofSeconds(30));
        FunctionProcess b = FunctionProcess.startForked("b-00001", "img", FunctionPorts.SHARED.next(), server, Map.of("GREETING", "hello b", "FUNCTION_ID", "b"),
                functionDir("b"), work.resolve("b.log"), Duration.ofSeconds(30));

        assertThat(post(a)).contains("\"answer\": \"hello a\"").contains("\"got\": {\"k\": 1}");
        assertThat(post(b)).contains("\"answer\": \"hello b\"");
        assertThat(Files.readString(work.resolve("a.log"))).contains("\"msg\":\"ready\"").contains("\"function\":\"a\"");

        a.stop();
        assertThat(a.alive()).isFalse();
        assertThat(b.alive()).as("stopping one function leaves the others").isTrue();
        assertThat(Files.readString(work.resolve("a.log"))).contains("\"msg\":\"stopped\"");
        b.stop();
    }

    @Test
    void aFunctionThatCannotLoadFailsTheStartWithItsLog() throws Exception {
        Path dir = Files.createDirectories(work.resolve("broken"));
        Files.writeString(dir.resolve("broken.py"), "def handler(event:\n");

        assertThatThrownBy(() -> FunctionProcess.startForked("broken-00001", "img", FunctionPorts.SHARED.next(), server, Map.of(), dir,
                work.resolve("broken.log"), Duration.ofSeconds(30)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("the runtime exited")
                .hasMessageContaining("cannot load the function");
    }

    @Test
    void aServerThatDiedIsStartedAgain() throws Exception {
        FunctionProcess first = FunctionProcess.startForked("c-00001", "img", FunctionPorts.SHARED.next(), server, Map.of(), functionDir("c"),
                work.resolve("c.log"), Duration.ofSeconds(30));
        ProcessHandle forkServer = ProcessHandle.of(first.pid()).orElseThrow().parent().orElseThrow();
        forkServer.destroyForcibly();
        await().atMost(Duration.ofSeconds(10)).until(() -> !forkServer.isAlive());

        FunctionProcess second = FunctionProcess.startForked("d-00001", "img", FunctionPorts.SHARED.next(), server, Map.of(), functionDir("d"),
                work.resolve("d.log"), Duration.ofSeconds(30));
        assertThat(post(second)).contains("\"got\"");
        first.stop();
        second.stop();
    }

    @Test
    void aRequestTheServerRefusesIsAClearError() throws Exception {
        assertThatThrownBy(() -> server.spawn(Map.of("FUNCTION_DIR", "/x"), Path.of("")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("refused to start the function");
    }
}
