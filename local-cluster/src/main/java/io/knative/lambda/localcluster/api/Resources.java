package io.knative.lambda.localcluster.api;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import io.knative.lambda.localcluster.store.ApiException;
import io.knative.lambda.localcluster.store.Json;
import io.knative.lambda.localcluster.store.ObjectStore;
import io.knative.lambda.localcluster.store.Selector;

/** The verbs on served resources, from a parsed request to the store and back: get, list, create, update, delete, watch. */
final class Resources {

    /** What to answer: HTTP code and JSON body. */
    record Answer(int code, ObjectNode body) {
    }

    private final ObjectStore store;
    private final WatchStream watches;
    private final BooleanSupplier closed;

    Resources(ObjectStore store, WatchStream watches, BooleanSupplier closed) {
        this.store = store;
        this.watches = watches;
        this.closed = closed;
    }

    /**
     * @param table the Table version the client asked for ({@link Tables#requested}), or {@code null} for the objects
     */
    Answer call(String method, ApiPath p, Map<String, String> query, ObjectNode body, String table) {
        if (p.isCollection()) {
            return switch (method) {
                case "GET", "HEAD" -> new Answer(200, list(p, query, table));
                case "POST" -> {
                    if (p.namespace() == null) {
                        throw new ApiException(405, "MethodNotAllowed", "create needs a namespace in the path", null, null);
                    }
                    yield new Answer(201, store.create(p.type(), p.namespace(), body));
                }
                default -> throw notAllowed(method);
            };
        }
        return switch (method) {
            case "GET", "HEAD" -> {
                ObjectNode object = store.get(p.type(), p.namespace(), p.name())
                        .orElseThrow(() -> ApiException.notFound(p.type(), p.name()));
                yield new Answer(200, table == null ? object : Tables.of(p.type(), List.of(object), version(object), table,
                        Tables.includeObject(query.get("includeObject")), true, Instant.now()));
            }
            case "PUT" -> new Answer(200, p.status() ? store.updateStatus(p.type(), p.namespace(), p.name(), body)
                    : store.update(p.type(), p.namespace(), p.name(), body));
            case "DELETE" -> {
                if (p.status()) {
                    throw notAllowed(method);
                }
                yield new Answer(200, store.delete(p.type(), p.namespace(), p.name())
                        .orElseThrow(() -> ApiException.notFound(p.type(), p.name())));
            }
            default -> throw notAllowed(method);
        };
    }

    void watch(HttpExchange exchange, ApiPath p, Map<String, String> query, Duration timeout, boolean bookmarks,
            String table) throws IOException {
        WatchStream.View view = WatchStream.View.AS_IS;
        if (table != null) {
            String include = Tables.includeObject(query.get("includeObject"));
            view = (type, object) -> Tables.of(p.type(), "BOOKMARK".equals(type) ? List.of() : List.of(object),
                    version(object), table, include, true, Instant.now());
        }
        watches.serve(exchange, p.type(), p.namespace(), filter(query), query.get("resourceVersion"), timeout, bookmarks,
                closed, view);
    }

    private ObjectNode list(ApiPath p, Map<String, String> query, String table) {
        ObjectStore.Listed listed = store.list(p.type(), p.namespace(), filter(query));
        if (table != null) {
            return Tables.of(p.type(), listed.items(), listed.resourceVersion(), table,
                    Tables.includeObject(query.get("includeObject")), true, Instant.now());
        }
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("apiVersion", p.type().apiVersion());
        list.put("kind", p.type().listKind());
        list.putObject("metadata").put("resourceVersion", Long.toString(listed.resourceVersion()));
        ArrayNode items = list.putArray("items");
        listed.items().forEach(items::add);
        return list;
    }

    private static long version(ObjectNode object) {
        return object.path("metadata").path("resourceVersion").asLong();
    }

    private static Predicate<JsonNode> filter(Map<String, String> query) {
        return Selector.labels(query.get("labelSelector")).and(Selector.fields(query.get("fieldSelector")));
    }

    private static ApiException notAllowed(String method) {
        return new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource ("
                + method + ")", null, null);
    }
}
