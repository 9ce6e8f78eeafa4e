package io.knative.lambda.builder.config;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;

import io.knative.lambda.builder.archive.ArchiveLimits;
import io.knative.lambda.builder.archive.UploadReader;
import io.knative.lambda.builder.core.BuildService;
import io.knative.lambda.builder.deps.DependencyCache;
import io.knative.lambda.builder.deps.LocalToolRunner;
import io.knative.lambda.builder.deps.SecretMask;
import io.knative.lambda.builder.deps.SidecarToolRunner;
import io.knative.lambda.builder.deps.ToolRunner;
import io.knative.lambda.builder.maven.MavenInstaller;
import io.knative.lambda.builder.node.NodeSyntaxChecker;
import io.knative.lambda.builder.npm.NpmInstaller;
import io.knative.lambda.builder.python.PipInstaller;
import io.knative.lambda.builder.python.PythonIndex;
import io.knative.lambda.builder.python.PythonTarget;
import io.knative.lambda.builder.core.DependencyInstaller;
import io.knative.lambda.builder.core.BuildSettings;
import io.knative.lambda.builder.core.DefaultFunctionPackager;
import io.knative.lambda.builder.core.JavaSourceCompiler;
import io.knative.lambda.builder.jib.JibImagePublisher;
import io.knative.lambda.builder.jib.RegistryOptions;
import io.knative.lambda.builder.jib.RegistryTimeouts;
import io.knative.lambda.builder.s3.S3SourceStore;
import io.knative.lambda.events.FunctionRuntime;

/** Wires the plain-Java core to its S3 and Jib adapters from {@link BuilderConfig}; validates it at start. */
@ApplicationScoped
public class BuilderBeans {

    private static final Logger LOG = Logger.getLogger(BuilderBeans.class);

    @Produces
    @Singleton
    S3SourceStore sourceStore(BuilderConfig config) {
        return S3SourceStore.create(config.s3().endpoint(), config.s3().region(), config.s3().pathStyle(),
                config.s3().timeout());
    }

    void closeSourceStore(@Disposes S3SourceStore store) {
        store.close();
    }

