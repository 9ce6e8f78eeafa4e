package io.knative.lambda.deployer.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import io.knative.lambda.service.KafkaSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * The deployer's configuration, prefix {@code klambda}; every key also works as an environment variable
 * ({@code klambda.ready-timeout} is {@code KLAMBDA_READY_TIMEOUT}). See README.md for the table.
 */
@ConfigMapping(prefix = "klambda")
public interface DeployerConfig {

    /** The Kafka transport of local mode; off by default (Knative HTTP delivery). */
    KafkaSettings kafka();

    /** The bucket of function sources, the desired state (reconciler, removals). */
    S3 s3();

    /** The reconciler: the bucket compared with what is deployed, at start and every period. */
    Reconcile reconcile();

    /** Where the reconciler publishes the events it emits: {@code K_SINK} (a Knative SinkBinding; the local broker in local mode). */
    Optional<URI> sink();

    /** Namespace of the functions' Services and Triggers ({@code KLAMBDA_NAMESPACE}). */
    @WithDefault("knative-lambda")
    String namespace();

    /** Broker the per-function Triggers subscribe to ({@code KLAMBDA_BROKER}). */
    @WithDefault("knative-lambda")
    String broker();

    /** Dead-letter sink URI of the per-function Triggers ({@code KLAMBDA_DEAD_LETTER_SINK}); none when empty. */
    @WithName("dead-letter-sink")
    Optional<URI> deadLetterSink();

    /**
     * Dead-letter sink of the per-function Triggers by reference, e.g. the platform's KafkaSink
     * ({@code KLAMBDA_DEAD_LETTER_SINK_REF_API_VERSION}, {@code _KIND}, {@code _NAME}); exclusive with
     * {@link #deadLetterSink()}.
     */
    @WithName("dead-letter-sink-ref")
    Optional<Ref> deadLetterSinkRef();

    /** How long a rollout may take to become Ready before deploy.failed ReadyTimeout ({@code KLAMBDA_READY_TIMEOUT}). */
    @WithName("ready-timeout")
    @WithDefault("120s")
    Duration readyTimeout();

    /**
     * Watch as plain HTTP streams without a WebSocket upgrade first ({@code KLAMBDA_HTTP_WATCHES}): for an API server
     * that serves watches only as streams, as local mode's local cluster does. Off: fabric8's default (WebSocket, then
     * HTTP when the upgrade is refused).
     */
    @WithName("http-watches")
    @WithDefault("false")
    boolean httpWatches();

    /** How many times a 409 conflict is re-read and retried before answering 503. */
    @WithName("conflict-retries")
    @WithDefault("5")
    int conflictRetries();

    /** Defaults of every function. */
    Function function();

    /** What a function may ask for at most. */
    Limits limits();

    /** Delivery of the per-function Triggers. */
    Trigger trigger();

    /** What makes a {@code build.completed} trustworthy. */
    Trust trust();

    /** The builder's identity ({@code KLAMBDA_TRUST_BUILDER_KEYS}, {@code KLAMBDA_TRUST_REGISTRY}, ...). */
    interface Trust {
        /**
         * The builder's Ed25519 public keys (PEM {@code PUBLIC KEY} blocks, several during a rotation); with
         * {@link #builderKeysFile()} unset too, signatures are not checked (a warning at start).
         */
        @WithName("builder-keys")
        Optional<String> builderKeys();

        /** A file holding the builder's public keys (a mounted ConfigMap), instead of {@link #builderKeys()}. */
        @WithName("builder-keys-file")
        Optional<java.nio.file.Path> builderKeysFile();

        /** The builder's {@code klambda.registry}: images must be {@code {registry}/{kind}-{id}@sha256:...}. */
        Optional<String> registry();
    }

    /** S3 settings, the builder's keys ({@code KLAMBDA_S3_ENDPOINT}, ...) plus the bucket. */
    interface S3 {
        /** The S3 API endpoint, e.g. {@code http://minio:9000}; empty for AWS S3. */
        Optional<URI> endpoint();

