package io.knative.lambda.builder.jib;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.RegistryException;

import io.knative.lambda.builder.core.BuildException;

/**
 * Base images kept in memory between builds, by reference, so that a build reads no base manifest or configuration.
 * A reference by digest ({@code repo@sha256:…}) cannot change: kept as long as it is used. A tag can move: each build
 * asks the registry what the tag points at now (one manifest request, run while the function's layer is built) and
 * reads the image again when the digest differs, so a runtime image pushed under the same tag is used from the next
 * build on. At most {@value #MAX_ENTRIES} images, least recently used first out.
 */
final class BaseImageCache {

    static final int MAX_ENTRIES = 64;

    /** Where base images are read from: the registry, through one build's session. */
    interface Source {

        /** The digest {@code reference} points at now; empty when the registry does not hold it. */
        Optional<String> currentDigest(ImageReference reference) throws IOException, RegistryException;

        /** Reads the image: manifest (the build's platform's, for a list) and configuration. */
        BaseImage read(ImageReference reference) throws IOException, RegistryException, BuildException;
    }

    private final Map<String, BaseImage> images = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, BaseImage> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    /** The base image named {@code reference}: from memory when still what the registry holds, else read. */
    BaseImage get(String reference, Source source) throws IOException, RegistryException, BuildException,
            InvalidImageReferenceException {
        if (JibFailures.SCRATCH.equals(reference)) {
            return BaseImage.scratch();
        }
        ImageReference parsed = ImageReference.parse(reference);
        BaseImage cached;
        synchronized (images) {
            cached = images.get(reference);
        }
        if (cached != null && (pinned(parsed) || stillCurrent(cached, source.currentDigest(parsed)))) {
            return cached;
        }
        BaseImage read = source.read(parsed);
        synchronized (images) {
            images.put(reference, read);
        }
        return read;
    }

    /** Drops {@code reference}: a build that used it failed, and the next one reads it again. */
    void invalidate(String reference) {
        synchronized (images) {
            images.remove(reference);
        }
    }

    boolean holds(String reference) {
        synchronized (images) {
            return images.containsKey(reference);
        }
    }

    /** A reference by digest names one image forever. */
    static boolean pinned(ImageReference reference) {
        return reference.getDigest().isPresent();
    }

    /** A tag's cached image is current while the tag points at the digest it was read at. */
    static boolean stillCurrent(BaseImage cached, Optional<String> currentDigest) {
        return currentDigest.isPresent() && currentDigest.get().equals(cached.digest());
    }
}
