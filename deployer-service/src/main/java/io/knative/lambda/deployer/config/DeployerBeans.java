package io.knative.lambda.deployer.config;

import java.time.Clock;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import java.util.List;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.knative.lambda.deployer.core.Deployer;
import io.knative.lambda.deployer.core.DeployerSettings;
import io.knative.lambda.deployer.core.FunctionCluster;
import io.knative.lambda.deployer.core.FunctionSettings;
import io.knative.lambda.deployer.core.InvalidSettingsException;
import io.knative.lambda.deployer.core.SettingsResolver;
import io.knative.lambda.deployer.k8s.Fabric8FunctionCluster;
import io.knative.lambda.deployer.local.LocalFunctionCluster;
import io.knative.lambda.deployer.local.LocalRuntimes;
import io.knative.lambda.deployer.local.OciImagePuller;

/** Wires the plain-Java core to its deploy target (fabric8 or local) from {@link DeployerConfig}; refuses a bad configuration at start. */
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

    @Produces
    @Singleton
    FunctionCluster cluster(Instance<KubernetesClient> client, DeployerSettings settings, DeployerConfig config,
            ObjectMapper mapper) {
        switch (config.target()) {
            case "knative":
                return new Fabric8FunctionCluster(client.get(), settings.namespace());
            case "local":
                DeployerConfig.Local local = config.local();
                LOG.infof("deploy target: local (functions run as host processes; work dir %s)", local.workDir());
                return new LocalFunctionCluster(new OciImagePuller(mapper, local.registryScheme()),
                        new LocalRuntimes(resolveInterpreter(List.of(local.pythonRuntime().trim().split("\\s+"))),
                                List.of(local.javaRuntime().trim().split("\\s+")), local.pythonForkServer()),
                        local.workDir(), local.startTimeout());
            default:
                throw new IllegalArgumentException("klambda.target must be knative or local, not " + config.target());
        }
    }

    /**
     * The Python command with its interpreter resolved once to the real executable: a bare {@code python3}
     * may be a version-manager shim (pyenv) that costs about half a second per function start.
     */
    static List<String> resolveInterpreter(List<String> command) {
        if (command.isEmpty() || command.get(0).contains("/")) {
            return command;
        }
        try {
            Process p = new ProcessBuilder(command.get(0), "-c", "import sys; print(sys.executable)").redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            if (p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0 && out.startsWith("/")) {
                List<String> resolved = new java.util.ArrayList<>(command);
                resolved.set(0, out);
                LOG.infof("local Python runtime: %s", String.join(" ", resolved));
                return List.copyOf(resolved);
            }
        } catch (java.io.IOException e) {
            LOG.warnf("cannot run %s to find its executable: %s", command.get(0), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return command;
    }

    void closeCluster(@Disposes FunctionCluster cluster) {
        if (cluster instanceof LocalFunctionCluster local) {
            local.close();
        }
    }

    @Produces
    @Singleton
    Deployer deployer(FunctionCluster cluster, DeployerSettings settings) {
        return new Deployer(cluster, settings, Clock.systemUTC());
    }

    private static void require(boolean ok, String key, String value) {
        if (!ok) {
            throw new IllegalArgumentException(key + " has an invalid value '" + value + "'");
        }
    }
}
