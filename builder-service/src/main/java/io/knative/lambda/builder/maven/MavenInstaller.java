package io.knative.lambda.builder.maven;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.repository.RepositoryPolicy;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;
import org.eclipse.aether.util.repository.AuthenticationBuilder;

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
 * Java dependencies with Maven Resolver: the coordinates a function declares ({@link JavaDependencies}) and their
 * transitive runtime dependencies, from the configured repository (default Maven Central; credentials from the
 * environment or a Secret, masked in messages), checksums enforced. The jars become a reproducible layer at
 * {@code /function-deps} (the Java runtime puts {@code $FUNCTION_DEPS_DIR/*.jar} on the function's class path) and
 * the class path the function is compiled against; cached by the coordinates and the repository.
 */
public final class MavenInstaller implements DependencyInstaller {

    /** Where Java dependencies are in the image. */
    public static final String DEPS_DIR = "/function-deps";
    private static final System.Logger LOG = System.getLogger(MavenInstaller.class.getName());

    private final RepositorySystem system = new RepositorySystemSupplier().get();
    private final RemoteRepository repository;
    private final Path localRepository;
    private final DependencyCache cache;
    private final Duration timeout;
    private final SecretMask mask;
    private final String repositoryUrl;

    /**
     * @param localRepository where resolved artifacts are kept between builds ({@code <cache-dir>/maven})
     */
    public MavenInstaller(String repositoryUrl, String username, String password, Duration timeout, Path localRepository,
            DependencyCache cache) {
        RemoteRepository.Builder builder = new RemoteRepository.Builder("functions", "default", repositoryUrl)
                .setPolicy(new RepositoryPolicy(true, RepositoryPolicy.UPDATE_POLICY_NEVER, RepositoryPolicy.CHECKSUM_POLICY_FAIL));
        if (username != null && password != null) {
            builder.setAuthentication(new AuthenticationBuilder().addUsername(username).addPassword(password).build());
        }
        this.repository = builder.build();
        this.repositoryUrl = repositoryUrl.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]+@", "$1");
        this.localRepository = localRepository;
        this.cache = cache;
        this.timeout = timeout;
        this.mask = new SecretMask(java.util.Arrays.asList(password));
    }

    @Override
    public FunctionRuntime runtime() {
        return FunctionRuntime.JAVA;
    }

    @Override
    public Optional<DependencyLayer> install(FunctionSource source) throws BuildException {
        List<String> coordinates = JavaDependencies.of(source);
        if (coordinates.isEmpty()) {
            return Optional.empty();
        }
        String key = key(coordinates);
        try {
            DependencyCache.Cached layer = cache.getOrInstall(key, "dependencies", DEPS_DIR.substring(1), true,
                    folder -> resolve(coordinates, folder));
            List<Path> jars;
            try (Stream<Path> files = Files.list(layer.tree())) {
                jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
            }
            return Optional.of(new DependencyLayer(layer.blob(), DEPS_DIR, layer.reused(), jars));
        } catch (IOException e) {
            throw new BuildException(FailureReason.INTERNAL_ERROR, "the dependency cache failed: " + e.getMessage(), e);
        }
    }

    private String key(List<String> coordinates) {
        String material = "maven/1\n" + String.join("\n", coordinates) + "\n" + repositoryUrl;
        try {
            return "jvm-" + HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(material.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void resolve(List<String> coordinates, Path folder) throws DependencyException, IOException {
        CollectRequest collect = new CollectRequest();
        for (String c : coordinates) {
            collect.addDependency(new Dependency(new DefaultArtifact(c), JavaScopes.RUNTIME));
        }
        collect.setRepositories(List.of(repository));
        long started = System.nanoTime();
        try (RepositorySystemSession.CloseableSession session = new SessionBuilderSupplier(system).get()
                .withLocalRepositoryBaseDirectories(localRepository)
                .setConfigProperty("aether.connector.connectTimeout", (int) timeout.toMillis())
                .setConfigProperty("aether.connector.requestTimeout", (int) timeout.toMillis())
                .setConfigProperty("aether.connector.http.retryHandler.count", 1)
                .build()) {
            List<ArtifactResult> results = system.resolveDependencies(session,
                    new DependencyRequest(collect, DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME))).getArtifactResults();
            Set<String> names = new HashSet<>();
            List<String> resolved = new ArrayList<>();
            for (ArtifactResult result : results) {
                Artifact a = result.getArtifact();
                String name = a.getArtifactId() + "-" + a.getVersion() + (a.getClassifier().isEmpty() ? "" : "-" + a.getClassifier())
                        + "." + a.getExtension();
                if (!names.add(name)) {
                    name = a.getGroupId() + "." + name;
                }
                Files.copy(a.getPath(), folder.resolve(name));
                resolved.add(a.toString());
            }
            LOG.log(System.Logger.Level.INFO, "resolved " + resolved + " in " + (System.nanoTime() - started) / 1_000_000 + " ms");
        } catch (DependencyResolutionException e) {
            throw classify(coordinates, e);
        } catch (IllegalArgumentException e) {
            throw new DependencyException(FailureReason.DEPENDENCY_RESOLUTION_FAILED, null, mask.mask(e.getMessage()), e);
        }
    }

    /** Unreachable or failing repository: retryable; anything else (missing artifact, bad POM): resolution failed. */
    private DependencyException classify(List<String> coordinates, DependencyResolutionException e) {
        String message = mask.mask(messages(e));
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof SocketTimeoutException || c instanceof UnknownHostException
                    || String.valueOf(c.getMessage()).matches("(?s).*status code: 5\\d\\d.*|.*\\b50[0-9]\\b.*(Server Error|Unavailable|Gateway).*")) {
                return new DependencyException(FailureReason.DEPENDENCY_INDEX_UNAVAILABLE, null,
                        "the Maven repository " + repositoryUrl + " could not be reached: " + message, e);
            }
        }
        String culprit = coordinates.stream().filter(message::contains).findFirst().orElse(null);
        return new DependencyException(FailureReason.DEPENDENCY_RESOLUTION_FAILED, culprit,
                "cannot resolve " + coordinates + " from " + repositoryUrl + ": " + message, e);
    }

    private static String messages(Throwable e) {
        StringBuilder text = new StringBuilder();
        Set<String> seen = new HashSet<>();
        for (Throwable c = e; c != null && text.length() < 2000; c = c.getCause()) {
            if (c.getMessage() != null && seen.add(c.getMessage())) {
                text.append(text.length() == 0 ? "" : ": ").append(c.getMessage());
            }
        }
        return text.toString();
    }
}
