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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.event.events.TimerEvent;

import io.knative.lambda.builder.core.BaseImageNotFoundException;
import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.ImageLayer;
import io.knative.lambda.builder.core.ImagePublisher;
import io.knative.lambda.builder.core.ImageSpec;
import io.knative.lambda.builder.core.PublishedImage;
import io.knative.lambda.builder.core.RegistryUnavailableException;
import io.knative.lambda.events.FailureReason;

/**
 * Builds function images with Jib Core: no Docker daemon, no user code run. Reproducible: fixed creation and file
 * times, sorted entries, so the same spec gives the same digest. A function image is pushed by {@link ImagePusher}
 * with Jib Core's registry client (base image kept in memory, blobs in parallel, nothing pushed that the registry
 * has, no manifest pushed for an image already there), assembled exactly as Jib's {@code containerize()} assembles it.
 *
 * <p>Prebuilt blobs (the dependency layer) go into a <em>dependency base image</em> first, with Jib's
 * {@code containerize()}: the runtime base plus those blobs, pushed once to
 * {@code <registry path>/dependencies:<hash of base and blobs>}. Function images are built from it, so their
 * dependency layers are mounted into each function's repository from there: a different function with the same
 * dependencies pushes no dependency bytes, and a code-only rebuild pushes only the code layer, config and manifest.
 */
public final class JibImagePublisher implements ImagePublisher, AutoCloseable {

    /** The creation time of every function image: fixed, for reproducible digests. */
    public static final Instant CREATION_TIME = Instant.EPOCH;
    /** The modification time of every file in the function layer. */
    public static final Instant FILE_TIME = Instant.ofEpochSecond(1);
    /** The repository, beside the functions' own, of the dependency base images. */
    public static final String DEPENDENCY_REPOSITORY = "dependencies";
    private static final System.Logger LOG = System.getLogger(JibImagePublisher.class.getName());

    static {
        // Jib checks the target registry for the built manifest and skips the push when it is there.
        if (System.getProperty("jib.skipExistingImages") == null) {
            System.setProperty("jib.skipExistingImages", "true");
        }
    }

    private final RegistryOptions options;
    private final Path cacheDir;
    private final ExecutorService executor;
    private final SeededLayers seeded;
    private final RegistryAccess access;
    private final ImagePusher pusher;
    /** Dependency base images known to be in the registry, with the digest of each of their blobs. */
    private final Map<String, Map<String, String>> dependencyBases = new ConcurrentHashMap<>();

    /**
     * @param options  credentials and transport of the registries
     * @param cacheDir Jib's base and application layer caches, and scratch space for layer files
     * @param executor Jib's worker threads, shared by all builds
     */
    public JibImagePublisher(RegistryOptions options, Path cacheDir, ExecutorService executor) {
        this.options = options;
        this.cacheDir = cacheDir;
        this.executor = executor;
        this.seeded = new SeededLayers(cacheDir.resolve("application"));
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
            return publishOn(spec, spec.baseImage(), Map.of());
        }
        String base = dependencyBase(spec, blobs);
        try {
            return publishOn(spec, base, dependencyBases.get(base));
        } catch (BaseImageNotFoundException gone) { // removed from the registry since: push it again, once
            dependencyBases.remove(base);
            return publishOn(spec, dependencyBase(spec, blobs), dependencyBases.get(base));
        }
    }

    /** Pushes {@code spec}'s image on {@code base}: Jib Core's registry client, see {@link ImagePusher}. */
    private PublishedImage publishOn(ImageSpec spec, String base, Map<String, String> blobDigests) throws BuildException {
        return pusher.publish(spec, base, blobDigests);
    }

    /** The dependency base image of {@code blobs} on {@code spec}'s runtime base, pushed unless known to be there. */
    private String dependencyBase(ImageSpec spec, List<ImageLayer.Blob> blobs) throws BuildException {
        String repository = spec.repository().substring(0, spec.repository().lastIndexOf('/') + 1) + DEPENDENCY_REPOSITORY;
        StringBuilder key = new StringBuilder(spec.baseImage());
        blobs.forEach(b -> key.append('\n').append(b.digest()));
        String reference = repository + ":" + sha256(key.toString());
        if (dependencyBases.containsKey(reference)) {
            return reference;
        }
        synchronized (dependencyBases) {
            if (dependencyBases.containsKey(reference)) {
                return reference;
            }
            try {
                JibContainerBuilder builder = base(spec.baseImage()).setCreationTime(CREATION_TIME);
                Map<String, String> digests = new TreeMap<>();
                for (ImageLayer.Blob blob : blobs) {
                    SeededLayers.Seeded layer = seeded.layer(blob);
                    if (!layer.digest().equals(blob.digest())) {
                        LOG.log(System.Logger.Level.WARNING, "layer " + blob.name() + " is " + layer.digest() + " in Jib's cache, "
                                + blob.digest() + " in the dependency cache (a different zlib?); the image holds the former");
                    }
                    builder.addFileEntriesLayer(layer.layer());
                    digests.put(blob.name(), layer.digest());
                }
                containerize(builder, reference, spec.baseImage());
                dependencyBases.put(reference, digests);
                return reference;
            } catch (IOException e) {
                throw JibFailures.classify(reference, spec.baseImage(), e);
            }
        }
    }

    private JibContainer containerize(JibContainerBuilder builder, String reference, String baseImage) throws BuildException {
        try {
            Containerizer containerizer = Containerizer.to(credentials(RegistryImage.named(reference)))
                    .setAllowInsecureRegistries(options.insecure())
                    .setBaseImageLayersCache(cacheDir.resolve("base"))
                    .setApplicationLayersCache(cacheDir.resolve("application"))
                    .setExecutorService(executor)
                    .setToolName("knative-lambda-builder")
                    .addEventHandler(TimerEvent.class, JibImagePublisher::logStep);
            return builder.containerize(containerizer);
        } catch (InvalidImageReferenceException e) {
            throw new BuildException(FailureReason.INVALID_FUNCTION_ID, "not a valid image reference: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException(reference, "interrupted", e);
        } catch (ExecutionException | IOException | RuntimeException | com.google.cloud.tools.jib.api.RegistryException
                | com.google.cloud.tools.jib.api.CacheDirectoryCreationException e) {
            throw JibFailures.classify(reference, baseImage, e);
        }
    }

    /** Jib's step timings at DEBUG ({@code io.knative.lambda.builder.jib}): where a slow build spends its time. */
    private static void logStep(TimerEvent event) {
        if (event.getState() == TimerEvent.State.FINISHED && LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "jib step ''{0}'' took {1} ms", event.getDescription(),
                    event.getElapsed().toMillis());
        }
    }

    private JibContainerBuilder base(String baseImage) throws BuildException {
        if (JibFailures.SCRATCH.equals(baseImage)) {
            return Jib.fromScratch();
        }
        try {
            return Jib.from(credentials(RegistryImage.named(baseImage)));
        } catch (InvalidImageReferenceException e) {
            throw new BuildException(FailureReason.INVALID_FUNCTION_ID, "not a valid image reference: " + e.getMessage(), e);
        }
    }

    private RegistryImage credentials(RegistryImage image) {
        if (options.username().isPresent() && options.password().isPresent()) {
            image.addCredential(options.username().get(), options.password().get());
        }
        return image;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
