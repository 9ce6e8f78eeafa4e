package io.knative.lambda.deployer.inbound;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.deployer.config.DeployerConfig;
import io.knative.lambda.deployer.core.FunctionCluster;
import io.knative.lambda.deployer.core.Removals;
import io.knative.lambda.deployer.reconcile.ReconcileReport;
import io.knative.lambda.deployer.reconcile.ReconcileSettings;
import io.knative.lambda.deployer.reconcile.Reconciler;
import io.knative.lambda.deployer.s3.S3FunctionBucket;
import io.knative.lambda.service.http.SinkClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Runs the {@link Reconciler} at start and every {@code klambda.reconcile.period} on one thread, when it has a bucket
 * ({@code klambda.s3.bucket}) and somewhere to publish ({@code K_SINK}): events go to the broker in binary mode, as the
 * builder's webhook sends them. Metrics: {@code klambda_reconcile_passes_total{result}},
 * {@code klambda_reconcile_actions_total{action}}.
 */
@ApplicationScoped
public class ReconcileLoop {

    private static final Logger LOG = Logger.getLogger(ReconcileLoop.class);

    @Inject
    DeployerConfig config;

    @Inject
    S3FunctionBucket bucket;

    @Inject
    FunctionCluster cluster;

    @Inject
    Removals removals;

    @Inject
    ObjectMapper mapper;

    @Inject
    MeterRegistry registry;

    private ScheduledExecutorService timer;

    void start(@Observes StartupEvent started) {
        DeployerConfig.Reconcile r = config.reconcile();
        if (!r.enabled() || config.s3().bucket().isEmpty() || config.sink().isEmpty()) {
            LOG.infof("reconciler off (klambda.reconcile.enabled=%s, klambda.s3.bucket %s, K_SINK %s): only notifications"
                    + " deploy and remove functions", r.enabled(), config.s3().bucket().isPresent() ? "set" : "unset",
                    config.sink().isPresent() ? "set" : "unset");
            return;
        }
        ReconcileSettings settings = new ReconcileSettings(config.s3().bucket().get(), r.period(), r.grace(), r.pageSize(),
                r.maxBuildsPerPeriod(), r.maxRequestInterval());
        SinkClient sink = new SinkClient(config.s3().timeout());
        Reconciler reconciler = new Reconciler(bucket, cluster, removals, (type, id, subject, data) -> sink.send(
                config.sink().get(), Map.of("id", id, "type", type, "source", Reconciler.SOURCE, "subject", subject),
                json(data), sinkToken(r)), settings, Clock.systemUTC());
        timer = Executors.newSingleThreadScheduledExecutor(t -> {
            Thread thread = new Thread(t, "reconciler");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(() -> pass(reconciler), 0, r.period().toMillis(), TimeUnit.MILLISECONDS);
        LOG.infof("reconciler: s3://%s against namespace %s every %s (grace %s, at most %d builds per pass)",
                settings.bucket(), config.namespace(), settings.period(), settings.grace(), settings.maxActions());
    }

    private void pass(Reconciler reconciler) {
        try {
            ReconcileReport report = reconciler.run();
            Counter.builder("klambda.reconcile.passes").description("reconcile passes by result")
                    .tag("result", report.error() == null ? "done" : "failed").register(registry).increment();
            action("build-requested", report.buildsRequested());
            action("removed", report.removed());
            action("deferred", report.deferred());
            if (report.buildsRequested() + report.removed() + report.deferred() > 0 || report.error() != null) {
                LOG.infof("reconcile pass: %s", report);
            } else {
                LOG.debugf("reconcile pass: %s", report);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "reconcile pass failed");
        }
    }

    /** The OIDC token for the broker, when the SinkBinding mounted one; none (and a warning) when unreadable. */
    private static String sinkToken(DeployerConfig.Reconcile r) {
        try {
            return SinkClient.token(r.sinkTokenFile()).orElse(null);
        } catch (java.io.IOException e) {
            LOG.warnf("cannot read the sink token %s: %s", r.sinkTokenFile(), e.getMessage());
            return null;
        }
    }

    private void action(String action, int n) {
        Counter.builder("klambda.reconcile.actions").description("what the reconciler did").tag("action", action)
                .register(registry).increment(n);
    }

    private String json(Object data) {
        try {
            return mapper.writeValueAsString(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
