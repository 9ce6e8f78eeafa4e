package io.knative.lambda.runtime.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.knative.lambda.testsupport.RegistryServer;

/** Both runtime images, on base {@code scratch}, pushed to a real local OCI registry and read back. */
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
    void pythonRuntimeImageIsPushedWithItsEntrypointUserAndFile() throws Exception {
        Path runtime = Path.of(System.getProperty("klambda.python.runtime"));
        RuntimeImages.Pushed pushed = RuntimeImages.push(RuntimeImages.python(runtime, "scratch"),
                registry.host() + "/klambda-runtime-python:test");

        assertThat(pushed.digest()).startsWith("sha256:");
        String config = config("klambda-runtime-python", pushed.digest());
        assertThat(config).contains("\"Entrypoint\":[\"python3\",\"-u\",\"/opt/klambda/klambda_runtime.py\"]")
                .contains("\"User\":\"65532:65532\"").contains("FUNCTION_DIR=/function")
                .contains("\"io.knative.lambda.runtime\":\"python\"");

        RuntimeImages.Pushed again = RuntimeImages.push(RuntimeImages.python(runtime, "scratch"),
                registry.host() + "/klambda-runtime-python:again");
        assertThat(again.digest()).as("same runtime, same image").isEqualTo(pushed.digest());
    }

    @Test
    void javaRuntimeImageIsPushedWithTheQuarkusApp() throws Exception {
        RuntimeImages.Pushed pushed = RuntimeImages.push(
                RuntimeImages.java(Path.of(System.getProperty("klambda.java.quarkus-app")),
                        Path.of(System.getProperty("klambda.java.jvm-options")), "scratch"),
                registry.host() + "/klambda-runtime-java:test");

        assertThat(pushed.digest()).startsWith("sha256:");
        assertThat(pushed.byDigest()).isEqualTo(registry.host() + "/klambda-runtime-java@" + pushed.digest());
        String config = config("klambda-runtime-java", pushed.digest());
        assertThat(config).contains("\"Entrypoint\":[\"java\",\"-XX:MaxRAMPercentage=75\",\"-XX:+ExitOnOutOfMemoryError\","
                        + "\"-XX:+UseSerialGC\",\"-XX:+UseTransparentHugePages\",\"-XX:-UsePerfData\",\"-XX:CompileThresholdScaling=3\",\"-jar\",\"/opt/klambda/java/quarkus-run.jar\"]")
                .contains("\"User\":\"65532:65532\"")
                .contains("FUNCTION_RUNTIME=java");
        String manifest = get("/v2/klambda-runtime-java/manifests/" + pushed.digest());
        assertThat(manifest.split("\"mediaType\":\"application/vnd\\.(docker\\.image\\.rootfs\\.diff\\.tar\\.gzip|oci\\.image\\.layer\\.v1\\.tar\\+gzip)\"", -1))
                .as("layers: /function, dependencies, runtime").hasSize(4);
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
