package io.knative.lambda.deployer.it;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.RevisionBuilder;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.knative.serving.v1.ServiceStatus;
import io.fabric8.knative.serving.v1.ServiceStatusBuilder;
import io.fabric8.knative.serving.v1.TrafficTarget;
import io.fabric8.knative.serving.v1.TrafficTargetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Plays the Knative Serving controller against the mock API server: watches Services, and for each new
 * generation creates a Revision when the template changed ({@code {name}-0000N}) and writes the status
 * subresource: Ready=True with url, latest revisions and traffic, or Ready=False with a given reason and
 * message, or nothing at all (so that the deployer's wait times out), as each test decides per Service.
 */
public final class FakeKnativeController implements AutoCloseable {

    /** How the controller answers for one Service. */
    public sealed interface Behaviour {
    }

    /** Reconcile to Ready=True. */
    public record BecomeReady() implements Behaviour {
    }

    /** Reconcile to Ready=False with Knative's reason and message, as for a revision that cannot pull its image. */
    public record Fail(String reason, String message) implements Behaviour {
    }

    /** Never reconcile. */
    public record Ignore() implements Behaviour {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final Map<String, Revisions> revisions = new ConcurrentHashMap<>();
    private final SharedIndexInformer<Service> informer;

    public FakeKnativeController(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        this.informer = client.resources(Service.class).inNamespace(namespace).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Service service) {
                reconcile(service);
            }

            @Override
            public void onUpdate(Service old, Service service) {
                reconcile(service);
            }

            @Override
            public void onDelete(Service service, boolean unknownFinalState) {
                revisions.remove(service.getMetadata().getName());
            }
        });
    }

    /** How to answer for {@code service} from now on (default: {@link BecomeReady}). */
    public void behave(String service, Behaviour behaviour) {
        behaviours.put(service, behaviour);
    }

    /** Reconciles {@code service} again now (after a behaviour change). */
    public void reconcileNow(String service) {
        Service s = client.resources(Service.class).inNamespace(namespace).withName(service).get();
        if (s != null) {
            reconcile(s);
        }
    }

    private synchronized void reconcile(Service service) {
        String name = service.getMetadata().getName();
        long generation = service.getMetadata().getGeneration() == null ? 0 : service.getMetadata().getGeneration();
        ServiceStatus status = service.getStatus();
        if (status != null && status.getObservedGeneration() != null && status.getObservedGeneration() >= generation) {
            return;
        }
        Behaviour behaviour = behaviours.getOrDefault(name, new BecomeReady());
        if (behaviour instanceof Ignore) {
            return;
        }
        Revisions revs = revisions.computeIfAbsent(name, n -> new Revisions());
        String template = Serialization.asJson(service.getSpec().getTemplate());
        if (!template.equals(revs.template)) {
            revs.count++;
            revs.template = template;
            revs.latestCreated = String.format("%s-%05d", name, revs.count);
            Revision revision = new RevisionBuilder()
                    .withNewMetadata()
                        .withName(revs.latestCreated)
                        .withNamespace(namespace)
                        .addToLabels("serving.knative.dev/service", name)
                        .addToLabels("serving.knative.dev/configuration", name)
                        .addToLabels("serving.knative.dev/configurationGeneration", Long.toString(generation))
                    .endMetadata()
                    .withSpec(service.getSpec().getTemplate().getSpec())
                    .build();
            client.resources(Revision.class).inNamespace(namespace).resource(revision).create();
        }
        ServiceStatusBuilder next = new ServiceStatusBuilder()
                .withObservedGeneration(generation)
                .withUrl("http://" + name + "." + namespace + ".example.com")
                .withLatestCreatedRevisionName(revs.latestCreated);
        if (behaviour instanceof Fail fail) {
            // As Knative reports a revision that cannot start: the detail on ConfigurationsReady, a summary on Ready.
            next.withLatestReadyRevisionName(revs.latestReady)
                    .addNewCondition().withType("ConfigurationsReady").withStatus("False").withReason(fail.reason())
                    .withMessage(fail.message()).endCondition()
                    .addNewCondition().withType("Ready").withStatus("False").withReason(revs.latestReady == null
                            ? "RevisionMissing" : fail.reason())
                    .withMessage(revs.latestReady == null ? "Configuration \"" + name
                            + "\" does not have any ready Revision." : fail.message()).endCondition()
                    .addNewCondition().withType("RoutesReady").withStatus("True").endCondition();
        } else {
            revs.latestReady = revs.latestCreated;
            next.withLatestReadyRevisionName(revs.latestReady)
                    .addNewCondition().withType("ConfigurationsReady").withStatus("True").endCondition()
                    .addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .addNewCondition().withType("RoutesReady").withStatus("True").endCondition();
            for (TrafficTarget t : service.getSpec().getTraffic()) {
                next.addToTraffic(new TrafficTargetBuilder()
                        .withRevisionName(Boolean.TRUE.equals(t.getLatestRevision()) ? revs.latestReady : t.getRevisionName())
                        .withLatestRevision(t.getLatestRevision()).withPercent(t.getPercent()).build());
            }
        }
        writeStatus(name, next.build(), generation);
    }

    private void writeStatus(String name, ServiceStatus status, long generation) {
        for (int attempt = 0; attempt < 20; attempt++) {
            Service current = client.resources(Service.class).inNamespace(namespace).withName(name).get();
            if (current == null || !Objects.equals(current.getMetadata().getGeneration(), generation)) {
                return; // gone, or a newer generation that its own event will reconcile
            }
            try {
                client.resources(Service.class).inNamespace(namespace)
                        .resource(new ServiceBuilder(current).withStatus(status).build()).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void close() {
        informer.close();
    }

    private static final class Revisions {
        int count;
        String template;
        String latestCreated;
        String latestReady;
    }
}
