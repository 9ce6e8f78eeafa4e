package io.knative.lambda.deployer.config;

import java.time.Clock;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.knative.lambda.deployer.core.BuildVerifier;
import io.knative.lambda.deployer.core.Deployer;
import io.knative.lambda.deployer.core.DeployerSettings;
import io.knative.lambda.deployer.core.FunctionCluster;
import io.knative.lambda.deployer.core.FunctionSettings;
import io.knative.lambda.deployer.core.InvalidSettingsException;
import io.knative.lambda.deployer.core.Removals;
import io.knative.lambda.deployer.core.SettingsResolver;
import io.knative.lambda.deployer.k8s.Fabric8FunctionCluster;
import io.knative.lambda.deployer.s3.S3FunctionBucket;
import io.knative.lambda.service.signing.BuildSignature;
import io.knative.lambda.service.signing.SigningKeys;

/** Wires the plain-Java core to the Kubernetes API (fabric8) from {@link DeployerConfig}; refuses a bad configuration at start. */
@ApplicationScoped
public class DeployerBeans {

    private static final Logger LOG = Logger.getLogger(DeployerBeans.class);
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern ATTRIBUTE = Pattern.compile("[a-z0-9]{1,20}");

    @Produces
    @Singleton
    DeployerSettings settings(DeployerConfig config) {
        require(DNS_LABEL.matcher(config.namespace()).matches(), "klambda.namespace", config.namespace());
        require(DNS_LABEL.matcher(config.broker()).matches(), "klambda.broker", config.broker());
        require(config.trigger().backoffPolicy().equals("exponential") || config.trigger().backoffPolicy().equals("linear"),
                "klambda.trigger.backoff-policy", config.trigger().backoffPolicy());
        config.trigger().scopeAttribute().ifPresent(a -> require(ATTRIBUTE.matcher(a).matches()
                && !a.equals("type") && !a.equals("subject"), "klambda.trigger.scope-attribute", a));
        config.deadLetterSink().ifPresent(uri -> require(uri.isAbsolute(), "klambda.dead-letter-sink", uri.toString()));
        if (config.deadLetterSink().isPresent() && config.deadLetterSinkRef().isPresent()) {
            throw new IllegalArgumentException("set klambda.dead-letter-sink or klambda.dead-letter-sink-ref, not both");
        }
        Optional<DeployerSettings.DeadLetterSink> deadLetterSink = config.deadLetterSink()
                .map(uri -> DeployerSettings.DeadLetterSink.ofUri(uri.toString()))
                .or(() -> config.deadLetterSinkRef().map(r -> DeployerSettings.DeadLetterSink.ofRef(r.apiVersion(), r.kind(),
                        r.name())));
        FunctionSettings defaults = new FunctionSettings(0, 1, 0, 1, "1m", "1", config.function().cpuLimit().orElse(null),
                null, null);
        DeployerSettings.Limits limits = new DeployerSettings.Limits(config.limits().maxScale(),
                config.limits().containerConcurrency(), config.limits().timeoutSeconds(), config.limits().cpu(),
                config.limits().memory());
        try {
            // The defaults pass the same checks as any function's settings.
            defaults = new SettingsResolver(defaults, limits).resolve(java.util.Map.of(
                    "min-scale", Integer.toString(config.function().minScale()),
                    "max-scale", Integer.toString(config.function().maxScale()),
                    "container-concurrency", Integer.toString(config.function().containerConcurrency()),
                    "timeout-seconds", Integer.toString(config.function().timeoutSeconds()),
                    "cpu", config.function().cpu(),
                    "memory", config.function().memory()));
        } catch (InvalidSettingsException e) {
            throw new IllegalArgumentException("klambda.function." + e.key() + " is invalid: " + e.getMessage(), e);
        }
        DeployerSettings settings = new DeployerSettings(config.namespace(), config.broker(),
                deadLetterSink, config.readyTimeout(), config.conflictRetries(), defaults,
                limits, new DeployerSettings.TriggerDelivery(config.trigger().retry(), config.trigger().backoffPolicy(),
                        config.trigger().backoffDelay(), config.trigger().scopeAttribute()),
                config.function().serviceAccount(), config.function().runAsUser(), config.function().tmpVolume());
        LOG.infof("deployer: namespace=%s broker=%s ready-timeout=%ss defaults=%s dead-letter-sink=%s", settings.namespace(),
                settings.broker(), settings.readyTimeout().toSeconds(), defaults,
                settings.deadLetterSink().map(Object::toString).orElse("(none)"));
        return settings;
    }

    /**
     * The Kubernetes API of the functions' namespace: a cluster's, or in local mode the local cluster's
     * ({@code local-cluster/}), which Quarkus's {@code quarkus.kubernetes-client.*} settings point the client at.
     */
    @Produces
    @Singleton
    FunctionCluster cluster(KubernetesClient client, DeployerSettings settings) {
        return new Fabric8FunctionCluster(client, settings.namespace());
    }

    @Produces
    @Singleton
    Deployer deployer(FunctionCluster cluster, DeployerSettings settings) {
        return new Deployer(cluster, settings, Clock.systemUTC());
    }

    @Produces
    @Singleton
    BuildVerifier verifier(DeployerConfig config, com.fasterxml.jackson.databind.ObjectMapper mapper) {
        DeployerConfig.Trust trust = config.trust();
        java.util.Map<String, java.security.PublicKey> keys;
        try {
            keys = trust.builderKeysFile().isPresent() ? SigningKeys.readPublicKeys(trust.builderKeysFile().get())
                    : trust.builderKeys().filter(k -> !k.isBlank()).map(SigningKeys::publicKeys).orElse(java.util.Map.of());
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("klambda.trust.builder-keys" + (trust.builderKeysFile().isPresent() ? "-file "
                    + trust.builderKeysFile().get() : "") + " cannot be read as Ed25519 public keys (PEM): " + e.getMessage(), e);
        }
        if (keys.isEmpty()) {
            LOG.warn("klambda.trust.builder-keys is not set: build.completed is NOT checked for the builder's signature;"
                    + " anyone who can reach the deployer can roll out any image");
        } else {
            LOG.infof("build.completed must be signed by the builder's key %s", keys.keySet());
        }
        if (trust.registry().isEmpty()) {
            LOG.warn("klambda.trust.registry is not set: images are not checked against the builder's repository");
        }
        return new BuildVerifier(new BuildSignature(mapper), keys, trust.registry().filter(r -> !r.isBlank()));
    }

    /** The bucket of function sources, with the builder's S3 settings and credentials. */
    @Produces
    @Singleton
    S3FunctionBucket bucket(DeployerConfig config) {
        return S3FunctionBucket.create(config.s3().endpoint(), config.s3().region(), config.s3().pathStyle(),
                config.s3().timeout());
    }

    void closeBucket(@Disposes S3FunctionBucket bucket) {
        bucket.close();
    }

    @Produces
    @Singleton
    Removals removals(S3FunctionBucket bucket, Deployer deployer) {
        return new Removals(bucket, deployer);
    }

    private static void require(boolean ok, String key, String value) {
        if (!ok) {
            throw new IllegalArgumentException(key + " has an invalid value '" + value + "'");
        }
    }
}
