package io.knative.lambda.builder.python;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.DependencyException;
import io.knative.lambda.builder.core.DependencyLayer;
import io.knative.lambda.builder.core.FunctionFiles;
import io.knative.lambda.builder.core.FunctionManifest;
import io.knative.lambda.builder.core.FunctionSource;
import io.knative.lambda.builder.core.InvalidManifestException;
import io.knative.lambda.builder.deps.BlobFiles;
import io.knative.lambda.builder.deps.DependencyCache;
import io.knative.lambda.builder.deps.LocalToolRunner;
import io.knative.lambda.testsupport.LocalProcess;
import io.knative.lambda.testsupport.PythonIndexServer;

/** Real pip against a PEP 503 index on loopback serving wheels the test built: installs, cache, and every failure. */
class PipInstallerIT {

    private static final PythonTarget TARGET = PythonTarget.of("3.12", "cp", null, "manylinux_2_36_x86_64");
    private static PythonIndexServer index;

    @BeforeAll
    static void start() {
        index = PythonIndexServer.start();
        index.addModule("shout", "1.0", "shout", "def shout(s):\n    return s.upper() + '!'\n");
        index.addModule("greeting", "1.0", "greeting", "from shout import shout\n\ndef greet(n):\n    return shout('hello ' + n)\n",
                "shout>=1.0");
        index.addModule("needs-new-shout", "1.0", "needs_new_shout", "X = 1\n", "shout>=2.0");
        index.add("srconly", "srconly-1.0.tar.gz", PythonIndexServer.sdist("srconly", "1.0"));
        String mac = "cp39-cp39-macosx_11_0_arm64";
        index.add("native", PythonIndexServer.wheelName("native", "1.0", mac),
                PythonIndexServer.wheel("native", "1.0", mac, Map.of("native.py", "X = 1\n"), List.of()));
        String linux = "cp312-cp312-manylinux_2_17_x86_64";
        index.add("fast", PythonIndexServer.wheelName("fast", "2.0", linux),
                PythonIndexServer.wheel("fast", "2.0", linux, Map.of("fast.py", "SPEED = 2\n"), List.of()));
    }

    @AfterAll
    static void stop() {
        index.close();
    }

    private static PipInstaller installer(Path cache, PythonIndex pythonIndex) {
        return new PipInstaller(LocalToolRunner.of("pip", "python3 -m pip"), TARGET, pythonIndex, new DependencyCache(cache, 1L << 30),
                Duration.ofSeconds(120));
    }

    private static PipInstaller installer(Path cache) {
        return installer(cache, new PythonIndex(index.url(), List.of(), null, null, Duration.ofSeconds(5)));
    }

    static FunctionSource archive(String requirements) {
        Map<String, byte[]> files = new TreeMap<>();
        files.put("main.py", "def handler(e):\n    return e\n".getBytes(StandardCharsets.UTF_8));
        files.put("requirements.txt", requirements.getBytes(StandardCharsets.UTF_8));
        return new FunctionSource(new FunctionFiles(new TreeMap<>(files)), true, FunctionManifest.none());
    }

    @Test
    void aRequirementAndItsOwnDependencyAreInstalledIntoOneLayerUnderFunctionDeps(@TempDir Path cache) throws Exception {
        DependencyLayer layer = installer(cache).install(archive("greeting==1.0\n")).orElseThrow();

        assertThat(layer.reused()).isFalse();
        assertThat(layer.directory()).isEqualTo("/function-deps");
        assertThat(layer.blob().digest()).matches("sha256:[0-9a-f]{64}");
        Map<String, String> files = BlobFiles.of(layer.blob().path());
        assertThat(files.get("function-deps/greeting.py")).contains("from shout import shout");
        assertThat(files).as("the requirement's own dependency").containsKey("function-deps/shout.py");
        assertThat(files.keySet()).as("no bytecode: nothing ran").noneMatch(f -> f.endsWith(".pyc"));
    }

    @Test
    void theSameSetWrittenDifferentlyIsTakenFromTheCacheWithoutRunningPip(@TempDir Path cache) throws Exception {
        PipInstaller pip = installer(cache);
        DependencyLayer first = pip.install(archive("fast==2.0\ngreeting==1.0\n")).orElseThrow();
        int downloads = index.fileDownloads();

        DependencyLayer again = pip.install(archive("# the same, reordered\nGreeting == 1.0   # comment\n\nFAST==2.0\n"))
                .orElseThrow();

        assertThat(again.reused()).isTrue();
        assertThat(again.blob().digest()).isEqualTo(first.blob().digest());
        assertThat(index.fileDownloads()).as("pip did not run: nothing downloaded").isEqualTo(downloads);
    }

    @Test
    void twoBuildersWithTheirOwnCachesMakeTheSameDigest(@TempDir Path cacheA, @TempDir Path cacheB) throws Exception {
        DependencyLayer a = installer(cacheA).install(archive("greeting==1.0\n")).orElseThrow();
        DependencyLayer b = installer(cacheB).install(archive("greeting==1.0\n")).orElseThrow();

        assertThat(b.blob().digest()).isEqualTo(a.blob().digest());
        assertThat(b.blob().diffId()).isEqualTo(a.blob().diffId());
    }

