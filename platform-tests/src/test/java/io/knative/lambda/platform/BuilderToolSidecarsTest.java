package io.knative.lambda.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The builder's tool sidecars as {@code kubectl kustomize k8s} renders them: the servers of {@code k8s/tools/} reach
 * the sidecars through the generated ConfigMap (by its hashed name), the builder and the sidecars share the work
 * directory at one path and the token volume, the builder's URLs name the sidecars' loopback ports, and only the
 * builder serves.
 */
class BuilderToolSidecarsTest {

    private static final List<Manifests.Doc> RENDERED = Manifests.kustomize("k8s");

    private static JsonNode pod() {
        return RENDERED.stream().filter(d -> d.kind().equals("Service") && d.name().equals("builder")).findFirst().orElseThrow()
                .node().path("spec").path("template").path("spec");
    }

    private static JsonNode container(String name) {
        return StreamSupport.stream(pod().path("containers").spliterator(), false)
                .filter(c -> c.path("name").asText().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no " + name));
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new HashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        return env;
    }

    /** Where {@code container} mounts {@code volume}. */
    private static String mount(JsonNode container, String volume) {
        return StreamSupport.stream(container.path("volumeMounts").spliterator(), false)
                .filter(m -> m.path("name").asText().equals(volume)).map(m -> m.path("mountPath").asText()).findFirst()
                .orElseThrow(() -> new AssertionError(container.path("name").asText() + " does not mount " + volume));
    }

    private static JsonNode volume(String name) {
        return StreamSupport.stream(pod().path("volumes").spliterator(), false).filter(v -> v.path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no volume " + name));
    }

    @Test
    void theBuilderServesAndItsTwoToolSidecarsHaveNoPortAndNoProbe() {
        assertThat(StreamSupport.stream(pod().path("containers").spliterator(), false).map(c -> c.path("name").asText()))
                .containsExactly("builder", "python-tools", "node-tools");
        for (String sidecar : List.of("python-tools", "node-tools")) {
            assertThat(container(sidecar).has("ports")).as(sidecar).isFalse();
            assertThat(container(sidecar).has("readinessProbe") || container(sidecar).has("livenessProbe")).as(sidecar).isFalse();
        }
        assertThat(container("builder").path("ports")).hasSize(1);
    }

    @Test
    void eachSidecarRunsItsServerFromTheGeneratedConfigMapWhichHoldsTheFilesOfK8sTools() throws Exception {
        String configMap = volume("tools").path("configMap").path("name").asText();
        JsonNode generated = RENDERED.stream().filter(d -> d.kind().equals("ConfigMap") && d.name().equals(configMap)).findFirst()
                .orElseThrow(() -> new AssertionError("the volume names " + configMap + ", which kustomize did not render"))
                .node();
        assertThat(configMap).as("hashed: a change to a server rolls a new revision").matches("knative-lambda-tools-[a-z0-9]+");
        Map<String, String> scripts = Map.of("python-tools", "python-tool-server.py", "node-tools", "node-tool-server.js");
        for (Map.Entry<String, String> s : scripts.entrySet()) {
            JsonNode c = container(s.getKey());
            assertThat(c.path("command").toString()).contains(mount(c, "tools") + "/" + s.getValue());
            assertThat(generated.path("data").path(s.getValue()).asText())
                    .isEqualTo(Files.readString(Manifests.project().resolve("k8s/tools").resolve(s.getValue())));
        }
    }

    @Test
    void theBuilderAndTheSidecarsShareTheWorkDirectoryAtOnePathTheTokensAndOneUser() {
        JsonNode builder = container("builder");
        Map<String, String> builderEnv = env(builder);
        String work = mount(builder, "build");
        assertThat(Path.of(builderEnv.get("KLAMBDA_BUILD_CACHE_DIR"))).as("the build cache, where installs happen")
                .startsWithRaw(Path.of(work));
        assertThat(builderEnv.get("KLAMBDA_TOOLS_TOKEN_DIR")).isEqualTo(mount(builder, "tools-token"));
        assertThat(volume("tools-token").path("emptyDir").path("medium").asText()).isEqualTo("Memory");
        Map<String, String> tools = Map.of("python-tools", "PYTHON", "node-tools", "NODE");
        for (Map.Entry<String, String> t : tools.entrySet()) {
            JsonNode sidecar = container(t.getKey());
            Map<String, String> env = env(sidecar);
            assertThat(mount(sidecar, "build")).as(t.getKey() + " sees the build files at the builder's paths").isEqualTo(work);
            assertThat(env.get("KLAMBDA_TOOLS_WORK_DIR")).isEqualTo(work);
            assertThat(env.get("KLAMBDA_TOOLS_TOKEN_FILE")).isEqualTo(mount(sidecar, "tools-token") + "/"
                    + t.getValue().toLowerCase(java.util.Locale.ROOT) + ".token");
            assertThat(builderEnv.get("KLAMBDA_TOOLS_" + t.getValue() + "_URL")).isEqualTo("http://127.0.0.1:"
                    + env.get("KLAMBDA_TOOLS_PORT"));
            assertThat(sidecar.path("securityContext").path("runAsUser").asInt()).as("the token file is 0600")
                    .isEqualTo(builder.path("securityContext").path("runAsUser").asInt());
        }
    }
}
