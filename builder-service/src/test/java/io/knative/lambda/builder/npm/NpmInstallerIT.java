package io.knative.lambda.builder.npm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.DependencyLayer;
import io.knative.lambda.builder.core.FunctionFiles;
import io.knative.lambda.builder.core.FunctionManifest;
import io.knative.lambda.builder.core.FunctionSource;
import io.knative.lambda.builder.deps.BlobFiles;
import io.knative.lambda.builder.deps.DependencyCache;
import io.knative.lambda.builder.deps.LocalToolRunner;
import io.knative.lambda.testsupport.LocalProcess;
import io.knative.lambda.testsupport.NpmRegistryServer;

/** Real npm against a registry on loopback serving tarballs the test built: installs, the cache, scripts never run, failures. */
class NpmInstallerIT {

    private static NpmRegistryServer registry;
    @TempDir
    static Path shared;

    @BeforeAll
    static void start() {
        registry = NpmRegistryServer.start();
        registry.add("shout-lib", "1.0.0", "exports.shout = (s) => s.toUpperCase() + '!';\n", Map.of());
        registry.add("greeting-lib", "1.2.0", "const { shout } = require('shout-lib');\nexports.greet = (n) => shout('hello ' + n);\n",
                Map.of("shout-lib", "^1.0.0"));
        registry.add("evil-lib", "1.0.0", Map.of("index.js", "exports.x = 1;\n"), Map.of(),
                Map.of("postinstall", "node -e \"require('fs').writeFileSync('" + marker() + "', 'ran')\"",
                        "preinstall", "node -e \"require('fs').writeFileSync('" + marker() + "', 'ran')\""));
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    private static String marker() {
        return shared.resolve("script-ran").toString();
    }

    private static NpmInstaller installer(Path cache, String registryUrl, String token) {
        return new NpmInstaller(LocalToolRunner.of("npm", "npm"), registryUrl, token, "26", new DependencyCache(cache.resolve("layers"), 1L << 30),
                cache.resolve("npm"), Duration.ofSeconds(120));
    }

    private static NpmInstaller installer(Path cache) {
        return installer(cache, registry.url(), null);
    }

    static FunctionSource archive(String packageJson, String lock, String index) {
        Map<String, byte[]> files = new TreeMap<>();
        files.put("index.js", index.getBytes(StandardCharsets.UTF_8));
        files.put("package.json", packageJson.getBytes(StandardCharsets.UTF_8));
        if (lock != null) {
            files.put("package-lock.json", lock.getBytes(StandardCharsets.UTF_8));
        }
        return new FunctionSource(new FunctionFiles(new TreeMap<>(files)), true, FunctionManifest.none());
    }

    private static String packageJson(String dependencies) {
        return "{\"name\":\"fn\",\"version\":\"1.0.0\",\"scripts\":{\"preinstall\":\"node -e \\\"require('fs').writeFileSync('"
                + marker() + "','root')\\\"\"},\"dependencies\":{" + dependencies + "}}";
    }

    @Test
    void dependenciesAndTheirDependenciesLandInNodeModulesAndNoLifecycleScriptRuns(@TempDir Path cache) throws Exception {
        String pkg = packageJson("\"greeting-lib\":\"^1.0.0\",\"evil-lib\":\"1.0.0\"");

        DependencyLayer layer = installer(cache).install(archive(pkg, null, "module.exports.handler = () => 1;\n")).orElseThrow();

        assertThat(layer.directory()).isEqualTo("/function/node_modules");
        assertThat(layer.reused()).isFalse();
        Map<String, String> files = BlobFiles.of(layer.blob().path());
        assertThat(files).containsKeys("function/node_modules/greeting-lib/index.js", "function/node_modules/shout-lib/index.js",
                "function/node_modules/evil-lib/package.json");
        assertThat(files.get("function/node_modules/greeting-lib/index.js")).contains("shout('hello ' + n)");
        assertThat(Files.exists(Path.of(marker()))).as("preinstall/postinstall of the function or a package ran").isFalse();
    }

    @Test
    void anUnchangedLockIsInstalledOnceAndReusedWithoutAskingTheRegistry(@TempDir Path cache, @TempDir Path dev)
            throws Exception {
        String pkg = packageJson("\"greeting-lib\":\"1.2.0\"");
        String lock = registry.lock(pkg, dev);
        NpmInstaller npm = installer(cache);

        DependencyLayer first = npm.install(archive(pkg, lock, "exports.handler = () => 1;\n")).orElseThrow();
        int downloads = registry.tarballDownloads();
        DependencyLayer second = npm.install(archive(pkg, lock, "exports.handler = () => 2;\n")).orElseThrow();

        assertThat(first.reused()).isFalse();
        assertThat(second.reused()).isTrue();
        assertThat(second.blob().digest()).isEqualTo(first.blob().digest());
        assertThat(registry.tarballDownloads()).isEqualTo(downloads);
        assertThat(BlobFiles.of(first.blob().path())).containsKeys("function/node_modules/shout-lib/index.js");
        assertThat(npm.install(archive("{\"name\":\"fn\"}", null, "exports.handler = () => 1;\n"))).as("no dependencies")
                .isEmpty();
    }

    @Test
    void anUnknownPackageOrVersionIsDependencyResolutionFailedNamingIt(@TempDir Path cache) {
        BuildException unknown = catchThrowableOfType(BuildException.class, () -> installer(cache)
                .install(archive(packageJson("\"no-such-lib\":\"^1.0.0\""), null, "")));
        assertThat(unknown.reason().code()).isEqualTo("DependencyResolutionFailed");
        assertThat(unknown.retryable()).isFalse();
        assertThat(unknown).hasMessageContaining("no-such-lib");

        BuildException version = catchThrowableOfType(BuildException.class, () -> installer(cache)
                .install(archive(packageJson("\"shout-lib\":\"^9.0.0\""), null, "")));
        assertThat(version.reason().code()).isEqualTo("DependencyResolutionFailed");
        assertThat(version).hasMessageContaining("shout-lib@^9.0.0");
    }

    @Test
    void aRegistryThatIsDownOrFailingIsRetryableDependencyIndexUnavailable(@TempDir Path cache) {
        BuildException refused = catchThrowableOfType(BuildException.class, () -> installer(cache,
                "http://127.0.0.1:" + LocalProcess.freePort() + "/", null).install(archive(packageJson("\"shout-lib\":\"1.0.0\""),
                        null, "")));
        assertThat(refused.reason().code()).isEqualTo("DependencyIndexUnavailable");
        assertThat(refused.retryable()).isTrue();

        NpmRegistryServer down = NpmRegistryServer.start();
        try {
            down.add("shout-lib", "1.0.0", "exports.x = 1;\n", Map.of()).unavailable(true);
            BuildException failing = catchThrowableOfType(BuildException.class, () -> installer(cache, down.url(), null)
                    .install(archive(packageJson("\"shout-lib\":\"1.0.0\""), null, "")));
            assertThat(failing.reason().code()).isEqualTo("DependencyIndexUnavailable");
            assertThat(failing.retryable()).isTrue();
        } finally {
            down.close();
        }
    }

    @Test
    void theTokenReachesTheRegistryAndNeverAMessage(@TempDir Path cache) throws Exception {
        NpmRegistryServer privateRegistry = NpmRegistryServer.start();
        try {
            privateRegistry.add("shout-lib", "1.0.0", "exports.x = 1;\n", Map.of()).requireToken("s3cr3t-token-value");
            FunctionSource source = archive(packageJson("\"shout-lib\":\"1.0.0\""), null, "");

            assertThat(installer(cache, privateRegistry.url(), "s3cr3t-token-value").install(source)).isPresent();

            BuildException wrong = catchThrowableOfType(BuildException.class, () -> installer(cache.resolve("other"),
                    privateRegistry.url(), "wrong-token-value").install(source));
            assertThat(wrong.reason().code()).isEqualTo("DependencyResolutionFailed");
            assertThat(wrong).hasMessageNotContaining("wrong-token-value").hasMessageContaining("credentials");
        } finally {
            privateRegistry.close();
        }
    }

    @Test
    void fileGitAndUrlDependenciesAreNotInstallable(@TempDir Path cache) {
        for (String spec : List.of("file:../../etc", "git+https://example.com/x.git", "github:acme/lib", "https://example.com/x.tgz",
                "./vendor/lib", "link:/tmp")) {
            BuildException e = catchThrowableOfType(BuildException.class, () -> installer(cache)
                    .install(archive(packageJson("\"lib\":\"" + spec + "\""), null, "")));
            assertThat(e.reason().code()).as(spec).isEqualTo("DependencyNotInstallable");
            assertThat(e).hasMessageContaining(spec);
        }
        assertThat(catchThrowableOfType(BuildException.class, () -> installer(cache).install(archive(
                packageJson("\"shout-lib\":\"npm:shout-lib@1.0.0\""), null, "")))).as("an npm: alias is a registry package").isNull();
    }
}
