package io.knative.lambda.builder.core;

import java.util.Map;

/**
 * An image in the registry.
 *
 * @param repository   the repository it was pushed to
 * @param digest       the manifest digest, {@code sha256:...}
 * @param pushed       {@code false} when the registry already held this exact image and nothing was pushed
 * @param layerDigests the digest of each layer of the spec, by its name
 */
public record PublishedImage(String repository, String digest, boolean pushed, Map<String, String> layerDigests) {

    public PublishedImage {
        layerDigests = layerDigests == null ? Map.of() : Map.copyOf(layerDigests);
    }

    public PublishedImage(String repository, String digest, boolean pushed) {
        this(repository, digest, pushed, Map.of());
    }

    /** The image by digest, {@code repository@sha256:...}: what a Knative Service should run. */
    public String byDigest() {
        return repository + "@" + digest;
    }
}
