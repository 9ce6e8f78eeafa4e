package io.knative.lambda.builder.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.knative.lambda.service.KafkaSettings;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * The builder's configuration, prefix {@code klambda}; every key also works as an environment
 * variable ({@code klambda.s3.endpoint} is {@code KLAMBDA_S3_ENDPOINT}). Secrets are read here but
 * never logged.
 */
@ConfigMapping(prefix = "klambda")
public interface BuilderConfig {

    /** Where function sources are read. */
    S3 s3();

    /** Where function images are pushed, {@code host[:port]/path} ({@code KLAMBDA_REGISTRY}). */
    @WithDefault("127.0.0.1:5000/functions")
    String registry();

    /** Allow plain HTTP for the registry ({@code KLAMBDA_REGISTRY_INSECURE}). */
    @WithName("registry-insecure")
    @WithDefault("false")
    boolean registryInsecure();

    /** Registry user ({@code KLAMBDA_REGISTRY_USERNAME}). */
    @WithName("registry-username")
    Optional<String> registryUsername();

    /** Registry password or token ({@code KLAMBDA_REGISTRY_PASSWORD}); never logged. */
    @WithName("registry-password")
    Optional<String> registryPassword();

    /** Connect, read and connection-pool wait of each registry request ({@code KLAMBDA_REGISTRY_TIMEOUT}). */
    @WithName("registry-timeout")
    @WithDefault("20s")
    Duration registryTimeout();

    /** Longest one attempt at a function image waits on the registry ({@code KLAMBDA_REGISTRY_PUSH_TIMEOUT}). */
    @WithName("registry-push-timeout")
    @WithDefault("5m")
    Duration registryPushTimeout();

    /** The runtime base images. */
    Runtime runtime();

    /** Build limits and caches. */
    Build build();

    /** Limits of uploaded archives. */
    Archive archive();

    /** Python dependencies: pip, the target interpreter, the index. */
    Python python();

    /** Java dependencies: the Maven repository. */
    Maven maven();

    /** Node.js syntax check: the {@code node} executable. */
    Node node();

    /** Node.js dependencies: npm and the registry. */
    Npm npm();

    /** The cache of dependency layers. */
    Dependencies dependencies();

    /** Tool sidecars that run pip, npm and node on a cluster (unset: this host's, as in local mode). */
    Tools tools();

    /** The Kafka transport of local mode ({@code make run}); off by default (Knative HTTP delivery). */
    KafkaSettings kafka();

    /** Where {@code POST /s3/notifications} sends CloudEvents: {@code K_SINK} (Knative SinkBinding). */
    Optional<URI> sink();

    /** S3 settings. */
    interface S3 {
        /** The S3 API endpoint, e.g. {@code http://minio:9000}; empty for AWS S3 ({@code KLAMBDA_S3_ENDPOINT}). */
        Optional<URI> endpoint();

        /** Path-style addressing ({@code http://host/bucket/key}), which MinIO and most S3 servers want. */
        @WithName("path-style")
        @WithDefault("true")
        boolean pathStyle();

        /** The region; empty: {@code AWS_REGION}, else {@code us-east-1}. */
        Optional<String> region();

        /** Largest source accepted; bigger ones fail with {@code SourceTooLarge}. */
        @WithName("max-object-size")
        @WithDefault("10M")
        MemorySize maxObjectSize();

        /** Connect and read timeout of S3 calls. */
        @WithDefault("10s")
        Duration timeout();
    }

    /** Base images per runtime; {@code scratch} is allowed (tests, local use). */
    interface Runtime {
        /** The Python runtime image ({@code KLAMBDA_RUNTIME_PYTHON_BASE_IMAGE}). */
        Lang python();

        /** The Java runtime image ({@code KLAMBDA_RUNTIME_JAVA_BASE_IMAGE}). */
        Lang java();

        /** The Node.js runtime image ({@code KLAMBDA_RUNTIME_NODE_BASE_IMAGE}). */
        Lang node();
    }

    /** One runtime's base image. */
    interface Lang {
        @WithName("base-image")
        @WithDefault("scratch")
        String baseImage();
    }

    /** Bounds on what an uploaded archive may unpack to; over one is {@code InvalidArchive}. */
    interface Archive {
        /** Entries (files, folders, links) an archive may hold ({@code KLAMBDA_ARCHIVE_MAX_ENTRIES}). */
        @WithName("max-entries")
        @WithDefault("10000")
        int maxEntries();

        /** Total size of its files once unpacked ({@code KLAMBDA_ARCHIVE_MAX_UNPACKED_SIZE}). */
        @WithName("max-unpacked-size")
        @WithDefault("64M")
        MemorySize maxUnpackedSize();

        /** Unpacked bytes per archive byte, checked past 1 MiB unpacked ({@code KLAMBDA_ARCHIVE_MAX_COMPRESSION_RATIO}). */
        @WithName("max-compression-ratio")
        @WithDefault("100")
        int maxCompressionRatio();
    }

    /** How Python dependencies are installed ({@code KLAMBDA_PYTHON_*}). */
    interface Python {
        /** The command that runs pip ({@code KLAMBDA_PYTHON_PIP_COMMAND}), split on spaces. */
        @WithName("pip-command")
        @WithDefault("python3 -m pip")
        String pipCommand();

        /** The Python version functions run on: the runtime image's ({@code python:3.12-slim}). */
        @WithDefault("3.12")
        String version();

        /** The interpreter implementation tag ({@code cp}: CPython). */
        @WithDefault("cp")
        String implementation();

