package io.knative.lambda.runtime.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.knative.lambda.testsupport.RegistryServer;

/** The three runtime images, on base {@code scratch}, pushed to a real local OCI registry and read back. */
class RuntimeImagesIT {

    private static RegistryServer registry;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startRegistry() {
        registry = RegistryServer.start();
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void pythonRuntimeImageIsPushedWithItsEntrypointUserAndPackage() throws Exception {
        Path runtime = Path.of(System.getProperty("klambda.python.runtime"));
        RuntimeImages.Pushed pushed = pushTwice(() -> RuntimeImages.python(runtime, "scratch"), "klambda-runtime-python");

        String config = config("klambda-runtime-python", pushed.digest());
        assertThat(config).contains("\"Entrypoint\":[\"python3\",\"-u\",\"/opt/klambda/klambda_runtime\"]")
                .contains("\"User\":\"65532:65532\"").contains("FUNCTION_DIR=/function")
                .contains("\"io.knative.lambda.runtime\":\"python\"");
        List<String> modules;
        try (Stream<Path> files = Files.list(runtime)) {
            modules = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".py")).sorted().toList();
        }
        assertThat(modules).contains("__main__.py", "app.py", "framing.py");
        assertThat(files(lastLayer("klambda-runtime-python", pushed.digest())).keySet())
                .as("the runtime package and nothing else: not local mode's fork server, not the tests")
                .containsExactlyElementsOf(modules.stream().map(m -> "opt/klambda/klambda_runtime/" + m).toList());
    }

    /** A builder that may throw what Jib's factories throw. */
    interface ImageBuilder {
        com.google.cloud.tools.jib.api.JibContainerBuilder get() throws Exception;
    }

    /** Pushes the image twice under two tags: same inputs, same digest (reproducible images). */
    private static RuntimeImages.Pushed pushTwice(ImageBuilder image, String repo) throws Exception {
        RuntimeImages.Pushed pushed = RuntimeImages.push(image.get(), registry.host() + "/" + repo + ":test");
        assertThat(pushed.digest()).startsWith("sha256:");
        RuntimeImages.Pushed again = RuntimeImages.push(image.get(), registry.host() + "/" + repo + ":again");
        assertThat(again.digest()).as("same runtime, same image").isEqualTo(pushed.digest());
        return pushed;
    }

    @Test
    void javaRuntimeImageIsPushedWithTheRuntimeJarOverItsLibraries() throws Exception {
        RuntimeImages.Pushed pushed = RuntimeImages.push(
                RuntimeImages.java(Path.of(System.getProperty("klambda.java.app")),
                        Path.of(System.getProperty("klambda.java.jvm-options")), "scratch"),
                registry.host() + "/klambda-runtime-java:test");

        assertThat(pushed.digest()).startsWith("sha256:");
        assertThat(pushed.byDigest()).isEqualTo(registry.host() + "/klambda-runtime-java@" + pushed.digest());
        String config = config("klambda-runtime-java", pushed.digest());
        assertThat(config).contains("\"Entrypoint\":[\"java\",\"-XX:MaxRAMPercentage=75\",\"-XX:+ExitOnOutOfMemoryError\","
                        + "\"-XX:+UseSerialGC\",\"-XX:+UseTransparentHugePages\",\"-XX:-UsePerfData\",\"-XX:CompileThresholdScaling=3\",\"-jar\",\"/opt/klambda/java/klambda-runtime.jar\"]")
                .contains("\"User\":\"65532:65532\"")
                .contains("FUNCTION_RUNTIME=java");
        String manifest = get("/v2/klambda-runtime-java/manifests/" + pushed.digest());
        assertThat(manifest.split("\"mediaType\":\"application/vnd\\.(docker\\.image\\.rootfs\\.diff\\.tar\\.gzip|oci\\.image\\.layer\\.v1\\.tar\\+gzip)\"", -1))
                .as("layers: /function, dependencies, runtime").hasSize(4);
        // the runtime's own jar alone on top (its manifest's Class-Path names lib/), no framework in the libraries
        assertThat(files(lastLayer("klambda-runtime-java", pushed.digest())).keySet())
                .containsExactly("opt/klambda/java/klambda-runtime.jar");
        assertThat(files(layer("klambda-runtime-java", pushed.digest(), 1)).keySet())
                .isNotEmpty().allMatch(name -> name.startsWith("opt/klambda/java/lib/jackson-"));
    }

    @Test
    void nodeRuntimeImageIsPushedWithItsEntrypointUserEnvironmentAndTheRuntimeFiles() throws Exception {
        Path runtime = Path.of(System.getProperty("klambda.node.runtime"));
        RuntimeImages.Pushed pushed = pushTwice(() -> RuntimeImages.node(runtime, "scratch"), "klambda-runtime-node");

        String config = config("klambda-runtime-node", pushed.digest());
        assertThat(config).contains("\"Entrypoint\":[\"node\",\"/opt/klambda/node/klambda_runtime.js\"]")
                .contains("\"User\":\"65532:65532\"").contains("\"WorkingDir\":\"/function\"")
                .contains("FUNCTION_DIR=/function").contains("FUNCTION_RUNTIME=node").contains("PORT=8080")
                .contains("NODE_ENV=production").contains("\"io.knative.lambda.runtime\":\"node\"");

        // the runtime's layer: its entry point, package.json and lib/, read-only, nothing else
        Map<String, Integer> entries = files(lastLayer("klambda-runtime-node", pushed.digest()));
        try (Stream<Path> files = Files.walk(runtime.resolve("lib"))) {
            assertThat(entries).containsKeys("opt/klambda/node/klambda_runtime.js", "opt/klambda/node/package.json");
            files.filter(f -> f.toString().endsWith(".js")).forEach(f -> assertThat(entries)
                    .containsKey("opt/klambda/node/lib/" + f.getFileName()));
        }
        assertThat(entries.keySet()).allMatch(name -> name.startsWith("opt/klambda/node/")
                && (name.endsWith(".js") || name.endsWith("/package.json")));
        assertThat(entries).allSatisfy((name, mode) -> assertThat(Integer.toOctalString(mode & 0777)).as(name).isEqualTo("644"));
    }

    /** The regular files in a gzipped layer tar, in order, without a leading slash, with their modes. */
    private static Map<String, Integer> files(byte[] layer) throws Exception {
        Map<String, Integer> files = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(layer)))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.isFile()) {
                    files.put(e.getName().replaceFirst("^/", ""), e.getMode());
                }
            }
        }
        return files;
    }

    private static byte[] lastLayer(String repo, String digest) throws Exception {
        return layer(repo, digest, 0);
    }

    /** The gzipped layer {@code fromTop} layers below the top one (0: the top). */
    private static byte[] layer(String repo, String digest, int fromTop) throws Exception {
        String manifest = get("/v2/" + repo + "/manifests/" + digest);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"digest\":\"(sha256:[0-9a-f]+)\"").matcher(manifest);
        java.util.List<String> digests = new java.util.ArrayList<>();
        while (m.find()) {
            digests.add(m.group(1)); // the config's first, then the layers, bottom to top
        }
        assertThat(digests).as(manifest).hasSizeGreaterThan(fromTop + 1);
        String wanted = digests.get(digests.size() - 1 - fromTop);
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(registry.url() + "/v2/" + repo + "/blobs/" + wanted)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static String config(String repo, String digest) throws Exception {
        String manifest = get("/v2/" + repo + "/manifests/" + digest);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"config\":\\{[^}]*\"digest\":\"(sha256:[0-9a-f]+)\"").matcher(manifest);
        assertThat(m.find()).as(manifest).isTrue();
        return get("/v2/" + repo + "/blobs/" + m.group(1));
    }

    private static String get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(registry.url() + path))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return r.body();
    }
}