        /** Path-style addressing, which MinIO and most S3 servers want. */
        @WithName("path-style")
        @WithDefault("true")
        boolean pathStyle();

        /** The region; empty: {@code AWS_REGION}, else {@code us-east-1}. */
        Optional<String> region();

        /** Connect and read timeout of S3 calls. */
        @WithDefault("10s")
        Duration timeout();

        /** The bucket the reconciler lists ({@code KLAMBDA_S3_BUCKET}); without it the reconciler is off. */
        Optional<String> bucket();
    }

    /** The reconciler ({@code KLAMBDA_RECONCILE_*}). */
    interface Reconcile {
        /** Whether it runs (it also needs {@code klambda.s3.bucket} and {@code K_SINK}). */
        @WithDefault("true")
        boolean enabled();

        /** Time between passes; the first runs at start. */
        @WithDefault("5m")
        Duration period();

        /** Objects younger than this are left to their notification. */
        @WithDefault("1m")
        Duration grace();

        /** Objects per listing request (S3 allows 1000). */
        @WithName("page-size")
        @WithDefault("1000")
        int pageSize();

        /** Build requests (and removals) at most per pass. */
        @WithName("max-builds-per-period")
        @WithDefault("20")
        int maxBuildsPerPeriod();

        /** The longest wait before an object whose build never lands is asked for again. */
        @WithName("max-request-interval")
        @WithDefault("1h")
        Duration maxRequestInterval();

        /**
         * The OIDC token sent to {@code K_SINK} (the broker) as {@code Authorization: Bearer}, re-read at every send:
         * where Knative's SinkBinding mounts it when sender identity is on. Absent file: no token is sent. Never logged.
         */
        @WithName("sink-token-file")
        @WithDefault("/oidc/token")
        java.nio.file.Path sinkTokenFile();
    }

    /** A reference to an addressable in the functions' namespace. */
    interface Ref {
        @WithName("api-version")
        String apiVersion();

        String kind();

        String name();
    }

    /** Function defaults (overridable per function by build settings, within {@link Limits}). */
    interface Function {
        @WithName("min-scale")
        @WithDefault("0")
        int minScale();

        @WithName("max-scale")
        @WithDefault("10")
        int maxScale();

        @WithName("container-concurrency")
        @WithDefault("10")
        int containerConcurrency();

        @WithName("timeout-seconds")
        @WithDefault("300")
        int timeoutSeconds();

        /** CPU request. */
        @WithDefault("100m")
        String cpu();

        /** Memory request and limit. */
        @WithDefault("128Mi")
        String memory();

        /** CPU limit; none by default (no throttling). */
        @WithName("cpu-limit")
        Optional<String> cpuLimit();

        /** The functions' service account; the namespace default when empty. */
        @WithName("service-account")
        Optional<String> serviceAccount();

        /** A numeric user to run as, for images that do not name a non-root user. */
        @WithName("run-as-user")
        Optional<Long> runAsUser();

        /** A writable emptyDir on /tmp (the root filesystem is read-only); needs Knative's emptyDir feature. */
        @WithName("tmp-volume")
        @WithDefault("true")
        boolean tmpVolume();
    }

    /** Upper bounds of per-function settings. */
    interface Limits {
        @WithName("max-scale")
        @WithDefault("100")
        int maxScale();

        @WithName("container-concurrency")
        @WithDefault("1000")
        int containerConcurrency();

        @WithName("timeout-seconds")
        @WithDefault("600")
        int timeoutSeconds();

        @WithDefault("4")
        String cpu();

        @WithDefault("4Gi")
        String memory();
    }

    /** Per-function Trigger delivery. */
    interface Trigger {
        @WithDefault("5")
        int retry();

        @WithName("backoff-policy")
        @WithDefault("exponential")
        String backoffPolicy();

        @WithName("backoff-delay")
        @WithDefault("PT1S")
        String backoffDelay();

        /** When set, the CloudEvent extension attribute that must equal the function's scope (e.g. {@code klambdascope}). */
        @WithName("scope-attribute")
        Optional<String> scopeAttribute();
    }
}
