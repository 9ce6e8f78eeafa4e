package io.knative.lambda.deployer.k8s;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.knative.lambda.deployer.core.ClusterUnavailableException;
import io.knative.lambda.deployer.core.ConflictException;
import io.knative.lambda.deployer.core.FunctionCluster;
import io.knative.lambda.deployer.core.Labels;

/**
 * {@link FunctionCluster} on the fabric8 client and its typed Knative model: get, create, update (PUT
 * guarded by resourceVersion), delete and list in one namespace, and a watch-based wait (from the version the
 * caller holds when it holds one). Maps 409 to
 * {@link ConflictException} and every other API failure to {@link ClusterUnavailableException}.
 */
public final class Fabric8FunctionCluster implements FunctionCluster {

    private final KnativeClient knative;
    private final String namespace;

    public Fabric8FunctionCluster(KubernetesClient client, String namespace) {
        this.knative = client.adapt(KnativeClient.class);
        this.namespace = namespace;
    }

    @Override
    public Optional<Service> getService(String name) {
        return call("get Service " + name, name,
                () -> Optional.ofNullable(knative.services().inNamespace(namespace).withName(name).get()));
    }

    @Override
    public Service createService(Service service) {
        String name = service.getMetadata().getName();
        return call("create Service " + name, name, () -> knative.services().inNamespace(namespace).resource(service).create());
    }

    @Override
    public Service updateService(Service service) {
        String name = service.getMetadata().getName();
        return call("update Service " + name, name, () -> knative.services().inNamespace(namespace).resource(service).update());
    }

    @Override
    public boolean deleteService(String name) {
        return call("delete Service " + name, name,
                () -> !knative.services().inNamespace(namespace).withName(name).delete().isEmpty());
    }

    @Override
    public List<Service> servicesOfFunction(String functionId) {
        return call("list Services of function " + functionId, functionId, () -> knative.services().inNamespace(namespace)
                .withLabel(Labels.FUNCTION_ID, functionId).list().getItems());
    }

    @Override
    public List<Service> functionServices() {
        return call("list function Services", Labels.MANAGER, () -> knative.services().inNamespace(namespace)
                .withLabel(Labels.MANAGED_BY, Labels.MANAGER).list().getItems());
    }

    @Override
    public Optional<Trigger> getTrigger(String name) {
        return call("get Trigger " + name, name,
                () -> Optional.ofNullable(knative.triggers().inNamespace(namespace).withName(name).get()));
    }

    @Override
    public Trigger createTrigger(Trigger trigger) {
        String name = trigger.getMetadata().getName();
        return call("create Trigger " + name, name, () -> knative.triggers().inNamespace(namespace).resource(trigger).create());
    }

    @Override
    public Trigger updateTrigger(Trigger trigger) {
        String name = trigger.getMetadata().getName();
        return call("update Trigger " + name, name, () -> knative.triggers().inNamespace(namespace).resource(trigger).update());
    }

    @Override
    public boolean deleteTrigger(String name) {
        return call("delete Trigger " + name, name,
                () -> !knative.triggers().inNamespace(namespace).withName(name).delete().isEmpty());
    }

    @Override
    public Optional<Revision> getRevision(String name) {
        return call("get Revision " + name, name,
                () -> Optional.ofNullable(knative.revisions().inNamespace(namespace).withName(name).get()));
    }

    @Override
    public List<Revision> revisionsOf(String serviceName) {
        return call("list Revisions of " + serviceName, serviceName, () -> knative.revisions().inNamespace(namespace)
                .withLabel(Labels.KNATIVE_SERVICE, serviceName).list().getItems());
    }

    @Override
    public Awaited awaitService(String name, Predicate<Service> condition, Duration timeout) {
        try {
            return call("watch Service " + name, name, () -> new Awaited(true, knative.services().inNamespace(namespace)
                    .withName(name).waitUntilCondition(condition, timeout.toMillis(), TimeUnit.MILLISECONDS)));
        } catch (ClusterUnavailableException e) {
            if (e.getCause() instanceof KubernetesClientTimeoutException) {
                return new Awaited(false, null);
            }
            throw e;
        }
    }

    /**
     * One watch from the version the caller holds instead of a list and a watch; from a fresh list when the
     * server no longer has that version.
     */
    @Override
    public Awaited awaitService(Service known, Predicate<Service> condition, Duration timeout) {
        String name = known.getMetadata().getName();
        String version = known.getMetadata().getResourceVersion();
        if (condition.test(known)) {
            return new Awaited(true, known);
        }
        if (version == null || version.isBlank()) {
            return awaitService(name, condition, timeout);
        }
        try {
            return call("watch Service " + name, name, () -> {
                try {
                    return new Awaited(true, WatchFromVersion.await(knative.services().inNamespace(namespace).withName(name),
                            name, version, condition, timeout));
                } catch (TimeoutException e) {
                    return new Awaited(false, null);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new KubernetesClientException("interrupted while watching Service " + name, e);
                }
            });
        } catch (WatchFromVersion.GoneException e) {
            return awaitService(name, condition, timeout);
        }
    }

    private static <T> T call(String operation, String name, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientTimeoutException e) {
            throw new ClusterUnavailableException(operation, 0, "timed out", e);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw new ConflictException(operation.substring(operation.indexOf(' ') + 1, operation.lastIndexOf(' ')),
                        name, e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage(), e);
            }
            throw new ClusterUnavailableException(operation, e.getCode(),
                    e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage(),
                    e);
        }
    }
}
