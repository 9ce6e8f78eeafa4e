package io.knative.lambda.builder.core;

import java.util.List;
import java.util.Map;

/**
 * What to push: the base image plus layers, in order.
 *
 * @param repository  the target repository, {@code registry/path/name} without tag
 * @param tag         the tag to push, the source digest
 * @param baseImage   the runtime base image, or {@code scratch}
 * @param layers      the layers on top of the base, bottom first (dependencies, then code)
 * @param environment environment variables of the image
 * @param labels      labels of the image
 */
public record ImageSpec(String repository, String tag, String baseImage, List<ImageLayer> layers,
        Map<String, String> environment, Map<String, String> labels) {

    public ImageSpec {
        layers = List.copyOf(layers);
    }

    /** One layer of in-memory files named {@code code}: a single-file function's image. */
    public ImageSpec(String repository, String tag, String baseImage, Map<String, byte[]> files,
            Map<String, String> environment, Map<String, String> labels) {
        this(repository, tag, baseImage, List.of(new ImageLayer.Files("code", files)), environment, labels);
    }

    /** {@code repository:tag}. */
    public String reference() {
        return repository + ":" + tag;
    }
}
