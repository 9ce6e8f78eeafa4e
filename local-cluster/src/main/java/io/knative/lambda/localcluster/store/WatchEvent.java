package io.knative.lambda.localcluster.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One change of one object, as a watch reports it: {@code ADDED}, {@code MODIFIED} or {@code DELETED},
 * the object as it is after the change (before it, for a deletion, with the deletion's resourceVersion),
 * and the store's resourceVersion of the change. The object is never modified afterwards.
 */
public record WatchEvent(String type, ResourceType resource, String namespace, ObjectNode object, long resourceVersion) {

    /** The object's name. */
    public String name() {
        return object.path("metadata").path("name").asText();
    }
}
