package io.knative.lambda.builder.python;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.DependencyException;
import io.knative.lambda.builder.core.DependencyInstaller;
import io.knative.lambda.builder.core.DependencyLayer;
import io.knative.lambda.builder.core.FunctionSource;
import io.knative.lambda.builder.deps.DependencyCache;
import io.knative.lambda.builder.deps.SecretMask;
import io.knative.lambda.events.FailureReason;
import io.knative.lambda.events.FunctionRuntime;

/**
 * Python dependencies with pip, the field's own tool: the archive's {@code requirements.txt} installed with
 * {@code --only-binary=:all:} (wheels only: no package's code runs), {@code --target} a fresh folder,
 * {@code --python-version}/{@code --implementation}/{@code --abi}/{@code --platform} of the interpreter the function
 * runs on, {@code --no-compile}, from the configured index (credentials passed in pip's environment, never on its
 * command line, masked in every message). The folder becomes a reproducible layer at {@code /function-deps}, cached
 * by the normalised requirements, the target and the index: the same set is installed once.
 */
public final class PipInstaller implements DependencyInstaller {

    /** Where Python dependencies are in the image (an import path the runtime prepends). */
    public static final String DEPS_DIR = "/function-deps";
    private static final System.Logger LOG = System.getLogger(PipInstaller.class.getName());
    private static final int MAX_OUTPUT = 64 * 1024;

    private final List<String> pip;
    private final PythonTarget target;
    private final PythonIndex index;
    private final DependencyCache cache;
    private final Duration timeout;
    private final SecretMask mask;

    /**
     * @param pip     the command that runs pip, e.g. {@code python3 -m pip}
     * @param timeout how long one install may take
     */
    public PipInstaller(List<String> pip, PythonTarget target, PythonIndex index, DependencyCache cache, Duration timeout) {
        this.pip = List.copyOf(pip);
        this.target = target;
        this.index = index;
        this.cache = cache;
        this.timeout = timeout;
        this.mask = new SecretMask(java.util.Arrays.asList(index.password(), index.username() == null || index.password() == null
                ? null : index.urlWithCredentials()));
    }

    @Override
    public FunctionRuntime runtime() {
        return FunctionRuntime.PYTHON;
    }

    @Override
    public Optional<DependencyLayer> install(FunctionSource source) throws BuildException {
        String text = source.files().text(Requirements.FILE_NAME);
        if (!source.archive() || text == null) {
            return Optional.empty();
        }
        Requirements requirements = Requirements.parse(text);
        if (requirements.isEmpty()) {
            return Optional.empty();
        }
        String key = key(requirements);
        try {
            DependencyCache.Cached layer = cache.getOrInstall(key, "dependencies", DEPS_DIR.substring(1),
                    folder -> run(requirements, folder));
            return Optional.of(new DependencyLayer(layer.blob(), DEPS_DIR, layer.reused(), List.of()));
        } catch (IOException e) {
            throw new BuildException(FailureReason.INTERNAL_ERROR, "the dependency cache failed: " + mask.mask(e.getMessage()), e);
        }
    }

    /** The cache key: what was asked for, for which interpreter, from which index. */
    String key(Requirements requirements) {
        String material = String.join("\n", "pip/1", requirements.text(), target.toString(), index.urls().toString());
        try {
            return "py-" + HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(material.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void run(Requirements requirements, Path folder) throws DependencyException, IOException {
        Path work = folder.getParent();
        Path file = work.resolve("requirements.txt");
        Files.writeString(file, requirements.text());
        List<String> command = new ArrayList<>(pip);
        command.addAll(List.of("install", "--target", folder.toString(), "--only-binary=:all:", "--no-compile",
                "--no-cache-dir", "--disable-pip-version-check", "--no-input", "--progress-bar", "off", "--retries", "1",
                "--timeout", Long.toString(Math.max(5, timeout.toSeconds() / 10)), "--python-version", target.version(),
                "--implementation", target.implementation(), "--abi", target.abi()));
        target.platforms().forEach(p -> command.addAll(List.of("--platform", p)));
        command.addAll(List.of("-r", file.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve("pip.log").toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("PIP_") || k.startsWith("PYTHON"));
        env.put("PIP_CONFIG_FILE", "/dev/null");
        env.put("PIP_INDEX_URL", index.urlWithCredentials());
        if (!index.extraUrls().isEmpty()) {
            env.put("PIP_EXTRA_INDEX_URL", String.join(" ", index.extraUrls()));
        }
        long started = System.nanoTime();
        Process process = builder.start();
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new DependencyException(FailureReason.DEPENDENCY_INDEX_UNAVAILABLE, null, "interrupted while pip ran", e);
        }
        String output = mask.mask(tail(work.resolve("pip.log")));
        if (!finished) {
            process.destroyForcibly();
            throw new DependencyException(FailureReason.DEPENDENCY_INDEX_UNAVAILABLE, null, "pip did not finish within "
                    + timeout.toSeconds() + " s (klambda.python.install-timeout): " + PipFailures.lastErrors(output), null);
        }
        if (process.exitValue() != 0) {
            DependencyException failure = new PipFailures(index, target).classify(output);
            LOG.log(System.Logger.Level.INFO, "pip failed (" + failure.reason().code() + "): " + failure.getMessage());
            throw failure;
        }
        LOG.log(System.Logger.Level.INFO, "pip installed " + requirements.projects() + " for " + target.describe() + " in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
    }

    private static String tail(Path log) throws IOException {
        byte[] bytes = Files.readAllBytes(log);
        int from = Math.max(0, bytes.length - MAX_OUTPUT);
        return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    }
}
