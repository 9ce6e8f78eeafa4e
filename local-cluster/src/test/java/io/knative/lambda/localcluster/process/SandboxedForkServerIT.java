package io.knative.lambda.localcluster.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.localcluster.LocalClusterSettings;

/**
 * The sandboxed fork server (klambda_local.py --fork-server --sandbox) as local mode uses it: each forked function
 * builds the sandbox bwrap would have built from the same options, answers from inside it under its init, the one
 * process it has beside the function, drains on SIGTERM, dies with its init, and a sandbox it cannot build is a clear
 * error, never an unsandboxed function.
 */
class SandboxedForkServerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = System.getProperty("test.project.dir", "..");
    private static final String SOURCE = """
            import os, socket, subprocess, time
            def zombies():
                states = []
                for p in (p for p in os.listdir('/proc') if p.isdigit()):
                    try:
                        with open('/proc/%s/stat' % p) as f:
                            states.append(f.read().rsplit(') ', 1)[1][0])
                    except OSError:
                        pass
                return states.count('Z')
            def writes(path):
                try:
                    with open(path, 'w') as f:
                        f.write('x')
                    return True
                except OSError:
                    return False
            def handler(event):
                subprocess.run(['/bin/sh', '-c', 'sleep 0.1 & exit 0'], check=True)  # an orphan, reparented to PID 1
                time.sleep(0.5)
                with open('/proc/self/status') as f:
                    status = dict(l.split(':\\t', 1) for l in f.read().splitlines() if ':\\t' in l)
                return {'uid': os.getuid(), 'pid': os.getpid(), 'host': socket.gethostname(), 'root': sorted(os.listdir('/')),
                        'capBnd': status['CapBnd'].strip(), 'logVisible': os.path.exists(os.environ['LOG']),
                        'writesRoot': writes('/planted'), 'writesTmp': writes('/tmp/scratch'),
                        'writesShm': writes('/dev/shm/segment'), 'zombies': zombies(),
                        'greeting': os.environ.get('GREETING')}
            """;

    @TempDir
    Path work;
    private Sandbox sandbox;
    private PythonForkServer server;
    private List<String> python;
    private final List<FunctionProcess> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void server() throws Exception {
        sandbox = Sandbox.bubblewrap("bwrap");
        assertThat(sandbox.forkable()).as("a user namespace is available here").isTrue();
        // as the local cluster runs it: the interpreter resolved (a version manager's shim is not its installation)
        python = LocalClusterSettings.from(Map.of("KLAMBDA_LOCAL_PYTHON_RUNTIME", "python3 -u " + Path.of(PROJECT,
                "function-runtime/python/klambda_local.py").toAbsolutePath().normalize())).resolvedPythonRuntime();
        server = new PythonForkServer(python, work, true);
    }

    @AfterEach
    void stop() {
        started.forEach(FunctionProcess::stop);
        server.close();
    }

    private Path functionDir(String name) throws Exception {
        Path dir = Files.createDirectories(work.resolve(name + "-00001/function"));
        Files.writeString(dir.resolve(name + ".py"), SOURCE);
        return dir;
    }

    private FunctionProcess fork(String name, List<String> options) throws Exception {
        Path dir = functionDir(name);
        FunctionProcess p = FunctionProcess.startForked(name + "-00001", "img", FunctionPorts.SHARED.next(), server,
                Map.of("FUNCTION_ID", name, "FUNCTION_FILE", name + ".py", "GREETING", "hello " + name, "LOG",
                        work.resolve(name + "-00001/function.log").toString()), dir,
                work.resolve(name + "-00001/function.log"), Duration.ofSeconds(30), options);
        started.add(p);
        return p;
    }

    private FunctionProcess fork(String name) throws Exception {
        return fork(name, sandbox.options(python, work.resolve(name + "-00001/function"), List.of()));
    }

    /** The local cluster's sandbox options for {@code name}, then {@code more}. */
    private List<String> optionsWith(String name, String... more) {
        List<String> options = new ArrayList<>(sandbox.options(python, work.resolve(name + "-00001/function"), List.of()));
        options.addAll(List.of(more));
        return options;
    }

    private JsonNode invoke(FunctionProcess p) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(p.url())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void aForkedFunctionAnswersFromItsOwnSandboxUnprivilegedUnderItsInit() throws Exception {
        JsonNode seen = invoke(fork("alpha"));

        assertThat(seen.path("greeting").asText()).isEqualTo("hello alpha");
        assertThat(seen.path("uid").asInt()).isEqualTo(65534);
        assertThat(seen.path("pid").asInt()).as("PID 2 of a PID namespace of its own, under its init").isEqualTo(2);
        assertThat(seen.path("zombies").asInt()).as("an orphan that ended was reaped by the init").isZero();
        assertThat(seen.path("host").asText()).isEqualTo("function");
        assertThat(seen.path("capBnd").asText()).as("not even a capability to regain").isEqualTo("0000000000000000");
        List<String> root = new ArrayList<>();
        seen.path("root").forEach(n -> root.add(n.asText()));
        assertThat(root).contains("usr", "proc", "dev", "tmp").doesNotContain("home", "var", "opt", "srv", "mnt");
        assertThat(seen.path("logVisible").asBoolean()).as("its own log, beside its folder, is not in its sandbox").isFalse();
        assertThat(seen.path("writesRoot").asBoolean()).as("its root is read-only").isFalse();
        assertThat(seen.path("writesTmp").asBoolean()).as("its private /tmp is writable").isTrue();
        assertThat(seen.path("writesShm").asBoolean()).as("so is /dev/shm").isTrue();
    }

    @Test
    void aForkedFunctionDrainsOnSigtermAndItsInitEndsWithIt() throws Exception {
        FunctionProcess a = fork("beta");
        FunctionProcess b = fork("gamma");
        invoke(a);

        a.stop();

        assertThat(a.alive()).as("the sandbox's init ends when the function does").isFalse();
        assertThat(Files.readString(work.resolve("beta-00001/function.log"))).contains("\"msg\":\"draining\"")
                .contains("\"msg\":\"stopped\"");
        assertThat(invoke(b).path("greeting").asText()).as("the others go on").isEqualTo("hello gamma");
    }

    @Test
    void killingTheSandboxesInitKillsTheFunctionInside() throws Exception {
        FunctionProcess p = fork("delta");
        ProcessHandle init = ProcessHandle.of(p.pid()).orElseThrow();
        ProcessHandle function = init.children().findFirst().orElseThrow();

        init.destroyForcibly();

        await().atMost(Duration.ofSeconds(10)).until(() -> !function.isAlive());
    }

    @Test
    void theProcessStartedIsTheSandboxesInitForkedByTheServerWithTheFunctionItsOnlyChild() throws Exception {
        FunctionProcess p = fork("eta");
        invoke(p);
        ProcessHandle init = ProcessHandle.of(p.pid()).orElseThrow();

        assertThat(nsPids(init)).as("PID 1 of a PID namespace of its own").endsWith("1");
        assertThat(init.parent().flatMap(q -> q.info().commandLine()).orElse(""))
                .as("forked by the server itself: no monitor between them").contains("--fork-server");
        List<ProcessHandle> children = init.children().toList();
        assertThat(children).hasSize(1);
        assertThat(nsPids(children.get(0))).as("the function, PID 2").endsWith("2");
    }

    /** The process's PIDs from the host's namespace inward ({@code NSpid} of /proc/PID/status). */
    private static List<String> nsPids(ProcessHandle process) throws Exception {
        return Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream()
                .filter(l -> l.startsWith("NSpid:")).findFirst().map(l -> List.of(l.substring(6).trim().split("\\s+")))
                .orElseThrow();
    }

    @Test
    void anOptionTheSandboxDoesNotImplementIsRefusedWithItsName() throws Exception {
        assertThatThrownBy(() -> fork("eps", optionsWith("eps", "--bind", "/", "/host")))
                .isInstanceOf(PythonForkServer.SandboxFailedException.class)
                .hasMessageContaining("does not implement '--bind'");
    }

    @Test
    void aSandboxThatCannotBeBuiltIsAClearErrorAndNoFunctionRuns() throws Exception {
        assertThatThrownBy(() -> fork("zeta", optionsWith("zeta", "--ro-bind", "/no/such/dir", "/data")))
                .isInstanceOf(PythonForkServer.SandboxFailedException.class)
                .hasMessageContaining("could not start the function in its sandbox")
                .hasMessageContaining("--ro-bind: no /no/such/dir");
        assertThat(Files.readString(work.resolve("zeta-00001/function.log"))).doesNotContain("\"msg\":\"ready\"");
    }
}
