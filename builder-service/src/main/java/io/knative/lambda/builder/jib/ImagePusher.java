package io.knative.lambda.builder.jib;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.stream.Stream;

import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.blob.Blob;
import com.google.cloud.tools.jib.blob.Blobs;
import com.google.cloud.tools.jib.image.Layer;
import com.google.cloud.tools.jib.registry.ManifestAndDigest;
import com.google.cloud.tools.jib.registry.RegistryClient;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.ImageLayer;
import io.knative.lambda.builder.core.ImageSpec;
import io.knative.lambda.builder.core.PublishedImage;
import io.knative.lambda.events.FailureReason;

/**
 * Pushes a function image on a base with Jib Core's registry client, in as few round trips as the registry allows:
 * the base image from memory ({@link BaseImageCache}), no auth ping once the registry's kind is known
 * ({@link RegistryAccess}), and every blob at once: the base's layers mounted from the base's repository (or skipped
 * when known to be there), the function layer and the configuration pushed unless the registry has them (asked with
 * their upload's first request where they are small, {@link #checkedBy}), beside the check whether the image is
 * already there; then the manifest, unless the registry holds that exact image. A build
 * that relied on anything learnt before and failed is tried once more with it forgotten. Each attempt waits for its
 * requests no longer than {@link RegistryTimeouts#push} ({@link PushDeadline}).
 */
final class ImagePusher {

    private static final System.Logger LOG = System.getLogger(ImagePusher.class.getName());

    /** Blobs up to this size are checked by a mount from the function's own repository ({@link #checkedBy}). */
    static final long MOUNT_CHECK_MAX_BYTES = 1 << 20;

    private final RegistryAccess access;
    private final BaseImageCache bases = new BaseImageCache();
    private final KnownBlobs known = new KnownBlobs();
    private final Path cacheDir;
    private final Executor executor;

    /**
     * @param access   what is known of the registries
     * @param cacheDir scratch space for layer files
     * @param executor runs the requests of a build in parallel
     */
    ImagePusher(RegistryAccess access, Path cacheDir, Executor executor) {
        this.access = access;
        this.cacheDir = cacheDir;
        this.executor = executor;
    }

    /**
     * Pushes {@code spec}'s layers (files built here, prebuilt blobs as they are) on {@code base}; {@code blobDigests}
     * are the dependency layers the base already holds, reported with the image's own.
     */
    PublishedImage publish(ImageSpec spec, String base, Map<String, String> blobDigests) throws BuildException {
        ImageReference target;
        try {
            target = ImageReference.parse(spec.reference());
        } catch (InvalidImageReferenceException e) {
            throw new BuildException(FailureReason.INVALID_FUNCTION_ID, "not a valid image reference: " + e.getMessage(), e);
        }
        boolean relied = access.knowsAnything() || bases.holds(base);
        try {
            return attempt(spec, target, base, blobDigests);
        } catch (BuildException first) {
            if (!relied) {
                throw first;
            }
            LOG.log(System.Logger.Level.DEBUG, "build of {0} failed ({1}); once more without what was learnt of the registry",
                    spec.reference(), first.getMessage());
            access.forget();
            bases.invalidate(base);
            known.forget(repositoryKey(target));
            return attempt(spec, target, base, blobDigests);
        }
    }

