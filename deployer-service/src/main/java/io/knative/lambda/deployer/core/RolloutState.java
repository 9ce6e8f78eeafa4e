package io.knative.lambda.deployer.core;

import java.util.List;

import io.fabric8.knative.pkg.apis.Condition;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceStatus;
import io.fabric8.knative.serving.v1.TrafficTarget;
import io.knative.lambda.events.FailureReason;

/**
 * Where a rollout stands, read from the Knative Service's status for the generation the deployer wrote:
 * still {@link Pending}, {@link Ready}, {@link Failed} with Knative's own reason, or {@link Superseded}
 * by a newer spec.
 */
public sealed interface RolloutState {

    /** Whether the rollout has an outcome (or never will, being superseded). */
    default boolean terminal() {
        return !(this instanceof Pending);
    }

    /** Knative has not yet reconciled the generation, or reports Ready=Unknown. */
    record Pending(String detail) implements RolloutState {
    }

    /** Ready for the generation, serving {@code revision} at {@code url}. */
    record Ready(String url, String revision) implements RolloutState {
    }

    /** Knative reports Ready=False for the generation, with its reason and message. */
    record Failed(String reason, String message) implements RolloutState {
    }

    /** A newer generation was written meanwhile; that rollout reports its own outcome. */
    record Superseded(long observedGeneration) implements RolloutState {
    }

    /**
     * The state of the rollout of {@code generation}. With {@code pinnedRevision} (a rollback) Ready means
     * Knative routes all traffic to it; otherwise that the latest created revision is the latest ready one.
     */
    static RolloutState of(Service service, long generation, String pinnedRevision) {
        if (service == null) {
            return new Failed(FailureReason.SERVICE_DELETED.code(), "the Knative Service was deleted during the rollout");
        }
        Long metaGeneration = service.getMetadata().getGeneration();
        if (metaGeneration != null && metaGeneration > generation) {
            return new Superseded(metaGeneration);
        }
        ServiceStatus status = service.getStatus();
        if (status == null || status.getObservedGeneration() == null || status.getObservedGeneration() < generation) {
            return new Pending("Knative has not observed generation " + generation + " yet");
        }
        if (status.getObservedGeneration() > generation) {
            return new Superseded(status.getObservedGeneration());
        }
        Condition ready = condition(status, "Ready");
        if (ready == null || "Unknown".equalsIgnoreCase(ready.getStatus())) {
            return new Pending(ready == null ? "no Ready condition yet" : describe(ready));
        }
        if ("False".equalsIgnoreCase(ready.getStatus())) {
            // Knative's Ready often says only "RevisionMissing: Configuration x does not have any ready Revision";
            // ConfigurationsReady (then RoutesReady) carries the revision's own reason and message.
            Condition cause = ready;
            for (String type : List.of("ConfigurationsReady", "RoutesReady")) {
                Condition c = condition(status, type);
                if (c != null && "False".equalsIgnoreCase(c.getStatus()) && !blank(c.getReason())) {
                    cause = c;
                    break;
                }
            }
            return new Failed(blank(cause.getReason()) ? FailureReason.NOT_READY.code() : cause.getReason(),
                    blank(cause.getMessage()) ? "Knative reports Ready=False" : cause.getMessage());
        }
        if (pinnedRevision != null) {
            for (TrafficTarget t : status.getTraffic() == null ? List.<TrafficTarget>of() : status.getTraffic()) {
                if (pinnedRevision.equals(t.getRevisionName()) && t.getPercent() != null && t.getPercent() == 100L) {
                    return new Ready(status.getUrl(), pinnedRevision);
                }
            }
            return new Pending("traffic is not yet routed to " + pinnedRevision);
        }
        String latestReady = status.getLatestReadyRevisionName();
        if (latestReady == null || !latestReady.equals(status.getLatestCreatedRevisionName())) {
            return new Pending("latest created revision " + status.getLatestCreatedRevisionName() + " is not ready yet");
        }
        return new Ready(status.getUrl(), latestReady);
    }

    /** A one-line account of the Service's Ready condition, for logs and timeout messages. */
    static String describe(Service service) {
        if (service == null) {
            return "the Knative Service is gone";
        }
        ServiceStatus status = service.getStatus();
        Condition ready = status == null ? null : condition(status, "Ready");
        String observed = status == null || status.getObservedGeneration() == null ? "none"
                : status.getObservedGeneration().toString();
        return "generation " + service.getMetadata().getGeneration() + ", observed " + observed + ", "
                + (ready == null ? "no Ready condition" : describe(ready));
    }

    private static String describe(Condition c) {
        return "Ready=" + c.getStatus() + (blank(c.getReason()) ? "" : " reason=" + c.getReason())
                + (blank(c.getMessage()) ? "" : " message=" + c.getMessage());
    }

    private static Condition condition(ServiceStatus status, String type) {
        for (Condition c : conditions(status)) {
            if (type.equals(c.getType())) {
                return c;
            }
        }
        return null;
    }

    private static List<Condition> conditions(ServiceStatus status) {
        return status.getConditions() == null ? List.of() : status.getConditions();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
