package io.knative.lambda.builder.core;

import java.nio.file.Path;
import java.util.List;

/**
 * A function's dependencies as one content-addressed image layer.
 *
 * @param blob      the layer
 * @param directory where the dependencies are in the image ({@code /function-deps}), told to the runtime as
 *                  {@code FUNCTION_DEPS_DIR}
 * @param reused    {@code true} when the layer came from the cache: nothing was resolved or installed
 * @param classpath the jars on the builder's disk, for compiling against (Java), else empty
 */
public record DependencyLayer(ImageLayer.Blob blob, String directory, boolean reused, List<Path> classpath) {

    public DependencyLayer {
        classpath = List.copyOf(classpath);
    }
}
