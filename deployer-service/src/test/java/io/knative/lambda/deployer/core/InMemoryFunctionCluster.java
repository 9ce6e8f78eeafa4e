package io.knative.lambda.deployer.core;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.Service;
import io.knative.lambda.localcluster.serving.ControllerLoop;
import io.knative.lambda.localcluster.serving.RevisionState;
import io.knative.lambda.localcluster.serving.Revisions;
import io.knative.lambda.localcluster.serving.ScriptedRevisionRunner;
import io.knative.lambda.localcluster.serving.ServingController;
import io.knative.lambda.localcluster.serving.StoreServingObjects;
import io.knative.lambda.localcluster.store.ApiException;
import io.knative.lambda.localcluster.store.Json;
import io.knative.lambda.localcluster.store.ObjectStore;
import io.knative.lambda.localcluster.store.ResourceType;
import io.knative.lambda.localcluster.store.Selector;

/**
 * The {@link FunctionCluster} of the core's unit tests: local-cluster's in-memory object store (API-server
 * semantics: resourceVersion conflicts, generation, status subresource) with its {@link ServingController} playing
 * Knative, whose revisions a {@link ScriptedRevisionRunner} makes ready when a test says so ({@link #revisionReady})
 * or at once ({@link #autoReady}). Tests can also inject conflicts and count the deployer's Service writes.
 */
public final class InMemoryFunctionCluster implements FunctionCluster {

    private static final String NAMESPACE = "knative-lambda";

    private final ObjectStore store = new ObjectStore(Clock.systemUTC());
    private final ScriptedRevisionRunner runner = new ScriptedRevisionRunner();
    private int conflictsToInject;
    private int waiters;
    int serviceWrites;
    int serviceReads;

    public InMemoryFunctionCluster() {
        ControllerLoop.watching(store, new ServingController(new StoreServingObjects(store), runner, "example.com",
                Clock.systemUTC()), runner, 1);
    }

    synchronized void injectConflicts(int n) {
        conflictsToInject = n;
    }

    /** Knative finds {@code revision} of {@code service} ready (now, or when it is created). */
    void revisionReady(String service, String revision) {
        runner.decide(NAMESPACE, service, revision, new RevisionState.Ready(null));
    }

    /** A revision created earlier (at {@code created}) from the Service's template with {@code image}. */
    void addRevision(String service, String name, String image, String created) {
        Service owner = getService(service).orElseThrow();
        owner.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
        Revision revision = Revisions.next(owner, Revisions.number(name));
        revision.getMetadata().setCreationTimestamp(created);
        store.restore(ResourceType.REVISIONS, NAMESPACE, Json.tree(revision));
    }

    /** From now on, revisions of {@code name} are ready as soon as Knative runs them. */
    public void autoReady(String name) {
        runner.rule(NAMESPACE, name, r -> new RevisionState.Ready(null));
    }

    synchronized int waiters() {
        return waiters;
    }

    @Override
    public Optional<Service> getService(String name) {
        synchronized (this) {
            serviceReads++;
        }
        return store.get(ResourceType.SERVICES, NAMESPACE, name).map(o -> Json.object(o, Service.class));
    }

    @Override
    public Service createService(Service service) {
        Service created = write("Service", service, () -> store.create(ResourceType.SERVICES, NAMESPACE, Json.tree(service)),
                Service.class);
        count();
        return created;
    }

    @Override
    public Service updateService(Service service) {
        synchronized (this) {
            if (conflictsToInject > 0) {
                conflictsToInject--;
                throw new ConflictException("Service", service.getMetadata().getName(), "injected", null);
            }
        }
        Service updated = write("Service", service, () -> store.update(ResourceType.SERVICES, NAMESPACE,
                service.getMetadata().getName(), Json.tree(service)), Service.class);
        count();
        return updated;
    }

    private synchronized void count() {
        serviceWrites++;
    }

    @Override
    public boolean deleteService(String name) {
        return store.delete(ResourceType.SERVICES, NAMESPACE, name).isPresent();
    }

    @Override
    public List<Service> servicesOfFunction(String functionId) {
        return store.list(ResourceType.SERVICES, NAMESPACE, Selector.labels(Labels.FUNCTION_ID + "=" + functionId)).items()
                .stream().map(o -> Json.object(o, Service.class)).toList();
    }

    @Override
    public List<Service> functionServices() {
        return store.list(ResourceType.SERVICES, NAMESPACE, Selector.labels(Labels.MANAGED_SELECTOR)).items()
                .stream().map(o -> Json.object(o, Service.class)).toList();
    }

    @Override
    public Optional<Trigger> getTrigger(String name) {
        return store.get(ResourceType.TRIGGERS, NAMESPACE, name).map(o -> Json.object(o, Trigger.class));
    }

    @Override
    public Trigger createTrigger(Trigger trigger) {
        return write("Trigger", trigger, () -> store.create(ResourceType.TRIGGERS, NAMESPACE, Json.tree(trigger)),
                Trigger.class);
    }

    @Override
    public Trigger updateTrigger(Trigger trigger) {
        return write("Trigger", trigger, () -> store.update(ResourceType.TRIGGERS, NAMESPACE,
                trigger.getMetadata().getName(), Json.tree(trigger)), Trigger.class);
    }

    @Override
    public boolean deleteTrigger(String name) {
        return store.delete(ResourceType.TRIGGERS, NAMESPACE, name).isPresent();
    }

    @Override
    public Optional<Revision> getRevision(String name) {
        return store.get(ResourceType.REVISIONS, NAMESPACE, name).map(o -> Json.object(o, Revision.class));
    }

    @Override
    public List<Revision> revisionsOf(String serviceName) {
        return store.list(ResourceType.REVISIONS, NAMESPACE, Selector.labels(Labels.KNATIVE_SERVICE + "=" + serviceName))
                .items().stream().map(o -> Json.object(o, Revision.class)).toList();
    }

    @Override
    public Awaited awaitService(String name, Predicate<Service> condition, Duration timeout) {
        synchronized (this) {
            waiters++;
        }
        try {
            return store.await(ResourceType.SERVICES, NAMESPACE, name,
                    o -> condition.test(o.map(s -> Json.object(s, Service.class)).orElse(null)), timeout)
                    .map(met -> new Awaited(true, met.map(s -> Json.object(s, Service.class)).orElse(null)))
                    .orElse(new Awaited(false, null));
        } finally {
            synchronized (this) {
                waiters--;
            }
        }
    }

    private static <T> T write(String kind, Object object, Supplier<ObjectNode> write, Class<T> type) {
        try {
            return Json.object(write.get(), type);
        } catch (ApiException e) {
            if (e.code() == 409) {
                String name = ((io.fabric8.kubernetes.api.model.HasMetadata) object).getMetadata().getName();
                throw new ConflictException(kind, name, e.getMessage(), e);
            }
            throw e;
        }
    }
}
