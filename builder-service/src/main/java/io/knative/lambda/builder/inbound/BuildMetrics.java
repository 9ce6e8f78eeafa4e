package io.knative.lambda.builder.inbound;

import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.knative.lambda.builder.core.BuildOutcome;
import io.knative.lambda.events.FailureReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The builder's Prometheus metrics: {@code klambda_builds_total{outcome}} (completed, cached, failed,
 * retry), {@code klambda_build_failures_total{reason}} and {@code klambda_build_duration_seconds}.
 */
@ApplicationScoped
public class BuildMetrics {

    @Inject
    MeterRegistry registry;

    public void record(BuildOutcome outcome, long nanos) {
        if (outcome instanceof BuildOutcome.Completed completed) {
            builds(completed.pushed() ? "completed" : "cached").increment();
            Timer.builder("klambda.build.duration").description("time from event to pushed image")
                    .publishPercentileHistogram().register(registry).record(nanos, TimeUnit.NANOSECONDS);
        } else if (outcome instanceof BuildOutcome.Failed failed) {
            builds("failed").increment();
            failures(failed.event().reason()).increment();
        }
    }

    public void recordTransient(FailureReason reason) {
        builds("retry").increment();
        failures(reason.code()).increment();
    }

    /** A record the S3 webhook answered itself with {@code build.failed} (a key that names no function). */
    public void recordRefusedKey(String reason) {
        builds("failed").increment();
        failures(reason).increment();
    }

    private Counter builds(String outcome) {
        return Counter.builder("klambda.builds").description("builds by outcome").tag("outcome", outcome).register(registry);
    }

    private Counter failures(String reason) {
        return Counter.builder("klambda.build.failures").description("failed builds by reason code").tag("reason", reason)
                .register(registry);
    }
}
