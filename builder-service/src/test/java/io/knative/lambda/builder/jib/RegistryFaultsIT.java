package io.knative.lambda.builder.jib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.http.conn.ConnectionPoolTimeoutException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.http.Request;
import com.google.cloud.tools.jib.http.Response;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.ImageLayer;
import io.knative.lambda.builder.core.ImageSpec;
import io.knative.lambda.builder.core.PublishedImage;
import io.knative.lambda.builder.core.RegistryUnauthorizedException;
import io.knative.lambda.builder.core.RegistryUnavailableException;
import io.knative.lambda.builder.deps.LayerBlobs;
import io.knative.lambda.builder.jib.RegistryFront.Mode;
import io.knative.lambda.testsupport.RegistryReader;
import io.knative.lambda.testsupport.RegistryServer;

/**
 * A registry that fails (stopped, refusing the builder with 401, accepting connections and never answering) ends a
 * build at once with the reason, never holds it, and leaves the builder's kept-alive connections free for the build
 * after it. Before, a build that met a stopped registry sat in Jib's own retries of each request for about a minute,
 * logging nothing above DEBUG ({@link SharedTransports}). A dependency base image meets it the same way: it was pushed
 * with Jib's {@code containerize()}, whose own client waited 20 s a request and retried.
 */
class RegistryFaultsIT {

