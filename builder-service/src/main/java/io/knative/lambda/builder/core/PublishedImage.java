package io.knative.lambda.builder.core;

/**
 * An image in the registry.
 *
 * @param repository the repository it was pushed to
 * @param digest     the manifest digest, {@code sha256:...}
 * @param pushed     {@code false} when the registry already held this exact image and nothing was pushed
 */
public record PublishedImage(String repository, String digest, boolean pushed) {

    /** The image by digest, {@code repository@sha256:...}: what a Knative Service should run. */
    public String byDigest() {
        return repository + "@" + digest;
    }
}
