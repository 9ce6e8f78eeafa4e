package io.knative.lambda.localcluster.store;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The objects of the local cluster, kept as JSON trees with the semantics of a Kubernetes API server that
 * clients rely on: the server sets {@code uid}, {@code creationTimestamp}, {@code resourceVersion} (one
 * counter for the whole store) and {@code generation} (bumped when anything but metadata and status
 * changes); an update must carry the current resourceVersion (409 otherwise); status is a subresource
 * (ignored on create and update, written only by {@link #updateStatus}); deleting an object deletes its
 * dependents ({@code ownerReferences}). Every change is an event for watchers, kept in a bounded history
 * so that a watch can resume from a resourceVersion. Thread-safe; what it returns is a copy.
 */
public final class ObjectStore {

    private final Clock clock;
    private final Map<ResourceType, TreeMap<String, ObjectNode>> objects = new java.util.HashMap<>();
    private final ChangeLog changes = new ChangeLog();
    private long resourceVersion;

    public ObjectStore(Clock clock) {
        this.clock = clock;
        ResourceType.ALL.forEach(t -> objects.put(t, new TreeMap<>()));
    }

    /** The store's current resourceVersion. */
    public synchronized long resourceVersion() {
        return resourceVersion;
    }

    /**
     * Continues the resourceVersion counter from {@code version} when it is ahead (state reloaded across a restart):
     * versions a client saw before the restart are never handed out again for other changes.
     */
    public synchronized void resumeAt(long version) {
        if (version > resourceVersion) {
            resourceVersion = version;
        }
    }

    /** Creates {@code object} in {@code namespace}: 409 AlreadyExists when its name is taken. */
    public synchronized ObjectNode create(ResourceType type, String namespace, ObjectNode object) {
        Admission.namespace(namespace);
        Admission.check(type, namespace, object);
        String name = object.path("metadata").path("name").asText();
        TreeMap<String, ObjectNode> all = objects.get(type);
        if (all.containsKey(key(namespace, name))) {
            throw ApiException.alreadyExists(type, name);
        }
        ObjectNode stored = object.deepCopy();
        stored.put("apiVersion", type.apiVersion());
        stored.put("kind", type.kind());
        stored.remove("status");
        ObjectNode metadata = stored.with("metadata");
        metadata.put("namespace", namespace);
        metadata.put("uid", UUID.randomUUID().toString());
        metadata.put("creationTimestamp", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        metadata.put("generation", 1L);
        metadata.remove("deletionTimestamp");
        return put(type, namespace, stored, "ADDED");
    }

    /**
     * Puts an object as it was kept earlier (its uid, creationTimestamp and generation as they are, stamped when
     * missing; a new resourceVersion), replacing one of the same name: state reloaded across a restart, or a
     * test's history.
     */
    public synchronized ObjectNode restore(ResourceType type, String namespace, ObjectNode object) {
        Admission.namespace(namespace);
        Admission.check(type, namespace, object);
        ObjectNode stored = object.deepCopy();
        stored.put("apiVersion", type.apiVersion());
        stored.put("kind", type.kind());
        ObjectNode metadata = (ObjectNode) stored.get("metadata");
        metadata.put("namespace", namespace);
        if (!metadata.hasNonNull("uid")) {
            metadata.put("uid", UUID.randomUUID().toString());
        }
        if (!metadata.hasNonNull("creationTimestamp")) {
            metadata.put("creationTimestamp", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        }
        if (!metadata.hasNonNull("generation")) {
            metadata.put("generation", 1L);
        }
        boolean existed = objects.get(type).containsKey(key(namespace, metadata.path("name").asText()));
        return put(type, namespace, stored, existed ? "MODIFIED" : "ADDED");
    }

    /** The object, if it exists. */
    public synchronized Optional<ObjectNode> get(ResourceType type, String namespace, String name) {
        return Optional.ofNullable(objects.get(type).get(key(namespace, name))).map(ObjectNode::deepCopy);
    }

    /** The objects of a namespace ({@code null}: every namespace) that {@code filter} accepts, in name order. */
    public synchronized Listed list(ResourceType type, String namespace, Predicate<JsonNode> filter) {
        List<ObjectNode> items = new ArrayList<>();
        for (ObjectNode o : objects.get(type).values()) {
            if ((namespace == null || namespace.equals(o.path("metadata").path("namespace").asText())) && filter.test(o)) {
                items.add(o.deepCopy());
            }
        }
        return new Listed(items, resourceVersion);
    }

    /**
     * Replaces the object's metadata and spec (its status is kept), guarded by {@code metadata.resourceVersion}:
     * 404 when it does not exist, 409 Conflict when the version is stale, 422 when it is missing.
     */
    public synchronized ObjectNode update(ResourceType type, String namespace, String name, ObjectNode object) {
        ObjectNode current = current(type, namespace, name, object);
        ObjectNode stored = object.deepCopy();
        stored.put("apiVersion", type.apiVersion());
        stored.put("kind", type.kind());
        if (current.has("status")) {
            stored.set("status", current.get("status").deepCopy());
        } else {
            stored.remove("status");
        }
        ObjectNode metadata = stored.with("metadata");
        JsonNode was = current.path("metadata");
        metadata.put("namespace", namespace);
        metadata.set("uid", was.get("uid"));
        metadata.set("creationTimestamp", was.get("creationTimestamp"));
        long generation = was.path("generation").asLong(1);
        metadata.put("generation", specChanged(current, stored) ? generation + 1 : generation);
        if (current.equals(withVersion(stored, was.path("resourceVersion").asText()))) {
            return current.deepCopy(); // nothing changed: no new resourceVersion, no event, as an API server does
        }
        return put(type, namespace, stored, "MODIFIED");
    }

    /** Replaces only the object's status (the {@code /status} subresource), guarded like {@link #update}. */
    public synchronized ObjectNode updateStatus(ResourceType type, String namespace, String name, ObjectNode object) {
        ObjectNode current = current(type, namespace, name, object);
        ObjectNode stored = current.deepCopy();
        if (object.has("status") && !object.get("status").isNull()) {
            stored.set("status", object.get("status").deepCopy());
        } else {
            stored.remove("status");
        }
        if (stored.equals(current)) {
            return current.deepCopy();
        }
        return put(type, namespace, stored, "MODIFIED");
    }

    /** Deletes the object and, after it, every object that names it in its {@code ownerReferences}; empty if it did not exist. */
    public synchronized Optional<ObjectNode> delete(ResourceType type, String namespace, String name) {
        ObjectNode removed = objects.get(type).remove(key(namespace, name));
        if (removed == null) {
            return Optional.empty();
        }
        ObjectNode gone = withVersion(removed, Long.toString(++resourceVersion));
        changes.emit(new WatchEvent("DELETED", type, namespace, gone, resourceVersion));
        String uid = removed.path("metadata").path("uid").asText();
        for (ResourceType t : ResourceType.ALL) {
            for (ObjectNode dependent : List.copyOf(objects.get(t).values())) {
                if (namespace.equals(dependent.path("metadata").path("namespace").asText()) && owned(dependent, uid)) {
                    delete(t, namespace, dependent.path("metadata").path("name").asText());
                }
            }
        }
        return Optional.of(gone.deepCopy());
    }

    /**
     * Calls {@code listener} with every change after {@code fromVersion} still in the history, then with every
     * new change, in order, on the writer's thread while the store is locked: it must only hand the event on.
     *
     * @throws ApiException 410 Expired when changes after {@code fromVersion} are no longer in the history
     */
    public synchronized Subscription subscribe(long fromVersion, Consumer<WatchEvent> listener) {
        return changes.subscribe(fromVersion, resourceVersion, listener);
    }

    /** Stops a {@link #subscribe subscription}. */
    @FunctionalInterface
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Waits until {@code condition} holds for the object (empty when it does not exist), checked now and after
     * every change of it, at most {@code timeout}; the object that met it, or {@code null} on timeout.
     */
    public Optional<Optional<ObjectNode>> await(ResourceType type, String namespace, String name,
            Predicate<Optional<ObjectNode>> condition, Duration timeout) {
        Object signal = new Object();
        long[] seen = { -1 };
        Consumer<WatchEvent> wake = e -> {
            if (e.resource().equals(type) && e.namespace().equals(namespace) && e.name().equals(name)) {
                synchronized (signal) {
                    seen[0] = e.resourceVersion();
                    signal.notifyAll();
                }
            }
        };
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Subscription ignored = subscribe(resourceVersion(), wake)) {
            while (true) {
                long checked;
                synchronized (signal) {
                    checked = seen[0];
                }
                Optional<ObjectNode> now = get(type, namespace, name);
                if (condition.test(now)) {
                    return Optional.of(now);
                }
                synchronized (signal) {
                    while (seen[0] == checked) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            return Optional.empty();
                        }
                        signal.wait(Math.max(1, left / 1_000_000));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** What a list returns: copies of the items and the store's resourceVersion when they were read. */
    public record Listed(List<ObjectNode> items, long resourceVersion) {
    }

    // ---------------------------------------------------------------------------------------------------------------

    private ObjectNode current(ResourceType type, String namespace, String name, ObjectNode object) {
        Admission.namespace(namespace);
        Admission.check(type, namespace, object);
        if (!name.equals(object.path("metadata").path("name").asText())) {
            throw ApiException.badRequest("the name of the object (" + object.path("metadata").path("name").asText()
                    + ") does not match the name on the URL (" + name + ")");
        }
        ObjectNode current = objects.get(type).get(key(namespace, name));
        if (current == null) {
            throw ApiException.notFound(type, name);
        }
        String version = object.path("metadata").path("resourceVersion").asText("");
        if (version.isEmpty()) {
            throw ApiException.invalid(type, name, "metadata.resourceVersion: Invalid value: 0x0: must be specified for an"
                    + " update");
        }
        if (!version.equals(current.path("metadata").path("resourceVersion").asText())) {
            throw ApiException.conflict(type, name);
        }
        return current;
    }

    private ObjectNode put(ResourceType type, String namespace, ObjectNode stored, String eventType) {
        ObjectNode versioned = withVersion(stored, Long.toString(++resourceVersion));
        objects.get(type).put(key(namespace, versioned.path("metadata").path("name").asText()), versioned);
        changes.emit(new WatchEvent(eventType, type, namespace, versioned, resourceVersion));
        return versioned.deepCopy();
    }

    private static ObjectNode withVersion(ObjectNode object, String version) {
        ObjectNode copy = object.deepCopy();
        copy.with("metadata").put("resourceVersion", version);
        return copy;
    }

    private static boolean specChanged(ObjectNode before, ObjectNode after) {
        return !withoutMetadataAndStatus(before).equals(withoutMetadataAndStatus(after));
    }

    private static ObjectNode withoutMetadataAndStatus(ObjectNode object) {
        ObjectNode copy = object.deepCopy();
        copy.remove(List.of("metadata", "status", "apiVersion", "kind"));
        return copy;
    }

    private static boolean owned(JsonNode object, String uid) {
        for (Iterator<JsonNode> it = object.path("metadata").path("ownerReferences").elements(); it.hasNext();) {
            if (uid.equals(it.next().path("uid").asText())) {
                return true;
            }
        }
        return false;
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
