package io.knative.lambda.builder.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.knative.lambda.builder.archive.ArchiveLimits;
import io.knative.lambda.builder.archive.UploadReader;
import io.knative.lambda.events.EventTypes;

/** The core's decisions with in-memory adapters: what fails permanently, what is retried, what an image holds. */
class BuildServiceTest {

    private static final String BUCKET = "functions";
    private final Map<String, SourceObject> objects = new java.util.HashMap<>();
    private final List<ImageSpec> published = new ArrayList<>();
    private ImagePublisher publisher = spec -> {
        published.add(spec);
        return new PublishedImage(spec.repository(), "sha256:" + "0".repeat(64), true);
    };
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    private BuildService service(int slots, Duration queueTimeout) {
        SourceStore store = (bucket, key, versionId, maxBytes) -> {
            SourceObject o = objects.get(key);
            if (o == null) {
                throw new SourceNotFoundException(bucket, key, null);
            }
            if (o.bytes().length > maxBytes) {
                throw new SourceTooLargeException(bucket, key, o.bytes().length, maxBytes);
            }
            return o;
        };
        return new BuildService(store, new UploadReader(new ArchiveLimits(100, 1 << 20, 100)),
                new DefaultFunctionPackager(Optional.empty()), List.of(), spec -> publisher.publish(spec),
                new BuildSettings("registry.local/functions", Map.of("python", "scratch", "java", "scratch"), 100, slots,
                        queueTimeout),
                Clock.systemUTC());
    }

    private static BuildRequest request(String key) {
        return new BuildRequest(BUCKET, key, null, "evt-1");
    }

    @Test
    void aPythonSourceBecomesOneFileUnderFunctionWithTheRuntimeEnvironment() throws Exception {
        objects.put("global/parser/p1", SourceObject.of("def handler(e):\n    return e\n"));

        BuildOutcome outcome = service(1, Duration.ofSeconds(1)).build(request("global/parser/p1"));

        assertThat(outcome).isInstanceOf(BuildOutcome.Completed.class);
        assertThat(outcome.eventType()).isEqualTo(EventTypes.BUILD_COMPLETED);
        ImageSpec spec = published.get(0);
        assertThat(spec.repository()).isEqualTo("registry.local/functions/parser-p1");
        assertThat(spec.tag()).isEqualTo(objects.get("global/parser/p1").sha256Hex());
        assertThat(spec.layers()).singleElement().isInstanceOfSatisfying(ImageLayer.Files.class,
                code -> assertThat(code.files()).containsOnlyKeys("/function/p1"));
        assertThat(spec.environment()).containsEntry("FUNCTION_ID", "p1").containsEntry("FUNCTION_RUNTIME", "python")
                .containsEntry("FUNCTION_HANDLER", "handler").containsEntry("FUNCTION_FILE", "p1");
        assertThat(spec.labels()).containsEntry("io.knative.lambda.source", "s3://functions/global/parser/p1")
                .doesNotContainKey("io.knative.lambda.event-id");
    }

    @Test
    void permanentProblemsAreFailedOutcomesWithTheirReason() throws Exception {
        objects.put("global/parser/big", new SourceObject(new byte[101], Map.of(), null));
        objects.put("global/parser/weird", new SourceObject("x".getBytes(StandardCharsets.UTF_8), Map.of("handler", "a;b"), null));
        BuildService service = service(1, Duration.ofSeconds(1));

        assertThat(reason(service.build(request("global/parser/absent")))).isEqualTo("SourceNotFound");
        assertThat(reason(service.build(request("global/parser/big")))).isEqualTo("SourceTooLarge");
        assertThat(reason(service.build(request("no-function")))).isEqualTo("InvalidFunctionId");
        assertThat(reason(service.build(request("global/parser/x.rb")))).isEqualTo("SourceNotFound");
        assertThat(reason(service.build(request("global/parser/weird")))).isEqualTo("InvalidEvent");
        assertThat(reason(service.build(new BuildRequest(BUCKET, " ", null, "e")))).isEqualTo("InvalidEvent");
        assertThat(published).isEmpty();
    }

    @Test
    void aJavaSourceWithoutACompilerIsUnsupportedNotAnEmptyImage() throws Exception {
        objects.put("global/parser/j.java", SourceObject.of("public class J {}"));

        assertThat(reason(service(1, Duration.ofSeconds(1)).build(request("global/parser/j.java"))))
                .isEqualTo("UnsupportedRuntime");
        assertThat(published).isEmpty();
    }

    @Test
    void transientProblemsAreThrownForTheBusToRetry() {
        objects.put("global/parser/p2", SourceObject.of("x"));
        publisher = spec -> {
            throw new RegistryUnavailableException(spec.reference(), "connection refused", null);
        };

        assertThatThrownBy(() -> service(1, Duration.ofSeconds(1)).build(request("global/parser/p2")))
                .isInstanceOf(RegistryUnavailableException.class)
                .satisfies(e -> assertThat(((BuildException) e).retryable()).isTrue());
    }

    @Test
    void onlyWhitelistedObjectMetadataTravelsAsSettings() throws Exception {
        objects.put("global/parser/p3", new SourceObject("x".getBytes(StandardCharsets.UTF_8),
                Map.of("min-scale", "1", "max-scale", "5", "execution", "event-loop", "owner", "team-a"), null));

        BuildOutcome outcome = service(1, Duration.ofSeconds(1)).build(request("global/parser/p3"));

        assertThat(((BuildOutcome.Completed) outcome).event().settings())
                .containsOnly(Map.entry("max-scale", "5"), Map.entry("min-scale", "1"), Map.entry("execution", "event-loop"));
    }

    @Test
    void whenEverySlotStaysBusyTheNextBuildIsRefusedAsRetryable() throws Exception {
        objects.put("global/parser/slow", SourceObject.of("x"));
        objects.put("global/parser/next", SourceObject.of("y"));
        CountDownLatch inPublish = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        publisher = spec -> {
            inPublish.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new PublishedImage(spec.repository(), "sha256:" + "1".repeat(64), true);
        };
        BuildService service = service(1, Duration.ofMillis(50));
        Future<BuildOutcome> slow = pool.submit(() -> service.build(request("global/parser/slow")));
        assertThat(inPublish.await(10, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> service.build(request("global/parser/next")))
                .isInstanceOf(BuilderBusyException.class)
                .satisfies(e -> assertThat(((BuildException) e).retryable()).isTrue());

        release.countDown();
        assertThat(slow.get(10, TimeUnit.SECONDS)).isInstanceOf(BuildOutcome.Completed.class);
        assertThat(service.build(request("global/parser/next"))).as("the slot is free again")
                .isInstanceOf(BuildOutcome.Completed.class);
    }

    private static String reason(BuildOutcome outcome) {
        assertThat(outcome).isInstanceOf(BuildOutcome.Failed.class);
        assertThat(outcome.eventType()).isEqualTo(EventTypes.BUILD_FAILED);
        return ((BuildOutcome.Failed) outcome).event().reason();
    }
}
