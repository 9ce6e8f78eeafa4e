package io.knative.lambda.builder.jib;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;

import io.knative.lambda.builder.core.ImageSpec;
import io.knative.lambda.builder.core.PublishedImage;
import io.knative.lambda.testsupport.RegistryReader;
import io.knative.lambda.testsupport.RegistryServer;
import io.knative.lambda.testsupport.RegistryWriter;

/**
 * The base image kept in memory between builds against a real registry: a runtime image pushed again under the same
 * tag is what the next build is layered on, and an image built this way is, byte for byte, the one Jib's own
 * {@code containerize()} builds from the same base and files.
 */
class BaseImageCacheIT {

    private static RegistryServer registry;
    private static ExecutorService executor;
    private static Path cache;

    @BeforeAll
    static void start() throws Exception {
        registry = RegistryServer.start();
        executor = Executors.newCachedThreadPool();
        cache = Files.createTempDirectory("klambda-base-cache-it-");
    }

    @AfterAll
    static void stop() {
        executor.shutdownNow();
        registry.close();
    }

    private static JibImagePublisher publisher() {
        return new JibImagePublisher(new RegistryOptions(true, Optional.empty(), Optional.empty()), cache, executor);
    }

    private static ImageSpec spec(String repository, String tag, String base, String source) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FUNCTION_FILE", "handler.py");
        env.put("RUNTIME", "from-the-function");
        return new ImageSpec(registry.host() + "/functions/" + repository, tag, base,
                Map.of("/function/handler.py", source.getBytes(StandardCharsets.UTF_8)), env,
                Map.of("io.knative.lambda.function-id", repository));
    }

    private static String envOf(JsonNode config, String name) {
        for (JsonNode entry : config.path("config").path("Env")) {
            if (entry.asText().startsWith(name + "=")) {
                return entry.asText().substring(name.length() + 1);
            }
        }
        return null;
    }

    @Test
    void aRuntimeImagePushedAgainUnderTheSameTagIsTheBaseOfTheNextBuild() throws Exception {
        RegistryWriter writer = new RegistryWriter(registry.host());
        RegistryReader reader = new RegistryReader(registry.host());
        String base = registry.host() + "/runtimes/python:moving";
        writer.push("runtimes/python", "moving", Map.of("opt/runtime/version", "v1".getBytes(StandardCharsets.UTF_8)),
                Map.of("RUNTIME_VERSION", "v1"));
        JibImagePublisher publisher = publisher();

        PublishedImage first = publisher.publish(spec("moving-a", "s1", base, "def handler(e):\n    return 1\n"));
        writer.push("runtimes/python", "moving", Map.of("opt/runtime/version", "v2".getBytes(StandardCharsets.UTF_8)),
                Map.of("RUNTIME_VERSION", "v2"));
        PublishedImage second = publisher.publish(spec("moving-b", "s1", base, "def handler(e):\n    return 1\n"));

        JsonNode firstManifest = reader.manifest("functions/moving-a", first.digest());
        JsonNode secondManifest = reader.manifest("functions/moving-b", second.digest());
        assertThat(envOf(reader.config("functions/moving-a", firstManifest), "RUNTIME_VERSION")).isEqualTo("v1");
        assertThat(envOf(reader.config("functions/moving-b", secondManifest), "RUNTIME_VERSION")).isEqualTo("v2");
        String baseLayer = secondManifest.path("layers").get(0).path("digest").asText();
        assertThat(new String(reader.layerFiles("functions/moving-b", baseLayer).get("opt/runtime/version"),
                StandardCharsets.UTF_8)).as("the new runtime's layer, mounted into the function's repository").isEqualTo("v2");
        assertThat(second.digest()).as("same function on another base").isNotEqualTo(first.digest());
    }

    @Test
    void theImageIsTheOneJibsOwnBuildMakesOfTheSameBaseAndFiles() throws Exception {
        new RegistryWriter(registry.host()).push("runtimes/node", "1", Map.of("opt/node", new byte[] { 1, 2, 3 }),
                Map.of("PATH", "/usr/bin"));
        for (String base : new String[] { registry.host() + "/runtimes/node:1", "scratch" }) {
            String tag = base.equals("scratch") ? "scratch" : "node";
            ImageSpec spec = spec("same-as-jib", tag, base, "def handler(e):\n    return e\n");

            PublishedImage ours = publisher().publish(spec);
            String jibs = containerize(spec, registry.host() + "/functions/built-by-jib:" + tag);

            assertThat(ours.digest()).as("on " + base).isEqualTo(jibs);
        }
    }

    /** The spec built as the builder built it before: Jib Core's containerize, same settings. */
    private static String containerize(ImageSpec spec, String target) throws Exception {
        JibContainerBuilder builder = (spec.baseImage().equals("scratch") ? Jib.fromScratch()
                : Jib.from(RegistryImage.named(spec.baseImage()))).setCreationTime(JibImagePublisher.CREATION_TIME);
        Path files = Files.createTempDirectory(cache, "jib-");
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("code");
        Path local = files.resolve("function/handler.py");
        Files.createDirectories(local.getParent());
        Files.write(local, ((io.knative.lambda.builder.core.ImageLayer.Files) spec.layers().get(0)).files()
                .get("/function/handler.py"));
        layer.addEntry(local, AbsoluteUnixPath.get("/function/handler.py"), FilePermissions.fromOctalString("644"),
                JibImagePublisher.FILE_TIME);
        builder.addFileEntriesLayer(layer.build());
        spec.environment().forEach(builder::addEnvironmentVariable);
        spec.labels().forEach(builder::addLabel);
        return builder.containerize(Containerizer.to(RegistryImage.named(target)).setAllowInsecureRegistries(true)
                .setBaseImageLayersCache(cache.resolve("jib-base")).setApplicationLayersCache(cache.resolve("jib-app"))
                .setExecutorService(executor).setToolName("knative-lambda-builder")).getDigest().toString();
    }
}
