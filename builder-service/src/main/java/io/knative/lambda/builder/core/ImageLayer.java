package io.knative.lambda.builder.core;

import java.nio.file.Path;
import java.util.Map;

/** One layer of a function image, on top of the runtime base: small files held in memory, or a prebuilt blob. */
public sealed interface ImageLayer permits ImageLayer.Files, ImageLayer.Blob {

    /** {@code code} or {@code dependencies}: how the build reports it. */
    String name();

    /**
     * Files given as bytes, laid out by the publisher with fixed times and permissions (the function's code).
     *
     * @param files absolute path in the image to content
     */
    record Files(String name, Map<String, byte[]> files) implements ImageLayer {
    }

    /**
     * A reproducible layer already built (a gzipped tar whose paths are relative to the image's root), as the
     * dependency cache holds it: the publisher pushes it only where the registry lacks it.
     *
     * @param path   the gzipped tar on the builder's disk
     * @param digest sha256 of the gzipped bytes, {@code sha256:...}
     * @param diffId sha256 of the uncompressed tar, {@code sha256:...}
     * @param size   bytes of the gzipped tar
     */
    record Blob(String name, Path path, String digest, String diffId, long size) implements ImageLayer {
    }
}
