package io.knative.lambda.builder.deps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
import io.knative.lambda.builder.node.NodeSyntaxChecker;
import io.knative.lambda.builder.npm.NpmInstaller;
import io.knative.lambda.builder.python.PipInstaller;
import io.knative.lambda.builder.python.PythonIndex;
import io.knative.lambda.builder.python.PythonTarget;
import io.knative.lambda.testsupport.NpmRegistryServer;
import io.knative.lambda.testsupport.PythonIndexServer;

/**
 * The builder's installers and syntax check through the real tool servers of {@code k8s/tools/} (this host's python3
 * and node run them, as the sidecars' images do): pip from a private index on loopback, npm from a private registry on
 * loopback, {@code node --check}, each with the same layers and the same failures as on the host, no secret in what the
 * servers print.
 */
class ToolServersIT {

    private static final PythonTarget TARGET = PythonTarget.of("3.12", "cp", null, "manylinux_2_36_x86_64");
    private static final String INDEX_PASSWORD = "index-pass-" + System.nanoTime();
    private static final String NPM_TOKEN = "npm-token-" + System.nanoTime();
    @TempDir
    static Path work;
    @TempDir
    static Path tokens;
    private static ToolServer python;
    private static ToolServer node;
    private static PythonIndexServer index;
    private static NpmRegistryServer registry;