    /** Short request timeouts, so that a registry that never answers costs seconds. */
    private static final RegistryTimeouts SHORT = new RegistryTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(30));
    /**
     * How long a failing build may take before it counts as held: well past what these failures need (refused: at
     * once; silent: a few 2 s timeouts), well short of the 28 s at least that Jib's retries of one request took.
     */
    private static final Duration HELD = Duration.ofSeconds(20);
    /** Builds at once per failure: together more requests than the pool holds for one registry. */
    private static final int AT_ONCE = 8;

    private static RegistryServer registry;
    private static ExecutorService jib;
    private static ExecutorService callers;
    private static Path cache;

    @BeforeAll
    static void start() throws Exception {
        registry = RegistryServer.start();
        jib = Executors.newCachedThreadPool();
        callers = Executors.newCachedThreadPool();
        cache = Files.createTempDirectory("klambda-registry-faults-it-");
    }

    @AfterAll
    static void stop() {
        callers.shutdownNow();
        jib.shutdownNow();
        registry.close();
    }

    @Test
    void aBuildWhileTheRegistryIsStoppedFailsAtOnceAsUnavailableAndTheFirstBuildAfterItIsBackCompletes() throws Exception {
        RegistryServer own = RegistryServer.start();
        try (JibImagePublisher publisher = publisher(RegistryTimeouts.DEFAULT)) {
            completes(build(publisher, spec(own.host(), "before")));
            own.stop();

            BuildException down = fails(build(publisher, spec(own.host(), "during")));

            assertThat(down).isInstanceOf(RegistryUnavailableException.class).hasMessageEndingWith(": connection refused");
            assertThat(down.retryable()).isTrue();
            own = own.restarted();
            PublishedImage after = completes(build(publisher, spec(own.host(), "during")));
            assertThat(new RegistryReader(own.host()).manifestDigest("functions/parser-during", "t1"))
                    .isEqualTo(after.digest());
        } finally {
            own.close();
        }
    }

    @Test
    void buildsThatFailInEveryWayLeaveTheConnectionsFreeForTheBuildAfterThem() throws Exception {
        try (RegistryFront front = new RegistryFront(registry.port()); JibImagePublisher publisher = publisher(SHORT)) {
            completes(build(publisher, spec(front.host(), "warm")));

            front.set(Mode.DOWN);
            for (BuildException e : failAtOnce(publisher, front, "down")) {
                assertThat(e).isInstanceOf(RegistryUnavailableException.class).hasMessageEndingWith(": connection refused");
            }
            front.set(Mode.UNAUTHORIZED);
            for (BuildException e : failAtOnce(publisher, front, "unauthorized")) {
                // a plain-HTTP registry that wants credentials: Jib sends none over HTTP; asking again changes nothing
                assertThat(e).isInstanceOf(RegistryUnauthorizedException.class)
                        .hasMessageContaining("wants credentials for " + front.host() + "/functions/parser-unauthorized-")
                        .hasMessageContaining("sends none over plain HTTP");
                assertThat(e.retryable()).isFalse();
            }
            front.set(Mode.SILENT);
            for (BuildException e : failAtOnce(publisher, front, "silent")) {
                assertThat(e).isInstanceOf(RegistryUnavailableException.class).hasMessageContaining("timed out");
                assertThat(e.retryable()).isTrue();
            }
            front.set(Mode.FORWARD);

            PublishedImage after = completes(build(publisher, spec(front.host(), "after")));
            assertThat(new RegistryReader(registry.host()).manifestDigest("functions/parser-after", "t1"))
                    .isEqualTo(after.digest());
        }
    }

    @Test
    void aDependencyBaseImageMeetsAFailingRegistryAsAFunctionImageDoesAndIsPushedOnceItIsBack(@TempDir Path deps)
            throws Exception {
        try (RegistryFront front = new RegistryFront(registry.port()); JibImagePublisher publisher = publisher(SHORT)) {
            completes(build(publisher, withDependency(front.host(), "deps-warm", deps))); // plain HTTP learnt

            front.set(Mode.SILENT);
            BuildException silent = fails(build(publisher, withDependency(front.host(), "deps-silent", deps)));
            front.set(Mode.DOWN);
            BuildException down = fails(build(publisher, withDependency(front.host(), "deps-down", deps)));
            front.set(Mode.FORWARD);

            // Jib's containerize() pushed dependency bases before: its own client waited 20 s a request and retried
            assertThat(silent).isInstanceOf(RegistryUnavailableException.class).hasMessageContaining("timed out");
            assertThat(silent.retryable()).isTrue();
            assertThat(down).isInstanceOf(RegistryUnavailableException.class).hasMessageEndingWith(": connection refused");
            ImageSpec again = withDependency(front.host(), "deps-silent", deps);
            ImageLayer.Blob dependency = (ImageLayer.Blob) again.layers().get(0);
            PublishedImage after = completes(build(publisher, again));
            assertThat(after.layerDigests()).containsEntry("dependencies", dependency.digest());
            RegistryReader reader = new RegistryReader(registry.host());
            assertThat(reader.manifestDigest("functions/parser-deps-silent", "t1")).isEqualTo(after.digest());
            assertThat(registry.blobDigests()).as("the dependency blob, pushed as it is").contains(dependency.digest());
        }
    }

    @Test
    void aRequestThatFindsEveryConnectionTakenGivesUpAfterTheTimeoutAndThePoolServesAgainOnceTheyAreBack()
            throws Exception {
        try (SharedTransports pools = new SharedTransports(SHORT)) {
            FailoverHttpClient http = pools.client(true, false, event -> { });
            URL base = new URL(registry.url() + "/v2/");
            List<Response> held = new ArrayList<>();
            try {
                for (int i = 0; i < SharedTransports.MAX_PER_REGISTRY; i++) {
                    held.add(http.call("GET", base, Request.builder().build())); // body unread: the connection stays taken
                }

                CompletableFuture<Response> one = CompletableFuture.supplyAsync(() -> call(http, base), callers);
                Awaitility.await().atMost(HELD).until(one::isDone);
                assertThat(catchThrowable(one::join)).hasRootCauseInstanceOf(ConnectionPoolTimeoutException.class);
            } finally {
                for (Response r : held) {
                    r.close();
                }
            }
            try (Response again = http.call("GET", base, Request.builder().build())) {
                assertThat(again.getStatusCode()).isEqualTo(200);
            }
        }
    }

    private static Response call(FailoverHttpClient http, URL url) {
        try {
            return http.call("GET", url, Request.builder().build());
        } catch (java.io.IOException e) {
            throw new CompletionException(e);
        }
    }

    private static List<BuildException> failAtOnce(JibImagePublisher publisher, RegistryFront front, String name) {
        List<CompletableFuture<PublishedImage>> builds = new ArrayList<>();
        for (int i = 0; i < AT_ONCE; i++) {
            builds.add(build(publisher, spec(front.host(), name + "-" + i)));
        }
        return builds.stream().map(RegistryFaultsIT::fails).toList();
    }

    private static JibImagePublisher publisher(RegistryTimeouts timeouts) {
        return new JibImagePublisher(new RegistryOptions(true, Optional.empty(), Optional.empty(), timeouts), cache, jib);
    }

    private static ImageSpec spec(String registryHost, String name) {
        return new ImageSpec(registryHost + "/functions/parser-" + name, "t1", "scratch",
                Map.of("/function/parser.py", ("def handler(e):\n    return '" + name + "'\n").getBytes(StandardCharsets.UTF_8)),
                Map.of("FUNCTION_FILE", "parser.py"), Map.of());
    }

    /** A function whose dependency layer (a prebuilt blob of its own, one package) goes into a dependency base first. */
    private static ImageSpec withDependency(String registryHost, String name, Path work) throws IOException {
        Path tree = Files.createDirectories(work.resolve(name + "-tree/pkg_" + name.replace('-', '_')));
        Files.writeString(tree.resolve("__init__.py"), "NAME = '" + name + "'\n");
        ImageLayer.Blob dependency = LayerBlobs.write("dependencies", tree.getParent(), "function-deps",
                work.resolve(name + ".tar.gz"));
        ImageLayer.Files code = new ImageLayer.Files("code", Map.of("/function/parser.py",
                ("import pkg_" + name.replace('-', '_') + "\ndef handler(e):\n    return 1\n").getBytes(StandardCharsets.UTF_8)));
        return new ImageSpec(registryHost + "/functions/parser-" + name, "t1", "scratch", List.of(dependency, code),
                Map.of("FUNCTION_FILE", "parser.py"), Map.of());
    }

    private static CompletableFuture<PublishedImage> build(JibImagePublisher publisher, ImageSpec spec) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return publisher.publish(spec);
            } catch (BuildException e) {
                throw new CompletionException(e);
            }
        }, callers);
    }

    private static PublishedImage completes(CompletableFuture<PublishedImage> build) {
        Awaitility.await().atMost(HELD).until(build::isDone);
        return build.join();
    }

    private static BuildException fails(CompletableFuture<PublishedImage> build) {
        Awaitility.await().atMost(HELD).until(build::isDone);
        Throwable thrown = catchThrowable(build::join);
        assertThat(thrown).isInstanceOf(CompletionException.class).hasCauseInstanceOf(BuildException.class);
        return (BuildException) thrown.getCause();
    }
}
