package io.knative.lambda.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.knative.lambda.builder.core.ImageSpec;
import io.knative.lambda.builder.core.PublishedImage;
import io.knative.lambda.builder.jib.JibImagePublisher;
import io.knative.lambda.builder.jib.RegistryOptions;
import io.knative.lambda.testsupport.RegistryServer;

/** Jib publisher against a real registry: the same spec gives the same digest, from any builder, any time. */
class ReproducibleImageIT {

    private static RegistryServer registry;
    private static ExecutorService executor;

    @BeforeAll
    static void start() {
        registry = RegistryServer.start();
        executor = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() {
        executor.shutdownNow();
        registry.close();
    }

    private static ImageSpec spec(String repository, String source) {
        return new ImageSpec(registry.host() + "/" + repository, "t1", "scratch",
                Map.of("/function/handler.py", source.getBytes(StandardCharsets.UTF_8)),
                Map.of("FUNCTION_ID", "repro"), Map.of("io.knative.lambda.function-id", "repro"));
    }

    @Test
    void twoBuildersWithSeparateCachesPushTheSameDigestForTheSameSpec(@TempDir Path cacheA, @TempDir Path cacheB)
            throws Exception {
        RegistryOptions options = new RegistryOptions(true, Optional.empty(), Optional.empty());

        PublishedImage first = new JibImagePublisher(options, cacheA, executor).publish(spec("functions/repro-a", "v1"));
        PublishedImage second = new JibImagePublisher(options, cacheB, executor).publish(spec("functions/repro-b", "v1"));

        assertThat(second.digest()).isEqualTo(first.digest());
        assertThat(first.pushed()).isTrue();
    }

    @Test
    void aBuilderThatNeverSawTheRepositoryUploadsNothingItHoldsAndAsksForSmallBlobsWithTheirUpload(@TempDir Path cacheA,
            @TempDir Path cacheB, @TempDir Path cacheC) throws Exception {
        RegistryOptions options = new RegistryOptions(true, Optional.empty(), Optional.empty());
        PublishedImage first = new JibImagePublisher(options, cacheA, executor).publish(spec("functions/repro-d", "d1"));
        long uploads = registry.blobUploads();
        long blobChecks = registry.requests("HEAD", "/blobs/");

        PublishedImage again = new JibImagePublisher(options, cacheB, executor).publish(spec("functions/repro-d", "d1"));
        PublishedImage changed = new JibImagePublisher(options, cacheC, executor).publish(spec("functions/repro-d", "d2"));

        assertThat(again.digest()).isEqualTo(first.digest());
        assertThat(again.pushed()).as("already in the registry").isFalse();
        assertThat(changed.pushed()).isTrue();
        assertThat(registry.blobUploads()).as("the same code again uploads nothing; new code uploads its code layer and configuration")
                .isEqualTo(uploads + 2);
        assertThat(registry.requests("HEAD", "/blobs/")).as("small blobs are asked for by their mount, not checked first")
                .isEqualTo(blobChecks);
    }

    @Test
    void theSameSpecAgainIsNotPushedAndADifferentSourceGivesADifferentDigest(@TempDir Path cache) throws Exception {
        RegistryOptions options = new RegistryOptions(true, Optional.empty(), Optional.empty());
        JibImagePublisher publisher = new JibImagePublisher(options, cache, executor);

        PublishedImage first = publisher.publish(spec("functions/repro-c", "v1"));
        long blobs = registry.blobCount();
        PublishedImage again = publisher.publish(spec("functions/repro-c", "v1"));
        PublishedImage changed = publisher.publish(spec("functions/repro-c", "v2"));

        assertThat(again.digest()).isEqualTo(first.digest());
        assertThat(again.pushed()).as("already in the registry").isFalse();
        assertThat(changed.digest()).isNotEqualTo(first.digest());
        assertThat(registry.blobCount()).as("v2 added its layer and config").isGreaterThan(blobs);
        assertThat(Files.list(cache).filter(p -> p.getFileName().toString().startsWith("layer-"))).as("scratch cleaned")
                .isEmpty();
    }
}