    private PublishedImage attempt(ImageSpec spec, ImageReference target, String base, Map<String, String> blobDigests)
            throws BuildException {
        Path work = null;
        PushDeadline deadline = new PushDeadline(access.timeouts().push(), spec.reference());
        try (RegistrySession session = access.open()) {
            CompletableFuture<BaseImage> baseImage = async("base image (cached, tag checked)",
                    () -> bases.get(base, new RegistryBaseImages(session)));
            long started = System.nanoTime();
            Files.createDirectories(cacheDir);
            work = Files.createTempDirectory(cacheDir, "layer-");
            List<LayerBlob> layers = new ArrayList<>();
            for (ImageLayer layer : spec.layers()) {
                layers.add(layer instanceof ImageLayer.Files files ? LayerBlob.of(files, work.resolve(files.name()))
                        : LayerBlob.of((ImageLayer.Blob) layer));
            }
            timing("layers (tar, gzip, digest; a prebuilt one read as it is)", started);
            long waited = System.nanoTime();
            BaseImage from = deadline.await(baseImage);
            timing("waiting for the base image", waited);
            ImageAssembly.Assembled image = ImageAssembly.assemble(from.image(), layers, spec.environment(), spec.labels(),
                    JibImagePublisher.CREATION_TIME);
            String mountFrom = !from.isScratch() && from.registry().equals(target.getRegistry()) ? from.repository() : null;
            long clientStarted = System.nanoTime();
            RegistryClient client = session.pushClient(target.getRegistry(), target.getRepository(), mountFrom);
            timing("registry client", clientStarted);
            String repository = repositoryKey(target);
            CompletableFuture<Optional<ManifestAndDigest<?>>> existing = async("existing image check",
                    () -> client.checkManifest(target.getQualifier()).map(m -> (ManifestAndDigest<?>) m));
            List<CompletableFuture<?>> blobs = new ArrayList<>();
            for (Layer layer : from.image().getLayers()) {
                DescriptorDigest digest = layer.getBlobDescriptor().getDigest();
                blobs.add(async("base layer mount", () -> ensure(client, repository, digest, baseBlob(session, from, digest),
                        mountFrom)));
            }
            String itself = target.getRepository();
            for (LayerBlob layer : layers) {
                blobs.add(async("layer push (" + layer.name() + ")", () -> ensure(client, repository, layer.descriptor().getDigest(),
                        layer.blob(), checkedBy(itself, layer.descriptor().getSize()))));
            }
            blobs.add(async("config push", () -> ensure(client, repository, image.configDescriptor().getDigest(),
                    Blobs.from(out -> out.write(image.config()), true), checkedBy(itself, image.config().length))));
            deadline.await(CompletableFuture.allOf(blobs.toArray(CompletableFuture[]::new)));
            boolean there = deadline.await(existing).map(m -> m.getDigest().equals(image.digest())).orElse(false);
            if (!there) {
                long manifestStarted = System.nanoTime();
                client.pushManifest(image.manifest(), target.getQualifier());
                timing("manifest push", manifestStarted);
            }
            Map<String, String> digests = new LinkedHashMap<>(blobDigests);
            layers.forEach(l -> digests.put(l.name(), l.descriptor().getDigest().toString()));
            return new PublishedImage(spec.repository(), image.digest().toString(), !there, digests);
        } catch (IOException | RegistryException | RuntimeException e) {
            Throwable cause = e instanceof CompletionException c && c.getCause() != null ? c.getCause() : e;
            if (cause instanceof BuildException build) {
                throw build;
            }
            if (cause instanceof InvalidImageReferenceException invalid) {
                throw new BuildException(FailureReason.INVALID_FUNCTION_ID, "not a valid image reference: "
                        + invalid.getMessage(), invalid);
            }
            throw JibFailures.classify(spec.reference(), base, cause);
        } finally {
            long cleanup = System.nanoTime();
            deleteQuietly(work);
            timing("layer files removed", cleanup);
        }
    }

    /**
     * How a blob of the function's own is checked before its upload: one of at most {@link #MOUNT_CHECK_MAX_BYTES} is
     * offered as a mount from the function's repository itself (answered 201 when the registry has it there, else the
     * upload begins with that same request: one round trip fewer than a separate check), a larger one is checked first
     * ({@code null}), so that a registry that cannot mount never receives it twice.
     */
    static String checkedBy(String repository, long size) {
        return size <= MOUNT_CHECK_MAX_BYTES ? repository : null;
    }

    /**
     * Puts the blob into the repository unless known to be there: mounted from {@code mountFrom} when given (the
     * registry answers 201 when it could, or starts the upload), checked first and uploaded when not there otherwise.
     */
    private Void ensure(RegistryClient client, String repository, DescriptorDigest digest, Blob blob, String mountFrom)
            throws IOException, RegistryException {
        String text = digest.toString();
        if (known.has(repository, text)) {
            return null;
        }
        if (mountFrom != null || client.checkBlob(digest).isEmpty()) {
            client.pushBlob(digest, blob, mountFrom, bytes -> { });
        }
        known.add(repository, text);
        return null;
    }

    /** A base layer's bytes, read from the base's registry only if a mount does not do (another registry). */
    private static Blob baseBlob(RegistrySession session, BaseImage base, DescriptorDigest digest) {
        return Blobs.from(out -> {
            try {
                session.pullClient(base.registry(), base.repository()).pullBlob(digest, size -> { }, bytes -> { }).writeTo(out);
            } catch (RegistryException e) {
                throw new IOException("cannot read layer " + digest + " of base image " + base.reference() + ": "
                        + e.getMessage(), e);
            }
        }, false);
    }

    private static String repositoryKey(ImageReference target) {
        return target.getRegistry() + "/" + target.getRepository();
    }

    /** One registry call, run on the executor, timed at DEBUG. */
    private <T> CompletableFuture<T> async(String step, RegistryCall<T> call) {
        return CompletableFuture.supplyAsync(() -> {
            long started = System.nanoTime();
            try {
                return call.run();
            } catch (IOException | RegistryException | BuildException | InvalidImageReferenceException e) {
                throw new CompletionException(e);
            } finally {
                timing(step, started);
            }
        }, executor);
    }

    /** A registry call that may fail as Jib's calls do. */
    @FunctionalInterface
    private interface RegistryCall<T> {
        T run() throws IOException, RegistryException, BuildException, InvalidImageReferenceException;
    }

    private static void timing(String step, long startedNanos) {
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "registry step ''{0}'' took {1} ms", step,
                    (System.nanoTime() - startedNanos) / 1_000_000);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // scratch space; the next build does not depend on it
        }
    }
}
