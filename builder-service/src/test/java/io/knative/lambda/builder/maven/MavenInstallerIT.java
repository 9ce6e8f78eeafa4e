package io.knative.lambda.builder.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.knative.lambda.builder.core.DependencyException;
import io.knative.lambda.builder.core.DependencyLayer;
import io.knative.lambda.builder.core.FunctionFiles;
import io.knative.lambda.builder.core.FunctionManifest;
import io.knative.lambda.builder.core.FunctionSource;
import io.knative.lambda.builder.core.InvalidManifestException;
import io.knative.lambda.builder.deps.BlobFiles;
import io.knative.lambda.builder.deps.DependencyCache;
import io.knative.lambda.testsupport.LocalProcess;
import io.knative.lambda.testsupport.MavenRepositoryServer;

/** Real Maven Resolver against a repository on loopback that holds jars the test compiled: //DEPS, transitives, cache, failures. */
class MavenInstallerIT {

    private static MavenRepositoryServer repo;

    @BeforeAll
    static void start() throws Exception {
        repo = MavenRepositoryServer.start();
        TestLibraries.deploy(repo);
    }

    private static MavenInstaller installer(Path cache, String url) {
        return new MavenInstaller(url, null, null, Duration.ofSeconds(5), cache.resolve("maven"),
                new DependencyCache(cache.resolve("dependencies"), 1L << 30));
    }

    private static FunctionSource javaSource(String source) {
        return new FunctionSource(new FunctionFiles(new TreeMap<>(Map.of("Fn.java", source.getBytes(StandardCharsets.UTF_8)))),
                false, FunctionManifest.none());
    }

    @Test
    void aDepsLineBringsTheArtifactAndItsTransitiveDependencyAsJarsAndAClassPath(@TempDir Path cache) throws Exception {
        DependencyLayer layer = installer(cache, repo.url()).install(javaSource(
                "//DEPS com.acme:text-shout:1.0\npublic class Fn {}\n")).orElseThrow();

        assertThat(layer.reused()).isFalse();
        assertThat(layer.directory()).isEqualTo("/function-deps");
        assertThat(layer.classpath()).extracting(p -> p.getFileName().toString())
                .containsExactly("text-core-1.0.jar", "text-shout-1.0.jar");
        assertThat(BlobFiles.of(layer.blob().path()).keySet())
                .contains("function-deps/text-core-1.0.jar", "function-deps/text-shout-1.0.jar");
    }

    @Test
    void theSameCoordinatesFromFunctionYamlAreReusedWithoutDownloading(@TempDir Path cache) throws Exception {
        MavenInstaller maven = installer(cache, repo.url());
        DependencyLayer first = maven.install(javaSource("//DEPS com.acme:text-shout:1.0\npublic class Fn {}\n")).orElseThrow();
        int downloads = repo.jarDownloads();
        FunctionManifest manifest = new FunctionManifest("java", null, null, null, null, Map.of(), Map.of(),
                List.of("com.acme:text-shout:1.0"));

        DependencyLayer again = maven.install(new FunctionSource(new FunctionFiles(new TreeMap<>(Map.of("Other.java",
                "public class Other {}".getBytes(StandardCharsets.UTF_8)))), true, manifest)).orElseThrow();

        assertThat(again.reused()).isTrue();
        assertThat(again.blob().digest()).isEqualTo(first.blob().digest());
        assertThat(again.classpath()).hasSize(2).allSatisfy(jar -> assertThat(jar).exists());
        assertThat(repo.jarDownloads()).isEqualTo(downloads);
    }

    @Test
    void anArtifactTheRepositoryLacksIsResolutionFailedNamingIt(@TempDir Path cache) {
        DependencyException e = catchThrowableOfType(DependencyException.class, () -> installer(cache, repo.url())
                .install(javaSource("//DEPS com.acme:nope:9.9\npublic class Fn {}\n")));

        assertThat(e.reason().code()).isEqualTo("DependencyResolutionFailed");
        assertThat(e.retryable()).isFalse();
        assertThat(e).hasMessageContaining("com.acme:nope");
    }

    @Test
    void anUnreachableRepositoryIsRetryable(@TempDir Path cache) {
        DependencyException e = catchThrowableOfType(DependencyException.class, () -> installer(cache,
                "http://127.0.0.1:" + LocalProcess.freePort() + "/maven2").install(javaSource(
                        "//DEPS com.acme:text-shout:1.0\npublic class Fn {}\n")));

        assertThat(e.reason().code()).isEqualTo("DependencyIndexUnavailable");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void aDepsLineThatIsNotACoordinateIsInvalidManifestNamingFileAndLine(@TempDir Path cache) {
        InvalidManifestException e = catchThrowableOfType(InvalidManifestException.class, () -> installer(cache, repo.url())
                .install(javaSource("public class Fn {}\n//DEPS not-a-coordinate\n")));

        assertThat(e.key()).isEqualTo("Fn.java:2");
    }
}
