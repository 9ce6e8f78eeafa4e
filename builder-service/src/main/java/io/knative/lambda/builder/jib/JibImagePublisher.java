package io.knative.lambda.builder.jib;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

import io.knative.lambda.builder.core.BaseImageNotFoundException;
import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.ImageLayer;
import io.knative.lambda.builder.core.ImagePublisher;
import io.knative.lambda.builder.core.ImageSpec;
import io.knative.lambda.builder.core.PublishedImage;

/**
 * Builds function images with Jib Core: no Docker daemon, no user code run. Reproducible: fixed creation and file
 * times, sorted entries, so the same spec gives the same digest. Every image is pushed by {@link ImagePusher} with Jib
 * Core's registry client (base image kept in memory, blobs in parallel, nothing pushed that the registry has, no
 * manifest pushed for an image already there, every request bounded by {@link RegistryTimeouts}), assembled exactly
 * as Jib's {@code containerize()} assembles it.
 *
 * <p>Prebuilt blobs (the dependency layer) go into a <em>dependency base image</em> first: the runtime base plus
 * those blobs, pushed once to {@code <registry path>/dependencies:<hash of base and blobs>}. Function images are built
 * from it, so their dependency layers are mounted into each function's repository from there: a different function
 * with the same dependencies pushes no dependency bytes, and a code-only rebuild pushes only the code layer, config
 * and manifest.
 */
public final class JibImagePublisher implements ImagePublisher, AutoCloseable {

    /** The creation time of every function image: fixed, for reproducible digests. */
    public static final Instant CREATION_TIME = Instant.EPOCH;
    /** The modification time of every file in the function layer. */
    public static final Instant FILE_TIME = Instant.ofEpochSecond(1);
    /** The repository, beside the functions' own, of the dependency base images. */
    public static final String DEPENDENCY_REPOSITORY = "dependencies";

    private final RegistryAccess access;
    private final ImagePusher pusher;
    /** Dependency base images known to be in the registry, with the digest of each of their blobs. */
    private final Map<String, Map<String, String>> dependencyBases = new ConcurrentHashMap<>();

    /**
     * @param options  credentials and transport of the registries
     * @param cacheDir scratch space for layer files
     * @param executor runs the registry requests of the builds, shared by all builds
     */
    public JibImagePublisher(RegistryOptions options, Path cacheDir, ExecutorService executor) {
        this.access = new RegistryAccess(options);
        this.pusher = new ImagePusher(access, cacheDir, executor);
    }

    /** Closes the registry connection pools; builds after this fail. */
    @Override
    public void close() throws IOException {
        access.close();
    }

    @Override
    public PublishedImage publish(ImageSpec spec) throws BuildException {
        List<ImageLayer.Blob> blobs = spec.layers().stream().filter(ImageLayer.Blob.class::isInstance)
                .map(ImageLayer.Blob.class::cast).toList();
        if (blobs.isEmpty()) {
            return pusher.publish(spec, spec.baseImage(), Map.of());
        }
        ImageSpec onBase = new ImageSpec(spec.repository(), spec.tag(), spec.baseImage(),
                spec.layers().stream().filter(l -> !(l instanceof ImageLayer.Blob)).toList(), spec.environment(),
                spec.labels());
        String base = dependencyBase(spec, blobs);
        try {
            return pusher.publish(onBase, base, dependencyBases.get(base));
        } catch (BaseImageNotFoundException gone) { // removed from the registry since: push it again, once
            dependencyBases.remove(base);
            return pusher.publish(onBase, dependencyBase(spec, blobs), dependencyBases.get(base));
        }
    }

    /** The dependency base image of {@code blobs} on {@code spec}'s runtime base, pushed unless known to be there. */
    private String dependencyBase(ImageSpec spec, List<ImageLayer.Blob> blobs) throws BuildException {
        String repository = spec.repository().substring(0, spec.repository().lastIndexOf('/') + 1) + DEPENDENCY_REPOSITORY;
        StringBuilder key = new StringBuilder(spec.baseImage());
        blobs.forEach(b -> key.append('\n').append(b.digest()));
        String tag = sha256(key.toString());
        String reference = repository + ":" + tag;
        if (dependencyBases.containsKey(reference)) {
            return reference;
        }
        synchronized (dependencyBases) {
            if (!dependencyBases.containsKey(reference)) {
                ImageSpec dependencies = new ImageSpec(repository, tag, spec.baseImage(), List.<ImageLayer>copyOf(blobs), Map.of(),
                        Map.of());
                dependencyBases.put(reference, pusher.publish(dependencies, spec.baseImage(), Map.of()).layerDigests());
            }
            return reference;
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
