package io.knative.lambda.builder.core;

import java.util.Map;

/**
 * What to push: the base image plus one layer of files under {@code /function}.
 *
 * @param repository the target repository, {@code registry/path/name} without tag
 * @param tag        the tag to push, the source digest
 * @param baseImage  the runtime base image, or {@code scratch}
 * @param files      layer content: absolute path in the image (under {@code /function}) to bytes
 * @param environment environment variables of the image
 * @param labels     labels of the image
 */
public record ImageSpec(String repository, String tag, String baseImage, Map<String, byte[]> files,
        Map<String, String> environment, Map<String, String> labels) {

    /** {@code repository:tag}. */
    public String reference() {
        return repository + ":" + tag;
    }
}
