package io.knative.lambda.builder.core;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.knative.lambda.events.BuildCompleted;
import io.knative.lambda.events.BuildFailed;
import io.knative.lambda.events.FailureReason;
import io.knative.lambda.events.FunctionKey;
import io.knative.lambda.events.FunctionRuntime;
import io.knative.lambda.events.InvalidFunctionKeyException;

/**
 * The builder's core: S3 object in, pushed image out. Plain Java, no transport: the HTTP and Kafka
 * adapters both call {@link #build(BuildRequest)}.
 *
 * <p>Permanent problems come back as {@link BuildOutcome.Failed}; transient ones are thrown as a
 * {@link BuildException} whose {@link BuildException#retryable()} is true, so that the adapter lets the
 * bus redeliver. Builds are reproducible (same source, same digest), so a redelivered event is a no-op.
 */
public final class BuildService {

    /** Label and annotation prefix of everything the platform writes. */
    public static final String LABEL_PREFIX = "io.knative.lambda.";
    /** S3 object metadata keys passed on to the deployer in {@code build.completed}'s {@code settings}. */
    public static final Set<String> FUNCTION_SETTINGS = SettingsPrecedence.KEYS;
    /** The name of the layer of the function's own files. */
    public static final String CODE_LAYER = "code";

    private final SourceStore sources;
    private final FunctionSourceReader reader;
    private final FunctionPackager packager;
    private final Map<FunctionRuntime, DependencyInstaller> installers;
    private final ImagePublisher publisher;
    private static final System.Logger STEPS = System.getLogger(BuildService.class.getName());
    private final BuildSettings settings;
    private final Clock clock;
    private final Semaphore slots;

    public BuildService(SourceStore sources, FunctionSourceReader reader, FunctionPackager packager,
            List<DependencyInstaller> installers, ImagePublisher publisher, BuildSettings settings, Clock clock) {
        this.sources = sources;
        this.reader = reader;
        this.packager = packager;
        this.installers = new java.util.EnumMap<>(FunctionRuntime.class);
        installers.forEach(i -> this.installers.put(i.runtime(), i));
        this.publisher = publisher;
        this.settings = settings;
        this.clock = clock;
        this.slots = new Semaphore(settings.maxConcurrent(), true);
    }

    /**
     * Builds the function at {@code request.bucket()/request.key()}.
     *
     * @throws BuildException only for transient problems ({@link BuildException#retryable()} is true)
     */
    public BuildOutcome build(BuildRequest request) throws BuildException {
        long started = clock.millis();
        if (isBlank(request.bucket()) || isBlank(request.key())) {
            return failed(null, request, FailureReason.INVALID_EVENT, "the event names no bucket and key to build");
        }
        FunctionKey key;
        try {
            key = FunctionKey.parse(request.key());
        } catch (InvalidFunctionKeyException e) {
            return failed(null, request, e.reason(), e.getMessage());
        }
        acquireSlot();
        try {
            return buildFunction(request, key, started);
        } catch (BuildException e) {
            if (e.retryable()) {
                throw e;
            }
            return failed(key.id(), request, e.reason(), e.getMessage());
        } finally {
            slots.release();
        }
    }

