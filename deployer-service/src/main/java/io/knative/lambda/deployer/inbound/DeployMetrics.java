package io.knative.lambda.deployer.inbound;

import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.knative.lambda.deployer.core.DeployOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The deployer's Prometheus metrics: {@code klambda_deploys_total{outcome}} (completed, failed, deleted,
 * duplicate, removal-refused, ignored, retry), {@code klambda_deploy_failures_total{reason}} and
 * {@code klambda_deploy_duration_seconds} (event in to outcome out).
 */
@ApplicationScoped
public class DeployMetrics {

    @Inject
    MeterRegistry registry;

    public void record(DeployOutcome outcome, long nanos) {
        String name = outcome instanceof DeployOutcome.Completed ? "completed"
                : outcome instanceof DeployOutcome.Failed ? "failed"
                : outcome instanceof DeployOutcome.Deleted ? "deleted"
                : outcome instanceof DeployOutcome.AlreadyReported ? "duplicate"
                : outcome instanceof DeployOutcome.Refused ? "removal-refused" : "ignored";
        deploys(name).increment();
        if (outcome instanceof DeployOutcome.Failed failed) {
            Counter.builder("klambda.deploy.failures").description("failed rollouts by reason")
                    .tag("reason", failed.event().reason()).register(registry).increment();
        }
        Timer.builder("klambda.deploy.duration").description("time from event to outcome")
                .publishPercentileHistogram().register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void recordTransient() {
        deploys("retry").increment();
    }

    private Counter deploys(String outcome) {
        return Counter.builder("klambda.deploys").description("handled events by outcome").tag("outcome", outcome)
                .register(registry);
    }
}
