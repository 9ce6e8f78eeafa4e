package io.knative.lambda.localcluster.serving;

import java.util.List;
import java.util.Optional;

import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.Service;

/**
 * What the {@link ServingController} reads and writes, wherever the objects live: the local cluster's
 * store ({@link StoreServingObjects}) or, in the deployer's tests, fabric8's mock API server. Writes are
 * guarded by resourceVersion and throw {@link Conflict} when they lose a race.
 */
public interface ServingObjects {

    /** The Service, if it exists. */
    Optional<Service> service(String namespace, String name);

    /** The Revisions labelled with the Service's name. */
    List<Revision> revisions(String namespace, String service);

    /** Creates a Revision; {@link Conflict} when one of that name exists. */
    Revision createRevision(Revision revision);

    /** Writes a Revision's status. */
    Revision updateRevisionStatus(Revision revision);

    /** Writes a Service's status. */
    void updateServiceStatus(Service service);

    /** A write lost a race with another writer: read again and retry. */
    final class Conflict extends RuntimeException {
        public Conflict(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
