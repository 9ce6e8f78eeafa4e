package io.knative.lambda.deployer.it;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.knative.lambda.localcluster.serving.RevisionState;
import io.knative.lambda.localcluster.serving.Revisions;
import io.knative.lambda.localcluster.serving.ScriptedRevisionRunner;
import io.knative.lambda.localcluster.serving.ServingController;
import io.knative.lambda.localcluster.serving.ServingObjects;

/**
 * Knative Serving against the mock API server: local-cluster's {@link ServingController} (the same one local mode
 * and the unit tests use) applied to the Services it watches there, reading and writing Services and Revisions
 * through the fabric8 client, with a revision runner each test scripts per Service: revisions become ready, or fail
 * with a reason and message, or the Service is never reconciled at all (so that the deployer's wait times out).
 */
public final class FakeKnativeController implements AutoCloseable {

    /** How Knative answers for one Service. */
    public sealed interface Behaviour {
    }

    /** Its revisions become ready. */
    public record BecomeReady() implements Behaviour {
    }

    /** Its new revisions fail as Knative reports a revision that cannot start: the revision's reason and message. */
    public record Fail(String reason, String message) implements Behaviour {
    }

    /** Never reconcile. */
    public record Ignore() implements Behaviour {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final ScriptedRevisionRunner runner = new ScriptedRevisionRunner();
    private final ServingController controller;
    private final SharedIndexInformer<Service> informer;

    public FakeKnativeController(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        this.controller = new ServingController(new MockServerObjects(), runner, "example.com", Clock.systemUTC());
        this.informer = client.resources(Service.class).inNamespace(namespace).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Service service) {
                reconcile(service.getMetadata().getName());
            }

            @Override
            public void onUpdate(Service old, Service service) {
                reconcile(service.getMetadata().getName());
            }

            @Override
            public void onDelete(Service service, boolean unknownFinalState) {
                // the mock server has no garbage collector: delete what the Service owned, as a cluster would
                client.resources(Revision.class).inNamespace(namespace)
                        .withLabel(Revisions.SERVICE_LABEL, service.getMetadata().getName()).delete();
            }
        });
    }

    /** How to answer for {@code service} from now on (default: {@link BecomeReady}). */
    public void behave(String service, Behaviour behaviour) {
        behaviours.put(service, behaviour);
        runner.rule(namespace, service, revision -> behaviour instanceof Fail f
                ? new RevisionState.Failed(f.reason(), f.message()) : new RevisionState.Ready(null));
    }

    /** Reconciles {@code service} again now (after a behaviour change). */
    public void reconcileNow(String service) {
        reconcile(service);
    }

    private synchronized void reconcile(String name) {
        Behaviour behaviour = behaviours.get(name);
        if (behaviour == null) {
            behave(name, behaviour = new BecomeReady());
        }
        if (behaviour instanceof Ignore) {
            return;
        }
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                controller.reconcile(namespace, name);
                return;
            } catch (ServingObjects.Conflict lostARace) {
                // read again
            }
        }
    }

    @Override
    public void close() {
        informer.close();
    }

    /** {@link ServingObjects} on the mock API server, through the fabric8 client. */
    private final class MockServerObjects implements ServingObjects {

        @Override
        public Optional<Service> service(String ns, String name) {
            return Optional.ofNullable(client.resources(Service.class).inNamespace(ns).withName(name).get());
        }

        @Override
        public List<Revision> revisions(String ns, String service) {
            return client.resources(Revision.class).inNamespace(ns).withLabel(Revisions.SERVICE_LABEL, service).list()
                    .getItems();
        }

        @Override
        public Revision createRevision(Revision revision) {
            return write(() -> client.resources(Revision.class).inNamespace(namespace).resource(revision).create());
        }

        @Override
        public Revision updateRevisionStatus(Revision revision) {
            return write(() -> client.resources(Revision.class).inNamespace(namespace).resource(revision).updateStatus());
        }

        @Override
        public void updateServiceStatus(Service service) {
            write(() -> client.resources(Service.class).inNamespace(namespace).resource(service).updateStatus());
        }

        private <T> T write(Supplier<T> write) {
            try {
                return write.get();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409 || e.getCode() == 404) {
                    throw new ServingObjects.Conflict(e.getMessage(), e);
                }
                throw e;
            }
        }
    }
}
