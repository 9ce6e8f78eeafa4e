package io.knative.lambda.localcluster.serving;

import java.util.List;
import java.util.Optional;

import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.Service;
import io.knative.lambda.localcluster.store.ApiException;
import io.knative.lambda.localcluster.store.Json;
import io.knative.lambda.localcluster.store.ObjectStore;
import io.knative.lambda.localcluster.store.ResourceType;
import io.knative.lambda.localcluster.store.Selector;

/** {@link ServingObjects} on the local cluster's {@link ObjectStore}. */
public final class StoreServingObjects implements ServingObjects {

    private final ObjectStore store;

    public StoreServingObjects(ObjectStore store) {
        this.store = store;
    }

    @Override
    public Optional<Service> service(String namespace, String name) {
        return store.get(ResourceType.SERVICES, namespace, name).map(o -> Json.object(o, Service.class));
    }

    @Override
    public List<Revision> revisions(String namespace, String service) {
        return store.list(ResourceType.REVISIONS, namespace, Selector.labels(Revisions.SERVICE_LABEL + "=" + service))
                .items().stream().map(o -> Json.object(o, Revision.class)).toList();
    }

    @Override
    public Revision createRevision(Revision revision) {
        return write(() -> store.create(ResourceType.REVISIONS, revision.getMetadata().getNamespace(), Json.tree(revision)),
                Revision.class);
    }

    @Override
    public Revision updateRevisionStatus(Revision revision) {
        return write(() -> store.updateStatus(ResourceType.REVISIONS, revision.getMetadata().getNamespace(),
                revision.getMetadata().getName(), Json.tree(revision)), Revision.class);
    }

    @Override
    public void updateServiceStatus(Service service) {
        write(() -> store.updateStatus(ResourceType.SERVICES, service.getMetadata().getNamespace(),
                service.getMetadata().getName(), Json.tree(service)), Service.class);
    }

    private static <T> T write(java.util.function.Supplier<com.fasterxml.jackson.databind.node.ObjectNode> write,
            Class<T> type) {
        try {
            return Json.object(write.get(), type);
        } catch (ApiException e) {
            if (e.code() == 409 || e.code() == 404) {
                throw new Conflict(e.getMessage(), e);
            }
            throw e;
        }
    }
}