    private BuildOutcome buildFunction(BuildRequest request, FunctionKey key, long started) throws BuildException {
        long fetchStarted = System.nanoTime();
        SourceObject object = sources.fetch(request.bucket(), request.key(), request.versionId(), settings.maxSourceBytes());
        timing("source fetch (S3)", fetchStarted);
        FunctionSource source = reader.read(key, object);
        FunctionRuntime runtime = RuntimeSelector.select(key, source, object.metadata());
        String baseImage = settings.baseImages().get(runtime.id());
        if (baseImage == null) {
            return failed(key.id(), request, FailureReason.UNSUPPORTED_RUNTIME,
                    "no base image is configured for runtime " + runtime.id());
        }
        Map<String, String> functionSettings = SettingsPrecedence.settings(source.manifest(), object.metadata(), runtime);
        String handler = SettingsPrecedence.handler(functionSettings);
        DependencyInstaller installer = installers.get(runtime);
        Optional<DependencyLayer> dependencies = installer == null ? Optional.empty() : installer.install(source);
        FunctionPackage pack = packager.pack(key, runtime, source, handler,
                dependencies.map(DependencyLayer::classpath).orElse(List.of()));
        String sourceSha = object.sha256Hex();

        Map<String, String> env = new TreeMap<>();
        env.put("FUNCTION_ID", key.id());
        env.put("FUNCTION_KIND", key.kind());
        env.put("FUNCTION_SCOPE", key.scope());
        env.put("FUNCTION_RUNTIME", runtime.id());
        env.put("FUNCTION_HANDLER", handler);
        env.put("FUNCTION_DIR", DefaultFunctionPackager.FUNCTION_DIR);
        dependencies.filter(d -> !d.directory().startsWith(DefaultFunctionPackager.FUNCTION_DIR + "/"))
                .ifPresent(d -> env.put("FUNCTION_DEPS_DIR", d.directory())); // Node's are in /function/node_modules
        env.putAll(pack.environment());

        Map<String, String> labels = new TreeMap<>();
        labels.put(LABEL_PREFIX + "function-id", key.id());
        labels.put(LABEL_PREFIX + "kind", key.kind());
        labels.put(LABEL_PREFIX + "scope", key.scope());
        labels.put(LABEL_PREFIX + "runtime", runtime.id());
        labels.put(LABEL_PREFIX + "source-sha256", sourceSha);
        labels.put(LABEL_PREFIX + "source", "s3://" + request.bucket() + "/" + request.key());
        labels.put(LABEL_PREFIX + "base-image", baseImage);

        List<ImageLayer> layers = new ArrayList<>();
        dependencies.ifPresent(d -> layers.add(d.blob()));
        layers.add(new ImageLayer.Files(CODE_LAYER, pack.files()));
        String repository = settings.registry() + "/" + key.serviceName();
        long publishStarted = System.nanoTime();
        PublishedImage image = publisher.publish(new ImageSpec(repository, sourceSha, baseImage, layers, env, labels));
        timing("image publish", publishStarted);

        List<BuildCompleted.BuiltLayer> built = new ArrayList<>();
        built.add(new BuildCompleted.BuiltLayer(CODE_LAYER, image.layerDigests().get(CODE_LAYER), !image.pushed()));
        dependencies.ifPresent(d -> built.add(new BuildCompleted.BuiltLayer(d.blob().name(), d.blob().digest(), d.reused())));
        BuildCompleted completed = new BuildCompleted(key.id(), key.kind(), key.scope(), runtime.id(), image.byDigest(),
                image.digest(), "sha256:" + sourceSha, request.bucket(), request.key(), clock.millis() - started,
                functionSettings, source.manifest().environment(), built, BuildCompleted.normalizeETag(object.eTag()));
        return new BuildOutcome.Completed(completed, image.pushed());
    }

    private void acquireSlot() throws BuilderBusyException {
        long waitMs = settings.queueTimeout().toMillis();
        try {
            if (!slots.tryAcquire(waitMs, TimeUnit.MILLISECONDS)) {
                throw new BuilderBusyException(settings.maxConcurrent(), waitMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuilderBusyException(settings.maxConcurrent(), waitMs);
        }
    }

    private static BuildOutcome failed(String functionId, BuildRequest request, FailureReason reason, String message) {
        return new BuildOutcome.Failed(BuildFailed.of(functionId, request.bucket(), request.key(), reason, message));
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** A build step's time at DEBUG ({@code io.knative.lambda.builder.core}): where a slow build spends its time. */
    private static void timing(String step, long startedNanos) {
        if (STEPS.isLoggable(System.Logger.Level.DEBUG)) {
            STEPS.log(System.Logger.Level.DEBUG, "build step ''{0}'' took {1} ms", step,
                    (System.nanoTime() - startedNanos) / 1_000_000);
        }
    }
}
