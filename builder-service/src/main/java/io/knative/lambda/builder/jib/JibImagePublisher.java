package io.knative.lambda.builder.jib;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.stream.Stream;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.event.events.TimerEvent;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.ImagePublisher;
import io.knative.lambda.builder.core.ImageSpec;
import io.knative.lambda.builder.core.PublishedImage;
import io.knative.lambda.builder.core.RegistryUnavailableException;
import io.knative.lambda.events.FailureReason;

/**
 * Builds function images with Jib Core: no Docker daemon, no user code run. Reproducible: fixed
 * creation and file times, sorted entries, so the same spec gives the same digest; with Jib's
 * {@code jib.skipExistingImages} an image the registry already holds is not pushed again.
 */
public final class JibImagePublisher implements ImagePublisher {

    /** The creation time of every function image: fixed, for reproducible digests. */
    public static final Instant CREATION_TIME = Instant.EPOCH;
    /** The modification time of every file in the function layer. */
    public static final Instant FILE_TIME = Instant.ofEpochSecond(1);
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

    /**
     * @param options  credentials and transport of the registries
     * @param cacheDir Jib's base and application layer caches, and scratch space for layer files
     * @param executor Jib's worker threads, shared by all builds
     */
    public JibImagePublisher(RegistryOptions options, Path cacheDir, ExecutorService executor) {
        this.options = options;
        this.cacheDir = cacheDir;
        this.executor = executor;
    }

    @Override
    public PublishedImage publish(ImageSpec spec) throws BuildException {
        Path work = null;
        try {
            Files.createDirectories(cacheDir);
            work = Files.createTempDirectory(cacheDir, "layer-");
            JibContainerBuilder builder = base(spec.baseImage())
                    .setCreationTime(CREATION_TIME)
                    .addFileEntriesLayer(layer(spec.files(), work));
            spec.environment().forEach(builder::addEnvironmentVariable);
            spec.labels().forEach(builder::addLabel);

            Containerizer containerizer = Containerizer.to(credentials(RegistryImage.named(spec.reference())))
                    .setAllowInsecureRegistries(options.insecure())
                    .setBaseImageLayersCache(cacheDir.resolve("base"))
                    .setApplicationLayersCache(cacheDir.resolve("application"))
                    .setExecutorService(executor)
                    .setToolName("knative-lambda-builder")
                    .addEventHandler(TimerEvent.class, JibImagePublisher::logStep);
            JibContainer container = builder.containerize(containerizer);
            return new PublishedImage(spec.repository(), container.getDigest().toString(), container.isImagePushed());
        } catch (InvalidImageReferenceException e) {
            throw new BuildException(FailureReason.INVALID_FUNCTION_ID, "not a valid image reference: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException(spec.reference(), "interrupted", e);
        } catch (ExecutionException | IOException | RuntimeException | com.google.cloud.tools.jib.api.RegistryException
                | com.google.cloud.tools.jib.api.CacheDirectoryCreationException e) {
            throw JibFailures.classify(spec.reference(), spec.baseImage(), e);
        } finally {
            deleteQuietly(work);
        }
    }

    /** Jib's step timings at DEBUG ({@code io.knative.lambda.builder.jib}): where a slow build spends its time. */
    private static void logStep(TimerEvent event) {
        if (event.getState() == TimerEvent.State.FINISHED && LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "jib step ''{0}'' took {1} ms", event.getDescription(),
                    event.getElapsed().toMillis());
        }
    }

    private JibContainerBuilder base(String baseImage) throws InvalidImageReferenceException {
        if (JibFailures.SCRATCH.equals(baseImage)) {
            return Jib.fromScratch();
        }
        return Jib.from(credentials(RegistryImage.named(baseImage)));
    }

    private RegistryImage credentials(RegistryImage image) {
        if (options.username().isPresent() && options.password().isPresent()) {
            image.addCredential(options.username().get(), options.password().get());
        }
        return image;
    }

    private static FileEntriesLayer layer(Map<String, byte[]> files, Path work) throws IOException {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("function");
        FilePermissions permissions = FilePermissions.fromOctalString("644");
        for (Map.Entry<String, byte[]> file : new java.util.TreeMap<>(files).entrySet()) {
            Path local = work.resolve(file.getKey().substring(1)).normalize();
            if (!local.startsWith(work)) {
                throw new IOException("layer path escapes the layer: " + file.getKey());
            }
            Files.createDirectories(local.getParent());
            Files.write(local, file.getValue());
            layer.addEntry(local, AbsoluteUnixPath.get(file.getKey()), permissions, FILE_TIME);
        }
        return layer.build();
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
