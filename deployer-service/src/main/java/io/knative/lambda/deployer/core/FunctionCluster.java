package io.knative.lambda.deployer.core;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.Service;

/**
 * The deployer's outbound port to the function namespace: the few Kubernetes API calls it makes on
 * Knative Services, Triggers and Revisions. Every call throws {@link ConflictException} for a 409 and
 * {@link ClusterUnavailableException} for any other failure of the API server; nothing else.
 */
public interface FunctionCluster {

    /** The Knative Service, if it exists. */
    Optional<Service> getService(String name);

    /** Creates the Service; {@link ConflictException} if one of that name exists. */
    Service createService(Service service);

    /** Replaces the Service, guarded by its {@code metadata.resourceVersion}; {@link ConflictException} if stale. */
    Service updateService(Service service);

    /** Deletes the Service; false if it was already gone. */
    boolean deleteService(String name);

    /** The Services labelled {@code io.knative.lambda/function-id=functionId}. */
    List<Service> servicesOfFunction(String functionId);

    /** Every function Service of the namespace (label {@code app.kubernetes.io/managed-by=knative-lambda}). */
    List<Service> functionServices();

    /** The Trigger, if it exists. */
    Optional<Trigger> getTrigger(String name);

    /** Creates the Trigger; {@link ConflictException} if one of that name exists. */
    Trigger createTrigger(Trigger trigger);

    /** Replaces the Trigger, guarded by its {@code metadata.resourceVersion}. */
    Trigger updateTrigger(Trigger trigger);

    /** Deletes the Trigger; false if it was already gone. */
    boolean deleteTrigger(String name);

    /** The Revision, if it exists. */
    Optional<Revision> getRevision(String name);

    /** The Revisions of a Service (label {@code serving.knative.dev/service}). */
    List<Revision> revisionsOf(String serviceName);

    /**
     * Waits until the Service satisfies {@code condition} (checked at once and on every change), at most
     * {@code timeout}. A missing or deleted Service is passed to the condition as {@code null}.
     */
    Awaited awaitService(String name, Predicate<Service> condition, Duration timeout);

    /**
     * {@link #awaitService(String, Predicate, Duration)} from a state of the Service the caller holds (the answer
     * to its own write): the condition is checked on {@code known} first, then on every change after its
     * {@code resourceVersion}, which spares the API the list a wait would otherwise start with.
     */
    default Awaited awaitService(Service known, Predicate<Service> condition, Duration timeout) {
        return condition.test(known) ? new Awaited(true, known)
                : awaitService(known.getMetadata().getName(), condition, timeout);
    }

    /**
     * The end of a wait.
     *
     * @param met     whether the condition held before the time was up
     * @param service the Service that met it ({@code null} if it was gone), or {@code null} on timeout
     */
    record Awaited(boolean met, Service service) {
    }
}
