package io.knative.lambda.deployer.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.eventing.v1.TriggerBuilder;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.RevisionBuilder;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * An in-memory {@link FunctionCluster} with API-server semantics that matter to the core:
 * resourceVersion checks (409), generation bumps on spec changes, and a wait woken by every write.
 * Tests drive "Knative" by hand with {@link #setStatus} and can inject conflicts.
 */
final class InMemoryFunctionCluster implements FunctionCluster {

    private final Map<String, Service> services = new HashMap<>();
    private final Map<String, Trigger> triggers = new HashMap<>();
    private final Map<String, Revision> revisions = new HashMap<>();
    private final java.util.Set<String> autoReady = new java.util.HashSet<>();
    private long resourceVersion;
    private int conflictsToInject;
    int serviceWrites;
    int waiters;

    synchronized void injectConflicts(int n) {
        conflictsToInject = n;
    }

    /** Applies {@code change} to the Service's status, as the Knative controller would (no generation bump). */
    synchronized void setStatus(String name, Consumer<Service> change) {
        Service s = copy(services.get(name));
        change.accept(s);
        s.getMetadata().setResourceVersion(Long.toString(++resourceVersion));
        services.put(name, s);
        notifyAll();
    }

    synchronized void addRevision(String service, String name, String image, String created) {
        revisions.put(name, new RevisionBuilder().withNewMetadata().withName(name).withCreationTimestamp(created)
                .addToLabels(Labels.KNATIVE_SERVICE, service).endMetadata()
                .withNewSpec().addNewContainer().withImage(image).endContainer().endSpec().build());
    }

    /** From now on, a wait on {@code name} finds it Ready for its current generation, as a fast Knative would. */
    synchronized void autoReady(String name) {
        autoReady.add(name);
    }

    synchronized int waiters() {
        return waiters;
    }

    @Override
    public synchronized Optional<Service> getService(String name) {
        return Optional.ofNullable(services.get(name)).map(InMemoryFunctionCluster::copy);
    }

    @Override
    public synchronized Service createService(Service service) {
        String name = service.getMetadata().getName();
        if (services.containsKey(name)) {
            throw new ConflictException("Service", name, "already exists", null);
        }
        Service s = copy(service);
        s.getMetadata().setUid("uid-" + name);
        s.getMetadata().setGeneration(1L);
        s.getMetadata().setResourceVersion(Long.toString(++resourceVersion));
        services.put(name, s);
        serviceWrites++;
        notifyAll();
        return copy(s);
    }

    @Override
    public synchronized Service updateService(Service service) {
        String name = service.getMetadata().getName();
        Service current = services.get(name);
        if (conflictsToInject > 0) {
            conflictsToInject--;
            throw new ConflictException("Service", name, "injected", null);
        }
        if (current == null || !Objects.equals(current.getMetadata().getResourceVersion(),
                service.getMetadata().getResourceVersion())) {
            throw new ConflictException("Service", name, "stale resourceVersion", null);
        }
        Service s = copy(service);
        s.setStatus(current.getStatus()); // status is a subresource
        boolean specChanged = !Serialization.asJson(current.getSpec()).equals(Serialization.asJson(s.getSpec()));
        s.getMetadata().setGeneration(current.getMetadata().getGeneration() + (specChanged ? 1 : 0));
        s.getMetadata().setResourceVersion(Long.toString(++resourceVersion));
        services.put(name, s);
        serviceWrites++;
        notifyAll();
        return copy(s);
    }

    @Override
    public synchronized boolean deleteService(String name) {
        boolean existed = services.remove(name) != null;
        notifyAll();
        return existed;
    }

    @Override
    public synchronized List<Service> servicesOfFunction(String functionId) {
        List<Service> found = new ArrayList<>();
        for (Service s : services.values()) {
            if (functionId.equals(s.getMetadata().getLabels().get(Labels.FUNCTION_ID))) {
                found.add(copy(s));
            }
        }
        return found;
    }

    @Override
    public synchronized Optional<Trigger> getTrigger(String name) {
        return Optional.ofNullable(triggers.get(name)).map(t -> new TriggerBuilder(t).build());
    }

    @Override
    public synchronized Trigger createTrigger(Trigger trigger) {
        String name = trigger.getMetadata().getName();
        if (triggers.containsKey(name)) {
            throw new ConflictException("Trigger", name, "already exists", null);
        }
        Trigger t = new TriggerBuilder(trigger).build();
        t.getMetadata().setResourceVersion(Long.toString(++resourceVersion));
        triggers.put(name, t);
        return t;
    }

    @Override
    public synchronized Trigger updateTrigger(Trigger trigger) {
        Trigger t = new TriggerBuilder(trigger).build();
        t.getMetadata().setResourceVersion(Long.toString(++resourceVersion));
        triggers.put(trigger.getMetadata().getName(), t);
        return t;
    }

    @Override
    public synchronized boolean deleteTrigger(String name) {
        return triggers.remove(name) != null;
    }

    @Override
    public synchronized Optional<Revision> getRevision(String name) {
        return Optional.ofNullable(revisions.get(name));
    }

    @Override
    public synchronized List<Revision> revisionsOf(String serviceName) {
        return revisions.values().stream()
                .filter(r -> serviceName.equals(r.getMetadata().getLabels().get(Labels.KNATIVE_SERVICE))).toList();
    }

    @Override
    public synchronized Awaited awaitService(String name, Predicate<Service> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        waiters++;
        try {
            while (true) {
                Service s = services.get(name);
                if (s != null && autoReady.contains(name) && (s.getStatus() == null
                        || s.getStatus().getObservedGeneration() == null
                        || s.getStatus().getObservedGeneration() < s.getMetadata().getGeneration())) {
                    long generation = s.getMetadata().getGeneration();
                    String revision = String.format("%s-%05d", name, generation);
                    s = copy(s);
                    s.setStatus(new io.fabric8.knative.serving.v1.ServiceStatusBuilder()
                            .withObservedGeneration(generation).withUrl("http://" + name + ".example.com")
                            .withLatestCreatedRevisionName(revision).withLatestReadyRevisionName(revision)
                            .addNewCondition().withType("Ready").withStatus("True").endCondition().build());
                    s.getMetadata().setResourceVersion(Long.toString(++resourceVersion));
                    services.put(name, s);
                }
                if (condition.test(s == null ? null : copy(s))) {
                    return new Awaited(true, s == null ? null : copy(s));
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return new Awaited(false, null);
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new Awaited(false, null);
                }
            }
        } finally {
            waiters--;
        }
    }

    private static Service copy(Service s) {
        return s == null ? null : new ServiceBuilder(s).build();
    }
}
