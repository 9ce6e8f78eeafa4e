package io.knative.lambda.localcluster.api;

import java.io.IOException;
import java.time.Duration;
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

    Answer call(String method, ApiPath p, Map<String, String> query, ObjectNode body) {
        if (p.isCollection()) {
            return switch (method) {
                case "GET", "HEAD" -> new Answer(200, list(p, query));
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
            case "GET", "HEAD" -> new Answer(200, store.get(p.type(), p.namespace(), p.name())
                    .orElseThrow(() -> ApiException.notFound(p.type(), p.name())));
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

    void watch(HttpExchange exchange, ApiPath p, Map<String, String> query, Duration timeout, boolean bookmarks)
            throws IOException {
        watches.serve(exchange, p.type(), p.namespace(), filter(query), query.get("resourceVersion"), timeout, bookmarks,
                closed);
    }

    private ObjectNode list(ApiPath p, Map<String, String> query) {
        ObjectStore.Listed listed = store.list(p.type(), p.namespace(), filter(query));
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("apiVersion", p.type().apiVersion());
        list.put("kind", p.type().listKind());
        list.putObject("metadata").put("resourceVersion", Long.toString(listed.resourceVersion()));
        ArrayNode items = list.putArray("items");
        listed.items().forEach(items::add);
        return list;
    }

    private static Predicate<JsonNode> filter(Map<String, String> query) {
        return Selector.labels(query.get("labelSelector")).and(Selector.fields(query.get("fieldSelector")));
    }

    private static ApiException notAllowed(String method) {
        return new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource ("
                + method + ")", null, null);
    }
}