        /** The ABI tag; empty: the implementation's own for the version ({@code cp312}). */
        Optional<String> abi();

        /** The newest platform tag the functions' system runs; older manylinux glibc tags are accepted too. */
        @WithDefault("manylinux_2_36_x86_64")
        String platform();

        /** The package index ({@code KLAMBDA_PYTHON_INDEX_URL}), a PEP 503 "simple" API. */
        @WithName("index-url")
        @WithDefault("https://pypi.org/simple")
        String indexUrl();

        /** Further indexes ({@code KLAMBDA_PYTHON_EXTRA_INDEX_URLS}, comma-separated). */
        @WithName("extra-index-urls")
        Optional<java.util.List<String>> extraIndexUrls();

        /** User of the index ({@code KLAMBDA_PYTHON_INDEX_USERNAME}). */
        @WithName("index-username")
        Optional<String> indexUsername();

        /** Password or token of the index ({@code KLAMBDA_PYTHON_INDEX_PASSWORD}); never logged. */
        @WithName("index-password")
        Optional<String> indexPassword();

        /** How long one pip install may take. */
        @WithName("install-timeout")
        @WithDefault("300s")
        Duration installTimeout();
    }

    /** How Node.js functions are syntax-checked ({@code KLAMBDA_NODE_*}). */
    interface Node {
        /** The {@code node} that runs {@code node --check} ({@code KLAMBDA_NODE_EXECUTABLE}): a name on PATH or a path. */
        @WithDefault("node")
        String executable();

        /** How long checking one file may take. */
        @WithName("check-timeout")
        @WithDefault("30s")
        Duration checkTimeout();

        /** The Node.js version line the runtime image runs ({@code node:26-slim}); part of the dependency cache key. */
        @WithDefault("26")
        String version();
    }

    /** How Node.js dependencies are installed ({@code KLAMBDA_NPM_*}). */
    interface Npm {
        /** The command that runs npm ({@code KLAMBDA_NPM_COMMAND}), split on spaces. */
        @WithDefault("npm")
        String command();

        /** The npm registry ({@code KLAMBDA_NPM_REGISTRY}). */
        @WithDefault("https://registry.npmjs.org/")
        String registry();

        /** The registry's token ({@code KLAMBDA_NPM_TOKEN}); given to npm in its environment, never logged. */
        Optional<String> token();

        /** How long one npm install may take. */
        @WithName("install-timeout")
        @WithDefault("300s")
        Duration installTimeout();
    }

    /** Where Java dependencies are resolved from ({@code KLAMBDA_MAVEN_*}). */
    interface Maven {
        /** The Maven repository ({@code KLAMBDA_MAVEN_REPOSITORY_URL}). */
        @WithName("repository-url")
        @WithDefault("https://repo.maven.apache.org/maven2")
        String repositoryUrl();

        /** User of the repository ({@code KLAMBDA_MAVEN_USERNAME}). */
        Optional<String> username();

        /** Password or token of the repository ({@code KLAMBDA_MAVEN_PASSWORD}); never logged. */
        Optional<String> password();

        /** Connect and request timeout. */
        @WithDefault("30s")
        Duration timeout();
    }

    /**
     * The tool sidecars of the builder's pod ({@code KLAMBDA_TOOLS_*}, {@code k8s/500-builder.yaml}): the builder's image
     * has neither Python nor Node.js, so pip runs in a {@code python} sidecar and npm and {@code node --check} in a
     * {@code node} sidecar, both sharing the build work directory ({@code klambda.build.cache-dir}) at the same path.
     */
    interface Tools {
        /** The python sidecar's tool server, e.g. {@code http://127.0.0.1:8181} ({@code KLAMBDA_TOOLS_PYTHON_URL}); unset: {@code klambda.python.pip-command} here. */
        @WithName("python-url")
        Optional<URI> pythonUrl();

        /** The node sidecar's tool server, e.g. {@code http://127.0.0.1:8182} ({@code KLAMBDA_TOOLS_NODE_URL}); unset: {@code klambda.npm.command} and {@code klambda.node.executable} here. */
        @WithName("node-url")
        Optional<URI> nodeUrl();

        /** Where the sidecars write their bearer tokens, {@code python.token} and {@code node.token} ({@code KLAMBDA_TOOLS_TOKEN_DIR}). */
        @WithName("token-dir")
        @WithDefault("/var/run/klambda-tools")
        Path tokenDir();
    }

    /** The dependency layer cache, under {@code klambda.build.cache-dir}/dependencies. */
    interface Dependencies {
        /** Total size of cached layers; past it, the least recently used go ({@code KLAMBDA_DEPENDENCIES_CACHE_MAX_SIZE}). */
        @WithName("cache-max-size")
        @WithDefault("2G")
        MemorySize cacheMaxSize();
    }

    /** Build limits. */
    interface Build {
        /** Builds running at once ({@code KLAMBDA_BUILD_MAX_CONCURRENT}). */
        @WithName("max-concurrent")
        @WithDefault("4")
        int maxConcurrent();

        /** How long an event waits for a build slot before it is answered 503. */
        @WithName("queue-timeout")
        @WithDefault("30s")
        Duration queueTimeout();

        /** Jib's layer caches ({@code KLAMBDA_BUILD_CACHE_DIR}). */
        @WithName("cache-dir")
        @WithDefault("${java.io.tmpdir}/klambda-builder-cache")
        Path cacheDir();
    }
}