    @BeforeAll
    static void start() {
        python = ToolServer.python(work, tokens.resolve("python.token"));
        node = ToolServer.node(work, tokens.resolve("node.token"));
        index = PythonIndexServer.start();
        index.addModule("shout", "1.0", "shout", "def shout(s):\n    return s.upper() + '!'\n");
        index.addModule("greeting", "1.0", "greeting", "from shout import shout\n\ndef greet(n):\n    return shout('hello ' + n)\n",
                "shout>=1.0");
        index.add("srconly", "srconly-1.0.tar.gz", PythonIndexServer.sdist("srconly", "1.0"));
        index.requireCredentials("builder", INDEX_PASSWORD);
        registry = NpmRegistryServer.start();
        registry.add("shout-lib", "1.0.0", "exports.shout = (s) => s.toUpperCase() + '!';\n", Map.of());
        registry.add("evil-lib", "1.0.0", Map.of("index.js", "exports.x = 1;\n"), Map.of(),
                Map.of("postinstall", "node -e \"require('fs').writeFileSync('" + work.resolve("script-ran") + "', 'ran')\""));
        registry.requireToken(NPM_TOKEN);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {python, node, index, registry}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the next one still stops
            }
        }
    }

    static FunctionSource archive(String... pathsAndTexts) {
        Map<String, byte[]> files = new TreeMap<>();
        for (int i = 0; i < pathsAndTexts.length; i += 2) {
            files.put(pathsAndTexts[i], pathsAndTexts[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return new FunctionSource(new FunctionFiles(new TreeMap<>(files)), true, FunctionManifest.none());
    }

    private static PipInstaller pip(String cacheName, Duration timeout, String indexUrl) {
        return new PipInstaller(new SidecarToolRunner("python", python.url(), python.tokenFile()), TARGET,
                new PythonIndex(indexUrl, List.of(), "builder", INDEX_PASSWORD, Duration.ofSeconds(5)),
                new DependencyCache(work.resolve(cacheName), 1L << 30), timeout);
    }

    @Test
    void pipInTheSidecarInstallsARequirementAndItsDependencyFromAPrivateIndexIntoTheLayer() throws Exception {
        DependencyLayer layer = pip("pip-cache", Duration.ofSeconds(120), index.url())
                .install(archive("main.py", "def handler(e):\n    return e\n", "requirements.txt", "greeting==1.0\n")).orElseThrow();

        assertThat(layer.directory()).isEqualTo("/function-deps");
        Map<String, String> files = BlobFiles.of(layer.blob().path());
        assertThat(files.get("function-deps/greeting.py")).contains("from shout import shout");
        assertThat(files).containsKey("function-deps/shout.py");
        assertThat(files.keySet()).as("no bytecode: nothing ran").noneMatch(f -> f.endsWith(".pyc"));
        assertThat(python.logText()).doesNotContain(INDEX_PASSWORD).doesNotContain(python.token());
    }

    @Test
    void theSidecarsAnswerCarriesNoCredentialOfTheIndex() throws Exception {
        Path dir = Files.createDirectories(work.resolve("masked"));
        Files.writeString(dir.resolve("requirements.txt"), "shout==1.0\n");
        ToolRun ran = new SidecarToolRunner("python", python.url(), python.tokenFile()).run(new ToolCommand("pip",
                List.of("install", "--target", Files.createDirectories(dir.resolve("t")).toString(), "--only-binary=:all:",
                        "--no-compile", "--retries", "0", "-r", dir.resolve("requirements.txt").toString()), dir,
                Map.of("PIP_INDEX_URL", "http://builder:" + INDEX_PASSWORD + "@127.0.0.1:9/simple"), Duration.ofSeconds(60), 8192));

        assertThat(ran.succeeded()).isFalse();
        assertThat(ran.output()).contains("***@127.0.0.1:9").doesNotContain(INDEX_PASSWORD).doesNotContain("builder:");
    }

    @Test
    void aSourceOnlyPackageIsStillDependencyNotInstallableNamingIt() {
        BuildException e = catchThrowableOfType(BuildException.class, () -> pip("pip-cache-src", Duration.ofSeconds(120),
                index.url()).install(archive("main.py", "x = 1\n", "requirements.txt", "srconly==1.0\n")));

        assertThat(e.reason().code()).isEqualTo("DependencyNotInstallable");
        assertThat(e).hasMessageContaining("srconly").hasMessageNotContaining(INDEX_PASSWORD);
    }

    @Test
    void npmInTheSidecarInstallsFromAPrivateRegistryWithNoLifecycleScriptRun() throws Exception {
        NpmInstaller npm = new NpmInstaller(new SidecarToolRunner("node", node.url(), node.tokenFile()), registry.url(), NPM_TOKEN,
                "26", new DependencyCache(work.resolve("npm-layers"), 1L << 30), work.resolve("npm-cache"), Duration.ofSeconds(120));

        DependencyLayer layer = npm.install(archive("index.js", "exports.handler = () => 1;\n", "package.json",
                "{\"name\":\"fn\",\"version\":\"1.0.0\",\"dependencies\":{\"shout-lib\":\"1.0.0\",\"evil-lib\":\"1.0.0\"}}"))
                .orElseThrow();

        assertThat(BlobFiles.of(layer.blob().path())).containsKeys("function/node_modules/shout-lib/index.js",
                "function/node_modules/evil-lib/package.json");
        assertThat(work.resolve("script-ran")).as("a package's postinstall ran").doesNotExist();
        assertThat(node.logText()).doesNotContain(NPM_TOKEN).doesNotContain(node.token());
    }

    @Test
    void nodeCheckInTheSidecarIsACompileErrorWithFileAndLine() throws Exception {
        NodeSyntaxChecker checker = new NodeSyntaxChecker(new SidecarToolRunner("node", node.url(), node.tokenFile()),
                work.resolve("node-check"), Duration.ofSeconds(30));
        FunctionFiles files = archive("index.js", "exports.handler = () => 1;\n", "lib/bad.js", "\n\nlet = ;\n").files();

        BuildException e = catchThrowableOfType(BuildException.class, () -> checker.check(files, List.of("index.js", "lib/bad.js")));

        assertThat(e.reason().code()).isEqualTo("CompileError");
        assertThat(e.getMessage()).startsWith("lib/bad.js:3: SyntaxError");
        assertThat(checker.version()).startsWith("v");
    }

    @Test
    void theTokenIsRandomReadableByItsOwnerOnlyAndNeitherServerPrintsIt() throws Exception {
        assertThat(python.token()).hasSizeGreaterThanOrEqualTo(40).isNotEqualTo(node.token());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(python.tokenFile()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(node.tokenFile()))).isEqualTo("rw-------");
        assertThat(python.logText()).doesNotContain(python.token());
        assertThat(node.logText()).doesNotContain(node.token());
    }

    @Test
    void aSidecarThatHasNotWrittenItsTokenYetIsATransientFailure(@TempDir Path empty) {
        SidecarToolRunner early = new SidecarToolRunner("python", python.url(), empty.resolve("python.token"));

        ToolUnavailableException e = catchThrowableOfType(ToolUnavailableException.class, () -> early.run(
                new ToolCommand("pip", List.of("install"), work, Map.of(), Duration.ofSeconds(5), 1024)));

        assertThat(e.transientFailure()).isTrue();
        assertThat(e).hasMessageContaining("has not written its token");
    }
}