    @Test
    void aPackageThatIsOnlyASourceDistributionIsNotInstallableAndNamed(@TempDir Path cache) {
        DependencyException e = failure(cache, "srconly==1.0\n");

        assertThat(e.reason().code()).isEqualTo("DependencyNotInstallable");
        assertThat(e.dependency()).isEqualTo("srconly");
        assertThat(e).hasMessageContaining("srconly").hasMessageContaining("source distribution");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void aPackageWithAWheelForAnotherPlatformOnlyIsNotInstallableAndSaysWhichWheelsExist(@TempDir Path cache) {
        DependencyException e = failure(cache, "native\n");

        assertThat(e.reason().code()).isEqualTo("DependencyNotInstallable");
        assertThat(e.dependency()).isEqualTo("native");
        assertThat(e).hasMessageContaining("no wheel for CPython 3.12").hasMessageContaining("macosx_11_0_arm64");
    }

    @Test
    void anUnknownPackageAndAConflictAreResolutionFailuresWithPipsMessage(@TempDir Path cache) {
        DependencyException unknown = failure(cache, "no-such-package==1.0\n");
        DependencyException conflict = failure(cache, "needs-new-shout==1.0\nshout==1.0\n");

        assertThat(unknown.reason().code()).isEqualTo("DependencyResolutionFailed");
        assertThat(unknown).hasMessageContaining("no-such-package");
        assertThat(conflict.reason().code()).isEqualTo("DependencyResolutionFailed");
        assertThat(conflict).hasMessageContaining("shout");
    }

    @Test
    void anUnreachableIndexIsRetryableNotAFailedBuild(@TempDir Path cache) {
        PythonIndex nowhere = new PythonIndex("http://127.0.0.1:" + LocalProcess.freePort() + "/simple", List.of(), null,
                null, Duration.ofSeconds(2));

        DependencyException e = catchThrowableOfType(DependencyException.class,
                () -> installer(cache, nowhere).install(archive("greeting==1.0\n")));

        assertThat(e.reason().code()).isEqualTo("DependencyIndexUnavailable");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void credentialsReachTheIndexAndNeverAMessageOrALogLine(@TempDir Path cache, @TempDir Path cache2) throws Exception {
        String password = "s3cr3t-Token-" + System.nanoTime();
        try (PythonIndexServer secured = PythonIndexServer.start()) {
            secured.requireCredentials("builder", password);
            secured.addModule("shout", "1.0", "shout", "X = 1\n");
            secured.add("srconly", "srconly-1.0.tar.gz", PythonIndexServer.sdist("srconly", "1.0"));
            List<String> logged = new ArrayList<>();
            Handler capture = new Handler() {
                @Override
                public void publish(LogRecord record) {
                    logged.add(record.getMessage());
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            Logger logger = Logger.getLogger(PipInstaller.class.getName());
            logger.addHandler(capture);
            try {
                PythonIndex withCredentials = new PythonIndex(secured.url(), List.of(), "builder", password, Duration.ofSeconds(5));
                assertThat(installer(cache, withCredentials).install(archive("shout==1.0\n"))).isPresent();
                DependencyException e = catchThrowableOfType(DependencyException.class,
                        () -> installer(cache2, withCredentials).install(archive("srconly==1.0\n")));
                String extraWithToken = "http://user:" + password + "@127.0.0.1:" + LocalProcess.freePort() + "/simple";
                PythonIndex badExtra = new PythonIndex(secured.url(), List.of(extraWithToken), "builder", password,
                        Duration.ofSeconds(2));
                BuildException down = catchThrowableOfType(BuildException.class,
                        () -> installer(cache2, badExtra).install(archive("nothing-here==1.0\n")));

                assertThat(e.reason().code()).isEqualTo("DependencyNotInstallable");
                assertThat(e.getMessage()).doesNotContain(password);
                assertThat(down.getMessage()).doesNotContain(password);
                assertThat(String.join("\n", logged)).isNotEmpty().doesNotContain(password);
                assertThat(withCredentials.toString()).doesNotContain(password);
            } finally {
                logger.removeHandler(capture);
            }
        }
    }

    @Test
    void requirementsThatReachPastTheIndexAreRefusedNamingTheLine(@TempDir Path cache) {
        InvalidManifestException e = catchThrowableOfType(InvalidManifestException.class,
                () -> installer(cache).install(archive("shout==1.0\n-e git+https://example.com/x.git#egg=x\n")));

        assertThat(e.reason().code()).isEqualTo("InvalidManifest");
        assertThat(e.key()).isEqualTo("requirements.txt:2");
    }

    private static DependencyException failure(Path cache, String requirements) {
        return catchThrowableOfType(DependencyException.class, () -> installer(cache).install(archive(requirements)));
    }

}