    /** Jib's worker threads, shared by all builds; Jib waits on its own tasks, so the pool is not fixed. */
    private final ExecutorService jibExecutor = Executors.newCachedThreadPool(new ThreadFactory() {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "jib-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });

    /** The image publisher of {@link #buildService}: its registry connection pools are closed with the beans. */
    private volatile JibImagePublisher publisher;

    @PreDestroy
    void stop() {
        jibExecutor.shutdownNow();
        if (publisher != null) {
            try {
                publisher.close();
            } catch (IOException e) {
                LOG.debugf("registry connection pools closed with an error: %s", e.getMessage());
            }
        }
    }

    @Produces
    @Singleton
    BuildService buildService(BuilderConfig config, S3SourceStore store,
            Instance<JavaSourceCompiler> javaCompilers) {
        Optional<JavaSourceCompiler> javaCompiler = javaCompilers.isResolvable() ? Optional.of(javaCompilers.get())
                : Optional.empty();
        validateImageReference("klambda.registry", config.registry() + "/probe");
        Map<String, String> bases = Map.of(
                FunctionRuntime.PYTHON.id(), config.runtime().python().baseImage(),
                FunctionRuntime.JAVA.id(), config.runtime().java().baseImage(),
                FunctionRuntime.NODE.id(), config.runtime().node().baseImage());
        bases.forEach((runtime, image) -> {
            if (image.equals("scratch")) {
                LOG.warnf("the %s runtime base image is 'scratch': function images will hold only the function and will"
                        + " not run on a cluster; set KLAMBDA_RUNTIME_%s_BASE_IMAGE to the runtime image", runtime,
                        runtime.toUpperCase(java.util.Locale.ROOT));
            } else {
                validateImageReference("klambda.runtime." + runtime + ".base-image", image);
            }
        });
        if (config.build().maxConcurrent() < 1) {
            throw new IllegalArgumentException("klambda.build.max-concurrent must be at least 1");
        }
        RegistryOptions registry = new RegistryOptions(config.registryInsecure(), config.registryUsername(),
                config.registryPassword(), new RegistryTimeouts(config.registryTimeout(), config.registryPushTimeout()));
        BuildSettings settings = new BuildSettings(config.registry(), bases, config.s3().maxObjectSize().asLongValue(),
                config.build().maxConcurrent(), config.build().queueTimeout());
        LOG.infof("builder: registry=%s %s, python base=%s, java base=%s, node base=%s, max-concurrent=%d,"
                + " max-object-size=%d", config.registry(), registry, bases.get("python"), bases.get("java"),
                bases.get("node"), settings.maxConcurrent(), settings.maxSourceBytes());
        ToolRunner nodeTools = nodeTools(config);
        NodeSyntaxChecker nodeChecker = new NodeSyntaxChecker(nodeTools, config.build().cacheDir().resolve("node-check"),
                config.node().checkTimeout());
        logNodeTools(config, nodeTools, nodeChecker);
        List<DependencyInstaller> installers = dependencyInstallers(config, nodeTools);
        ArchiveLimits archiveLimits = new ArchiveLimits(config.archive().maxEntries(),
                config.archive().maxUnpackedSize().asLongValue(), config.archive().maxCompressionRatio());
        publisher = new JibImagePublisher(registry, config.build().cacheDir(), jibExecutor);
        return new BuildService(store, new UploadReader(archiveLimits), new DefaultFunctionPackager(javaCompiler, Optional.of(nodeChecker)),
                installers, publisher, settings,
                Clock.systemUTC());
    }

    /** pip for Python, Maven Resolver for Java, npm for Node.js, sharing one layer cache. */
    private static List<DependencyInstaller> dependencyInstallers(BuilderConfig config, ToolRunner nodeTools) {
        DependencyCache cache = new DependencyCache(config.build().cacheDir().resolve("dependencies"),
                config.dependencies().cacheMaxSize().asLongValue());
        BuilderConfig.Python py = config.python();
        PythonTarget target = PythonTarget.of(py.version(), py.implementation(), py.abi().orElse(null), py.platform());
        PythonIndex index = new PythonIndex(py.indexUrl(), py.extraIndexUrls().orElse(List.of()),
                py.indexUsername().orElse(null), py.indexPassword().orElse(null), Duration.ofSeconds(20));
        ToolRunner pip = config.tools().pythonUrl().<ToolRunner>map(url -> new SidecarToolRunner("python", url,
                config.tools().tokenDir().resolve("python.token"))).orElseGet(() -> LocalToolRunner.of("pip", py.pipCommand()));
        LOG.infof("python dependencies: pip=%s, target=%s, index=%s", config.tools().pythonUrl().isPresent()
                ? pip.describe() : py.pipCommand(), target, index);
        List<DependencyInstaller> installers = new java.util.ArrayList<>();
        installers.add(new PipInstaller(pip, target, index, cache, py.installTimeout()));
        BuilderConfig.Maven maven = config.maven();
        installers.add(new MavenInstaller(maven.repositoryUrl(), maven.username().orElse(null), maven.password().orElse(null),
                maven.timeout(), config.build().cacheDir().resolve("maven"), cache));
        BuilderConfig.Npm npm = config.npm();
        installers.add(new NpmInstaller(nodeTools, npm.registry(), npm.token().orElse(null),
                config.node().version(), cache, config.build().cacheDir().resolve("npm"), npm.installTimeout()));
        LOG.infof("node dependencies: npm=%s, registry=%s, token=%s", config.tools().nodeUrl().isPresent()
                ? nodeTools.describe() : npm.command(),
                new SecretMask(List.of()).mask(npm.registry()), npm.token().isPresent() ? "set" : "none");
        return installers;
    }

    /** Says who checks Node.js functions; the sidecar (which may start after the builder) is not asked at start. */
    private static void logNodeTools(BuilderConfig config, ToolRunner nodeTools, NodeSyntaxChecker nodeChecker) {
        if (config.tools().nodeUrl().isPresent()) {
            LOG.infof("node functions: syntax checked and npm run by %s", nodeTools.describe());
            return;
        }
        String nodeVersion = nodeChecker.version();
        if (nodeVersion.startsWith("v")) {
            LOG.infof("node functions: syntax checked by %s %s", config.node().executable(), nodeVersion);
        } else {
            LOG.warnf("node functions cannot be built: klambda.node.executable '%s' is %s; their builds fail as"
                    + " UnsupportedRuntime until it is installed", config.node().executable(), nodeVersion);
        }
    }

    /** npm and node: in the node tool sidecar when {@code klambda.tools.node-url} is set, else this host's. */
    private static ToolRunner nodeTools(BuilderConfig config) {
        if (config.tools().nodeUrl().isPresent()) {
            return new SidecarToolRunner("node", config.tools().nodeUrl().get(), config.tools().tokenDir().resolve("node.token"));
        }
        return new LocalToolRunner(Map.of("npm", List.of(config.npm().command().trim().split("\\s+")),
                "node", List.of(config.node().executable())));
    }

    private static void validateImageReference(String key, String reference) {
        try {
            ImageReference.parse(reference);
        } catch (InvalidImageReferenceException e) {
            throw new IllegalArgumentException(key + " is not a valid image reference: " + reference, e);
        }
    }
}
