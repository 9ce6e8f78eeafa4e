package io.knative.lambda.builder.npm;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.DefaultFunctionPackager;
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
 * Node.js dependencies with npm, the field's own tool: an archive's {@code package.json} installed with {@code npm ci}
 * (with a {@code package-lock.json}) or {@code npm install} (without), always {@code --ignore-scripts} (no lifecycle
 * script of any package or of the function runs), {@code --omit=dev --no-audit --no-fund --no-bin-links}, from the
 * configured registry, in a folder of its own outside the function's files, with a temporary {@code .npmrc} that names
 * the registry and takes the token from npm's environment (never a file, never the command line, masked in every
 * message). The {@code node_modules} folder becomes a reproducible layer at {@code /function/node_modules} (ES modules
 * ignore {@code NODE_PATH}, so the dependencies sit where Node's resolution finds them), cached by the dependency
 * fields of {@code package.json}, the lock, the runtime's Node version line and the registry: an unchanged lock is
 * installed once.
 */
public final class NpmInstaller implements DependencyInstaller {

    /** Where Node.js dependencies are in the image. */
    public static final String DEPS_DIR = DefaultFunctionPackager.FUNCTION_DIR + "/node_modules";
    private static final System.Logger LOG = System.getLogger(NpmInstaller.class.getName());
    private static final String TOKEN_VARIABLE = "KLAMBDA_NPM_AUTH_TOKEN";
    private static final int MAX_OUTPUT = 64 * 1024;

    private final ToolRunner tools;
    private final String registry;
    private final String token;
    private final String nodeVersion;
    private final DependencyCache cache;
    private final Path npmCache;
    private final Duration timeout;
    private final SecretMask mask;

    /**
     * @param tools       what runs npm (tool {@code npm}): this host's {@code npm}, or the node tool sidecar
     * @param registry    the registry's URL ({@code klambda.npm.registry})
     * @param token       the registry's token, or {@code null}
     * @param nodeVersion the Node.js version line of the runtime image (part of the cache key)
     * @param npmCache    npm's own download cache (tarballs, checked against their integrity)
     * @param timeout     how long one install may take
     */
    public NpmInstaller(ToolRunner tools, String registry, String token, String nodeVersion, DependencyCache cache,
            Path npmCache, Duration timeout) {
        this.tools = tools;
        this.registry = registry.endsWith("/") ? registry : registry + "/";
        this.token = token == null || token.isBlank() ? null : token;
        this.nodeVersion = nodeVersion;
        this.cache = cache;
        this.npmCache = npmCache;
        this.timeout = timeout;
        this.mask = new SecretMask(Arrays.asList(this.token));
    }

    @Override
    public FunctionRuntime runtime() {
        return FunctionRuntime.NODE;
    }

    @Override
    public Optional<DependencyLayer> install(FunctionSource source) throws BuildException {
        String text = source.files().text(PackageJson.FILE_NAME);
        if (!source.archive() || text == null) {
            return Optional.empty();
        }
        String lock = source.files().text(PackageJson.LOCK_FILE);
        PackageJson pkg = PackageJson.parse(text, lock);
        if (pkg.count() == 0) {
            return Optional.empty();
        }
        String key = key(pkg, lock);
        try {
            DependencyCache.Cached layer = cache.getOrInstall(key, "dependencies", DEPS_DIR.substring(1),
                    folder -> run(text, lock, folder));
            return Optional.of(new DependencyLayer(layer.blob(), DEPS_DIR, layer.reused(), List.of()));
        } catch (IOException e) {
            throw new BuildException(FailureReason.INTERNAL_ERROR, "the dependency cache failed: " + mask.mask(e.getMessage()), e);
        }
    }

    /** The cache key: what was asked for, for which Node.js, from which registry. */
    String key(PackageJson pkg, String lock) {
        String material = String.join("\n", "npm/1", pkg.canonical(), lock == null ? "(no lock)" : lock, "node " + nodeVersion,
                registry);
        try {
            return "node-" + HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(material.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void run(String packageJson, String lock, Path folder) throws BuildException, IOException {
        Path work = folder.getParent();
        Path project = Files.createDirectories(work.resolve("project"));
        Files.writeString(project.resolve(PackageJson.FILE_NAME), packageJson);
        if (lock != null) {
            Files.writeString(project.resolve(PackageJson.LOCK_FILE), lock);
        }
        Path npmrc = work.resolve("npmrc");
        Files.writeString(npmrc, npmrc());
        List<String> args = List.of(lock != null ? "ci" : "install", "--ignore-scripts", "--omit=dev", "--no-audit",
                "--no-fund", "--no-bin-links", "--update-notifier=false", "--fetch-retries=1", "--fetch-retry-mintimeout=500",
                "--fetch-retry-maxtimeout=2000", "--fetch-timeout=" + Math.max(5000, timeout.toMillis() / 5));
        Map<String, String> env = new HashMap<>();
        env.put("npm_config_userconfig", npmrc.toString());
        env.put("npm_config_globalconfig", Files.writeString(work.resolve("npmrc-global"), "").toString());
        env.put("npm_config_cache", Files.createDirectories(npmCache).toString());
        env.put("HOME", work.toString());
        if (token != null) {
            env.put(TOKEN_VARIABLE, token);
        }
        long started = System.nanoTime();
        ToolRun ran;
        try {
            ran = tools.run(new ToolCommand("npm", args, project, env, timeout, MAX_OUTPUT));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DependencyException(FailureReason.DEPENDENCY_INDEX_UNAVAILABLE, null, "interrupted while npm ran", e);
        } catch (ToolUnavailableException e) {
            if (e.transientFailure()) {
                throw new DependencyException(FailureReason.INTERNAL_ERROR, null, "npm cannot run now: " + mask.mask(e.getMessage()), e);
            }
            throw new BuildException(FailureReason.UNSUPPORTED_RUNTIME, "this builder cannot run npm (" + e.getMessage()
                    + "); install Node.js with npm on the builder, set klambda.npm.command or klambda.tools.node-url", e);
        } catch (ToolRefusedException e) {
            throw new DependencyException(FailureReason.INTERNAL_ERROR, null, "npm was not run: " + mask.mask(e.getMessage()), e);
        }
        String output = mask.mask(ran.output());
        if (!ran.finished()) {
            throw new DependencyException(FailureReason.DEPENDENCY_INDEX_UNAVAILABLE, null, "npm did not finish within "
                    + timeout.toSeconds() + " s (klambda.npm.install-timeout): " + NpmFailures.lastErrors(output), null);
        }
        if (!ran.succeeded()) {
            DependencyException failure = NpmFailures.classify(output, mask.mask(registry));
            LOG.log(System.Logger.Level.INFO, "npm failed (" + failure.reason().code() + "): " + failure.getMessage());
            throw failure;
        }
        Path installed = project.resolve("node_modules");
        Files.delete(folder);
        if (Files.isDirectory(installed)) {
            Files.move(installed, folder);
        } else {
            Files.createDirectories(folder);
        }
        LOG.log(System.Logger.Level.INFO, "npm " + (lock != null ? "ci" : "install") + " done in "
                + (System.nanoTime() - started) / 1_000_000 + " ms from " + mask.mask(registry));
    }

    /** The registry, and its token read by npm from the environment ({@code ${...}}), never written here. */
    private String npmrc() {
        StringBuilder rc = new StringBuilder("registry=").append(registry).append('\n');
        if (token != null) {
            URI uri = URI.create(registry);
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            rc.append("//").append(uri.getRawAuthority()).append(path).append(":_authToken=${").append(TOKEN_VARIABLE)
                    .append("}\n");
        }
        return rc.toString();
    }
}
