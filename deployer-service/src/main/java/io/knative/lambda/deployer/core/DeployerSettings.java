package io.knative.lambda.deployer.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the deployer core needs to know about the platform, independent of how it was configured.
 *
 * @param namespace          where functions run ({@code KLAMBDA_NAMESPACE})
 * @param broker             the broker per-function Triggers subscribe to ({@code KLAMBDA_BROKER})
 * @param deadLetterSink     the function Triggers' dead-letter sink, if any
 * @param readyTimeout       how long a rollout may take to become Ready before {@code ReadyTimeout}
 * @param conflictRetries    how many times a 409 conflict is re-read and retried
 * @param defaults           scaling and resources when the build names none
 * @param limits             the largest values a function may ask for
 * @param trigger            delivery of the per-function Trigger
 * @param serviceAccountName the functions' service account, if not the namespace default
 * @param runAsUser          a numeric user id to run functions as, if the image does not name one
 * @param tmpVolume          whether functions get a writable emptyDir on /tmp (Knative feature
 *                           {@code kubernetes.podspec-volumes-emptydir} must be enabled)
 */
public record DeployerSettings(
        String namespace,
        String broker,
        Optional<DeadLetterSink> deadLetterSink,
        Duration readyTimeout,
        int conflictRetries,
        FunctionSettings defaults,
        Limits limits,
        TriggerDelivery trigger,
        Optional<String> serviceAccountName,
        Optional<Long> runAsUser,
        boolean tmpVolume) {

    public DeployerSettings {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(readyTimeout, "readyTimeout");
        if (readyTimeout.isNegative() || readyTimeout.isZero()) {
            throw new IllegalArgumentException("ready timeout must be positive, got " + readyTimeout);
        }
        if (conflictRetries < 0) {
            throw new IllegalArgumentException("conflict retries must be >= 0, got " + conflictRetries);
        }
    }

    /**
     * Where a function Trigger sends what failed every retry: a URI, or a reference to an addressable
     * (e.g. the platform's KafkaSink), exactly one of the two.
     *
     * @param uri        an absolute URI, or {@code null}
     * @param apiVersion the referent's apiVersion, or {@code null}
     * @param kind       the referent's kind, or {@code null}
     * @param name       the referent's name (same namespace), or {@code null}
     */
    public record DeadLetterSink(String uri, String apiVersion, String kind, String name) {

        /** A sink by URI. */
        public static DeadLetterSink ofUri(String uri) {
            return new DeadLetterSink(Objects.requireNonNull(uri, "uri"), null, null, null);
        }

        /** A sink by reference. */
        public static DeadLetterSink ofRef(String apiVersion, String kind, String name) {
            return new DeadLetterSink(null, Objects.requireNonNull(apiVersion, "apiVersion"),
                    Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(name, "name"));
        }

        @Override
        public String toString() {
            return uri != null ? uri : kind + "/" + name + " (" + apiVersion + ")";
        }
    }

    /**
     * Upper bounds on what a function may ask for through its settings.
     *
     * @param maxScale             largest {@code max-scale}
     * @param containerConcurrency largest {@code container-concurrency}
     * @param timeoutSeconds       largest {@code timeout-seconds} (Knative's max-revision-timeout-seconds)
     * @param cpu                  largest {@code cpu}, a Kubernetes quantity
     * @param memory               largest {@code memory}, a Kubernetes quantity
     */
    public record Limits(int maxScale, int containerConcurrency, int timeoutSeconds, String cpu, String memory) {
    }

    /**
     * The delivery spec written on every function Trigger.
     *
     * @param retry          retries before the dead-letter sink
     * @param backoffPolicy  {@code exponential} or {@code linear}
     * @param backoffDelay   ISO-8601 duration, e.g. {@code PT1S}
     * @param scopeAttribute when present, the CloudEvent extension attribute that must equal the function's scope
     */
    public record TriggerDelivery(int retry, String backoffPolicy, String backoffDelay, Optional<String> scopeAttribute) {
    }

    /** Settings with the platform defaults (min 0, max 10, concurrency 10), for tests and tools. */
    public static DeployerSettings defaults(String namespace, String broker) {
        return new DeployerSettings(namespace, broker, Optional.empty(), Duration.ofSeconds(120), 5,
                new FunctionSettings(0, 10, 10, 300, "100m", "128Mi", "1", null, null),
                new Limits(100, 1000, 600, "4", "4Gi"),
                new TriggerDelivery(5, "exponential", "PT1S", Optional.empty()),
                Optional.empty(), Optional.empty(), true);
    }

    /** A copy with another ready timeout. */
    public DeployerSettings withReadyTimeout(Duration timeout) {
        return new DeployerSettings(namespace, broker, deadLetterSink, timeout, conflictRetries, defaults, limits, trigger,
                serviceAccountName, runAsUser, tmpVolume);
    }

    /** A copy with a dead-letter sink by URI. */
    public DeployerSettings withDeadLetterSink(String uri) {
        return withDeadLetterSink(DeadLetterSink.ofUri(uri));
    }

    /** A copy with a dead-letter sink. */
    public DeployerSettings withDeadLetterSink(DeadLetterSink sink) {
        return new DeployerSettings(namespace, broker, Optional.of(sink), readyTimeout, conflictRetries, defaults,
                limits, trigger, serviceAccountName, runAsUser, tmpVolume);
    }
}
