package io.knative.lambda.builder.python;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.DependencyException;
import io.knative.lambda.builder.core.DependencyInstaller;
import io.knative.lambda.builder.core.DependencyLayer;
import io.knative.lambda.builder.core.FunctionSource;
import io.knative.lambda.builder.deps.DependencyCache;
import io.knative.lambda.builder.deps.SecretMask;
import io.knative.lambda.builder.deps.ToolCommand;
import io.knative.lambda.builder.deps.ToolRefusedException;
import io.knative.lambda.builder.deps.ToolRun;
import io.knative.lambda.builder.deps.ToolRunner;
import io.knative.lambda.builder.deps.ToolUnavailableException;
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

    private final ToolRunner tools;
    private final PythonTarget target;
    private final PythonIndex index;
    private final DependencyCache cache;
    private final Duration timeout;
    private final SecretMask mask;

    /**
     * @param tools   what runs pip (tool {@code pip}): this host's {@code python3 -m pip}, or the python tool sidecar
     * @param timeout how long one install may take
     */
    public PipInstaller(ToolRunner tools, PythonTarget target, PythonIndex index, DependencyCache cache, Duration timeout) {
        this.tools = tools;
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
        List<String> args = new ArrayList<>(List.of("install", "--target", folder.toString(), "--only-binary=:all:",
                "--no-compile", "--no-cache-dir", "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
                "--retries", "1", "--timeout", Long.toString(Math.max(5, timeout.toSeconds() / 10)), "--python-version",
                target.version(), "--implementation", target.implementation(), "--abi", target.abi()));
        target.platforms().forEach(p -> args.addAll(List.of("--platform", p)));
        args.addAll(List.of("-r", file.toString()));
        Map<String, String> env = new HashMap<>();
        env.put("PIP_CONFIG_FILE", "/dev/null");
        env.put("PIP_INDEX_URL", index.urlWithCredentials());
        if (!index.extraUrls().isEmpty()) {
            env.put("PIP_EXTRA_INDEX_URL", String.join(" ", index.extraUrls()));
        }
        long started = System.nanoTime();
        ToolRun ran;
        try {
            ran = tools.run(new ToolCommand("pip", args, work, env, timeout, MAX_OUTPUT));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DependencyException(FailureReason.DEPENDENCY_INDEX_UNAVAILABLE, null, "interrupted while pip ran", e);
        } catch (ToolUnavailableException e) {
            if (e.transientFailure()) {
                throw new DependencyException(FailureReason.INTERNAL_ERROR, null, "pip cannot run now: " + mask.mask(e.getMessage()), e);
            }
            throw e;
        } catch (ToolRefusedException e) {
            throw new DependencyException(FailureReason.INTERNAL_ERROR, null, "pip was not run: " + mask.mask(e.getMessage()), e);
        }
        String output = mask.mask(ran.output());
        if (!ran.finished()) {
            throw new DependencyException(FailureReason.DEPENDENCY_INDEX_UNAVAILABLE, null, "pip did not finish within "
                    + timeout.toSeconds() + " s (klambda.python.install-timeout): " + PipFailures.lastErrors(output), null);
        }
        if (!ran.succeeded()) {
            DependencyException failure = new PipFailures(index, target).classify(output);
            LOG.log(System.Logger.Level.INFO, "pip failed (" + failure.reason().code() + "): " + failure.getMessage());
            throw failure;
        }
        LOG.log(System.Logger.Level.INFO, "pip installed " + requirements.projects() + " for " + target.describe() + " in "
                + (System.nanoTime() - started) / 1_000_000 + " ms (" + tools.describe() + ")");
    }
}
