package io.knative.lambda.localcluster.api;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import io.knative.lambda.localcluster.store.ApiException;
import io.knative.lambda.localcluster.store.Json;
import io.knative.lambda.localcluster.store.ObjectStore;
import io.knative.lambda.localcluster.store.ResourceType;
import io.knative.lambda.localcluster.store.WatchEvent;

/**
 * One {@code ?watch=true} request: a chunked stream of JSON watch events ({@code {"type":"ADDED|MODIFIED|DELETED",
 * "object":{...}}}, one per line) from a resourceVersion on (without one, or with {@code 0}, the current objects
 * first as ADDED), {@code BOOKMARK}s while idle when the client allows them, an {@code ERROR} event with a 410
 * Status when the version is too old to resume from, and the end of the stream at {@code timeoutSeconds}.
 */
final class WatchStream {

    /** Events a slow client may have pending before its watch is ended (it lists and watches again). */
    private static final int BACKLOG = 10_000;
    private static final Duration BOOKMARK_EVERY = Duration.ofSeconds(10);
    private static final Duration LONGEST = Duration.ofMinutes(30);

    /** How a watched object is written: as it is, or as the Table kubectl asked for. */
    @FunctionalInterface
    interface View {
        /** Writes objects as they are. */
        View AS_IS = (type, object) -> object;

        /** The event's object as written, for an event of {@code type} (ADDED, MODIFIED, DELETED, BOOKMARK). */
        ObjectNode object(String type, ObjectNode object);
    }

    private final ObjectStore store;

    WatchStream(ObjectStore store) {
        this.store = store;
    }

    void serve(HttpExchange exchange, ResourceType type, String namespace, Predicate<JsonNode> filter, String fromVersion,
            Duration timeout, boolean bookmarks, BooleanSupplier closed, View view) throws IOException {
        BlockingQueue<ObjectNode> queue = new LinkedBlockingQueue<>(BACKLOG);
        java.util.concurrent.atomic.AtomicBoolean overflow = new java.util.concurrent.atomic.AtomicBoolean();
        long from;
        if (fromVersion == null || fromVersion.isEmpty() || "0".equals(fromVersion)) {
            ObjectStore.Listed now = store.list(type, namespace, filter);
            now.items().forEach(o -> queue.add(event("ADDED", o)));
            from = now.resourceVersion();
        } else {
            try {
                from = Long.parseLong(fromVersion);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid resourceVersion \"" + fromVersion + "\"");
            }
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache, private");
        exchange.sendResponseHeaders(200, 0);
        ObjectStore.Subscription subscription = null;
        try (OutputStream out = exchange.getResponseBody()) {
            try {
                subscription = store.subscribe(from, e -> {
                    if (matches(e, type, namespace, filter) && !queue.offer(event(e.type(), e.object()))) {
                        overflow.set(true);
                    }
                });
            } catch (ApiException expired) {
                ObjectNode error = Json.MAPPER.createObjectNode();
                error.put("type", "ERROR");
                error.set("object", Statuses.failure(expired));
                write(out, error);
                return;
            }
            long deadline = System.nanoTime() + Math.min(timeout.toNanos(), LONGEST.toNanos());
            long idleSince = System.nanoTime();
            while (!closed.getAsBoolean() && !overflow.get() && System.nanoTime() < deadline) {
                ObjectNode next = queue.poll(500, TimeUnit.MILLISECONDS);
                if (next != null) {
                    String kind = next.get("type").asText();
                    write(out, event(kind, view.object(kind, (ObjectNode) next.get("object"))));
                    idleSince = System.nanoTime();
                } else if (bookmarks && System.nanoTime() - idleSince > BOOKMARK_EVERY.toNanos()) {
                    ObjectNode bookmark = bookmark(type, store.resourceVersion());
                    write(out, event("BOOKMARK", view.object("BOOKMARK", (ObjectNode) bookmark.get("object"))));
                    idleSince = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientGone) {
            // the client closed the watch
        } finally {
            if (subscription != null) {
                subscription.close();
            }
        }
    }

    private static boolean matches(WatchEvent e, ResourceType type, String namespace, Predicate<JsonNode> filter) {
        return e.resource().equals(type) && (namespace == null || namespace.equals(e.namespace())) && filter.test(e.object());
    }

    private static ObjectNode event(String type, ObjectNode object) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.put("type", type);
        event.set("object", object);
        return event;
    }

    private static ObjectNode bookmark(ResourceType type, long version) {
        ObjectNode object = Json.MAPPER.createObjectNode();
        object.put("kind", type.kind());
        object.put("apiVersion", type.apiVersion());
        object.putObject("metadata").put("resourceVersion", Long.toString(version));
        return event("BOOKMARK", object);
    }

    private static void write(OutputStream out, ObjectNode event) throws IOException {
        out.write(Json.bytes(event));
        out.write('\n');
        out.flush();
    }
}
