package io.knative.lambda.builder.deps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.builder.core.DependencyException;
import io.knative.lambda.builder.python.PipInstaller;
import io.knative.lambda.builder.python.PythonIndex;
import io.knative.lambda.builder.python.PythonTarget;

/**
 * What the real tool servers refuse: callers without the token (401), every command not of the builder's shape (403
 * {@code CommandNotAllowed}; none of them runs: the marker they would write never appears), paths outside the work
 * directory, symbolic links included (403 {@code PathNotAllowed}); and a tool that overruns is killed at its deadline.
 */
class ToolServerRefusalsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    @TempDir
    static Path work;
    @TempDir
    static Path tokens;
    @TempDir
    static Path outside;
    private static ToolServer python;
    private static ToolServer node;
    private static Path marker;
    private static Path requirements;
    private static Path project;

    @BeforeAll
    static void start() throws IOException {
        python = ToolServer.python(work, tokens.resolve("python.token"));
        node = ToolServer.node(work, tokens.resolve("node.token"));
        marker = outside.resolve("ran");
        requirements = Files.writeString(work.resolve("requirements.txt"), "shout==1.0\n");
        Files.createDirectories(work.resolve("target"));
        project = Files.createDirectories(work.resolve("project"));
        Files.writeString(project.resolve("package.json"), "{\"name\":\"fn\"}");
        Files.writeString(work.resolve("npmrc"), "registry=http://127.0.0.1:9/\n");
        Files.writeString(work.resolve("npmrc-global"), "");
        Files.writeString(work.resolve("ok.js"), "exports.x = 1;\n");
        Files.writeString(outside.resolve("secret.js"), "exports.x = 1;\n");
        Files.createSymbolicLink(work.resolve("link"), outside);
    }

    @AfterAll
    static void stop() {
        python.close();
        node.close();
    }

    private static JsonNode post(ToolServer server, String token, Map<String, Object> body, int status) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/run"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(body + " -> " + r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        return JSON.readTree(r.body());
    }

    private static Map<String, Object> request(String tool, List<String> args, Path cwd, Map<String, String> env) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tool", tool);
        body.put("args", args);
        body.put("cwd", cwd.toString());
        body.put("env", env);
        body.put("timeoutMs", 20000);
        return body;
    }

    private static List<String> pipArgs(String... extra) {
        List<String> args = new ArrayList<>(List.of("install", "--target", work.resolve("target").toString(),
                "--only-binary=:all:", "--no-compile", "-r", requirements.toString()));
        args.addAll(List.of(extra));
        return args;
    }

    private static Map<String, String> npmEnv() {
        return Map.of("npm_config_userconfig", work.resolve("npmrc").toString(), "npm_config_globalconfig",
                work.resolve("npmrc-global").toString(), "HOME", work.toString());
    }

    @Test
    void aCallerWithoutTheTokenIsUnauthorizedWithAJsonError() throws Exception {
        for (ToolServer server : List.of(python, node)) {
            JsonNode wrong = post(server, "not-the-token", request("node", List.of("--version"), work, Map.of()), 401);
            assertThat(wrong.path("error").asText()).isEqualTo("Unauthorized");
            assertThat(post(server, "", Map.of(), 401).path("error").asText()).isEqualTo("Unauthorized");
        }
    }

    @Test
    void commandsOutsideTheAllowListAreRefusedAndNoneRuns() throws Exception {
        String write = "require('fs').writeFileSync('" + marker + "', 'x')";
        List<Map<String, Object>> forPython = List.of(
                request("sh", List.of("-c", "touch " + marker), work, Map.of()),
                request("pip", List.of("download", "shout"), work, Map.of()),
                request("pip", List.of("install", "--target", work.resolve("target").toString(), "--no-compile", "-r",
                        requirements.toString()), work, Map.of()),
                request("pip", pipArgs("--index-url", "http://127.0.0.1:9/"), work, Map.of()),
                request("pip", pipArgs("--no-binary=:all:"), work, Map.of()),
                request("pip", pipArgs("shout"), work, Map.of()),
                request("pip", pipArgs(), work, Map.of("PYTHONSTARTUP", marker.toString())),
                request("pip", pipArgs(), work, Map.of("PIP_CONFIG_FILE", work.resolve("pip.conf").toString())));
        for (Map<String, Object> r : forPython) {
            assertThat(post(python, python.token(), r, 403).path("error").asText()).as(r.toString()).isEqualTo("CommandNotAllowed");
        }
        Files.writeString(work.resolve("evil-requirements.txt"), "-e git+https://127.0.0.1:9/x.git#egg=x\n");
        Map<String, Object> evil = request("pip", List.of("install", "--target", work.resolve("target").toString(),
                "--only-binary=:all:", "--no-compile", "-r", work.resolve("evil-requirements.txt").toString()), work, Map.of());
        assertThat(post(python, python.token(), evil, 403).path("message").asText()).contains("plain requirements");

        Files.writeString(work.resolve("npmrc-evil"), "registry=http://127.0.0.1:9/\ngit=" + marker + "\n");
        List<Map<String, Object>> forNode = List.of(
                request("node", List.of("-e", write), work, Map.of()),
                request("node", List.of("--require", work.resolve("ok.js").toString(), "--check", "ok.js"), work, Map.of()),
                request("node", List.of("--check", "ok.js"), work, Map.of("NODE_OPTIONS", "--require " + marker)),
                request("npm", List.of("exec", "--", "node", "-e", write), project, npmEnv()),
                request("npm", List.of("run", "build"), project, npmEnv()),
                request("npm", List.of("install", "--omit=dev"), project, npmEnv()),
                request("npm", List.of("install", "--ignore-scripts", "left-pad"), project, npmEnv()),
                request("npm", List.of("install", "--ignore-scripts"), project, Map.of("npm_config_userconfig",
                        work.resolve("npmrc-evil").toString(), "npm_config_globalconfig", work.resolve("npmrc-global").toString())),
                request("pip", pipArgs(), work, Map.of()));
        for (Map<String, Object> r : forNode) {
            assertThat(post(node, node.token(), r, 403).path("error").asText()).as(r.toString()).isEqualTo("CommandNotAllowed");
        }
        assertThat(marker).as("a refused command ran").doesNotExist();
    }

    @Test
    void pathsOutsideTheWorkDirectoryAreRefusedSymbolicLinksIncluded() throws Exception {
        List<Map<String, Object>> forPython = List.of(
                request("pip", List.of("install", "--target", outside.toString(), "--only-binary=:all:", "--no-compile", "-r",
                        requirements.toString()), work, Map.of()),
                request("pip", List.of("install", "--target", work.resolve("link").toString(), "--only-binary=:all:",
                        "--no-compile", "-r", requirements.toString()), work, Map.of()),
                request("pip", List.of("install", "--target", "../../..", "--only-binary=:all:", "--no-compile", "-r",
                        requirements.toString()), work, Map.of()),
                request("pip", pipArgs(), outside, Map.of()));
        for (Map<String, Object> r : forPython) {
            assertThat(post(python, python.token(), r, 403).path("error").asText()).as(r.toString()).isEqualTo("PathNotAllowed");
        }
        List<Map<String, Object>> forNode = List.of(
                request("node", List.of("--check", outside.resolve("secret.js").toString()), work, Map.of()),
                request("node", List.of("--check", "link/secret.js"), work, Map.of()),
                request("node", List.of("--check", "ok.js"), outside, Map.of()),
                request("npm", List.of("ci", "--ignore-scripts"), project, Map.of("npm_config_userconfig", "/etc/passwd",
                        "npm_config_globalconfig", work.resolve("npmrc-global").toString())));
        for (Map<String, Object> r : forNode) {
            assertThat(post(node, node.token(), r, 403).path("error").asText()).as(r.toString()).isEqualTo("PathNotAllowed");
        }
    }

    @Test
    void aToolThatOverrunsItsDeadlineIsKilledWithAClearError() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Map<String, Object> r = request("pip", pipArgs("--retries", "0", "--timeout", "60"), work,
                    Map.of("PIP_INDEX_URL", "http://127.0.0.1:" + silent.getLocalPort() + "/simple"));
            r.put("timeoutMs", 1500);

            JsonNode answer = post(python, python.token(), r, 200);

            assertThat(answer.path("timedOut").asBoolean()).isTrue();
            assertThat(answer.path("exitCode").asInt()).isEqualTo(-1);
            assertThat(answer.path("error").asText()).isEqualTo("Timeout");
            assertThat(answer.path("message").asText()).contains("did not finish within 1500 ms and was killed");
            await().atMost(Duration.ofSeconds(10)).until(() -> python.children().isEmpty());

            PipInstaller installer = new PipInstaller(new SidecarToolRunner("python", python.url(), python.tokenFile()),
                    PythonTarget.of("3.12", "cp", null, "manylinux_2_36_x86_64"), new PythonIndex("http://127.0.0.1:"
                            + silent.getLocalPort() + "/simple", List.of(), null, null, Duration.ofSeconds(5)),
                    new DependencyCache(work.resolve("timeout-cache"), 1L << 30), Duration.ofSeconds(2));
            DependencyException e = catchThrowableOfType(DependencyException.class, () -> installer.install(
                    ToolServersIT.archive("main.py", "x = 1\n", "requirements.txt", "shout==1.0\n")));
            assertThat(e.reason().code()).isEqualTo("DependencyIndexUnavailable");
            assertThat(e.retryable()).isTrue();
            assertThat(e).hasMessageContaining("did not finish within 2 s");
        }
    }

    @Test
    void outputIsBoundedToWhatTheCallerAsks() throws Exception {
        Files.writeString(work.resolve("bad.js"), "let x = ;\n".repeat(50));
        Map<String, Object> r = request("node", List.of("--check", "bad.js"), work, Map.of());
        r.put("maxOutput", 64);

        JsonNode answer = post(node, node.token(), r, 200);

        assertThat(answer.path("exitCode").asInt()).isNotZero();
        assertThat(answer.path("output").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(64);
        assertThat(answer.path("truncated").asBoolean()).isTrue();
    }
}
