package io.knative.lambda.builder.jib;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.image.Image;
import com.google.cloud.tools.jib.image.json.V22ManifestTemplate;

/** When a base image kept in memory is used as it is and when it is read again (a registry held in memory). */
class BaseImageCacheTest {

    private static final String TAGGED = "127.0.0.1:5000/runtimes/python:1";
    private static final String PINNED = "127.0.0.1:5000/runtimes/python@sha256:" + "a".repeat(64);

    /** A registry's tags and what reading and checking them cost. */
    private static final class Registry implements BaseImageCache.Source {
        final Map<String, String> tags = new HashMap<>();
        final List<String> reads = new ArrayList<>();
        int checks;

        @Override
        public Optional<String> currentDigest(ImageReference reference) {
            checks++;
            return Optional.ofNullable(tags.get(reference.toString()));
        }

        @Override
        public BaseImage read(ImageReference reference) {
            reads.add(reference.toString());
            String digest = reference.getDigest().orElse(tags.get(reference.toString()));
            return new BaseImage(reference.toString(), reference.getRegistry(), reference.getRepository(), digest,
                    Image.builder(V22ManifestTemplate.class).build());
        }
    }

    @Test
    void aTagIsReadOnceAndThenOnlyCheckedWhileItPointsAtTheSameDigest() throws Exception {
        Registry registry = new Registry();
        registry.tags.put(TAGGED, "sha256:1");
        BaseImageCache cache = new BaseImageCache();

        BaseImage first = cache.get(TAGGED, registry);
        BaseImage second = cache.get(TAGGED, registry);
        BaseImage third = cache.get(TAGGED, registry);

        assertThat(registry.reads).hasSize(1);
        assertThat(registry.checks).isEqualTo(2);
        assertThat(second).isSameAs(first).isSameAs(third);
    }

    @Test
    void aTagThatMovedIsReadAgainAndTheNewImageKept() throws Exception {
        Registry registry = new Registry();
        registry.tags.put(TAGGED, "sha256:1");
        BaseImageCache cache = new BaseImageCache();
        cache.get(TAGGED, registry);

        registry.tags.put(TAGGED, "sha256:2");
        BaseImage moved = cache.get(TAGGED, registry);
        BaseImage again = cache.get(TAGGED, registry);

        assertThat(moved.digest()).isEqualTo("sha256:2");
        assertThat(again).isSameAs(moved);
        assertThat(registry.reads).hasSize(2);
    }

    @Test
    void aTagTheRegistryNoLongerHoldsIsReadAgainSoThatTheReadSaysWhy() throws Exception {
        Registry registry = new Registry();
        registry.tags.put(TAGGED, "sha256:1");
        BaseImageCache cache = new BaseImageCache();
        cache.get(TAGGED, registry);

        registry.tags.remove(TAGGED);
        cache.get(TAGGED, registry);

        assertThat(registry.reads).hasSize(2);
    }

    @Test
    void anImageByDigestIsNeverAskedForAgain() throws Exception {
        Registry registry = new Registry();
        BaseImageCache cache = new BaseImageCache();

        cache.get(PINNED, registry);
        cache.get(PINNED, registry);

        assertThat(registry.reads).hasSize(1);
        assertThat(registry.checks).isZero();
    }

    @Test
    void anInvalidatedImageIsReadAgain() throws Exception {
        Registry registry = new Registry();
        BaseImageCache cache = new BaseImageCache();
        cache.get(PINNED, registry);

        cache.invalidate(PINNED);
        cache.get(PINNED, registry);

        assertThat(registry.reads).hasSize(2);
    }

    @Test
    void scratchNeedsNoRegistry() throws Exception {
        Registry registry = new Registry();

        BaseImage scratch = new BaseImageCache().get("scratch", registry);

        assertThat(scratch.isScratch()).isTrue();
        assertThat(scratch.image().getLayers()).isEmpty();
        assertThat(scratch.image().getArchitecture()).isEqualTo("amd64");
        assertThat(registry.reads).isEmpty();
        assertThat(registry.checks).isZero();
    }

    @Test
    void itHoldsAtMostItsLimitLeastRecentlyUsedFirstOut() throws Exception {
        Registry registry = new Registry();
        BaseImageCache cache = new BaseImageCache();
        String first = "127.0.0.1:5000/runtimes/r0@sha256:" + "0".repeat(64);
        cache.get(first, registry);
        for (int i = 1; i <= BaseImageCache.MAX_ENTRIES; i++) {
            cache.get("127.0.0.1:5000/runtimes/r" + i + "@sha256:" + "0".repeat(64), registry);
        }

        assertThat(cache.holds(first)).isFalse();
        assertThat(cache.holds("127.0.0.1:5000/runtimes/r" + BaseImageCache.MAX_ENTRIES + "@sha256:" + "0".repeat(64)))
                .isTrue();
    }
}
