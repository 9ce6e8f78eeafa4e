package io.knative.lambda.localcluster.ingress;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.knative.lambda.localcluster.serving.RevisionRunner;
import io.knative.lambda.localcluster.store.ObjectStore;
import io.knative.lambda.localcluster.store.ResourceType;
import io.knative.lambda.localcluster.store.WatchEvent;

/**
 * Which process answers a host, as Knative's route does: {@code {service}.{namespace}.{domain}[:port]} names a Service;
 * its {@code status.traffic} names the revisions that take its requests (by percent; a pinned rollback names one); the
 * runner says where that revision's process listens. The Services' traffic is kept here from the store's changes, so
 * that a request costs a map lookup.
 */
final class Routes implements AutoCloseable {

    /** Where a request for a host goes. */
    sealed interface Route {
        /** No function has this host. */
        record Unknown(String message) implements Route {
        }

        /** The function exists but nothing answers for it now. */
        record NotReady(String message) implements Route {
        }

        /** The URL of the process that answers, ending in {@code /}. */
        record Ready(String endpoint) implements Route {
        }
    }

    private record Target(String revision, long percent) {
    }

    /** A Service's routable traffic (empty while it is not ready) and, then, why. */
    private record Entry(List<Target> targets, String notReady) {
    }

    private final String domain;
    private final RevisionRunner runner;
    private final Map<String, Entry> services = new ConcurrentHashMap<>();
    private final ObjectStore.Subscription subscription;

    /** Follows the Services of {@code store}; hosts are {@code {service}.{namespace}.{domain}}. */
    Routes(ObjectStore store, RevisionRunner runner, String domain) {
        this.domain = domain.toLowerCase(Locale.ROOT);
        this.runner = runner;
        ObjectStore.Listed now = store.list(ResourceType.SERVICES, null, o -> true);
        now.items().forEach(this::learn);
        this.subscription = store.subscribe(now.resourceVersion(), this::changed);
    }

    /** The route of a request whose host (Host header or absolute URI) is {@code host}. */
    Route resolve(String host) {
        if (host == null || host.isBlank()) {
            return new Route.Unknown("the request names no host; call http://{service}.{namespace}." + domain + ":PORT/");
        }
        String name = host.toLowerCase(Locale.ROOT).replaceFirst(":\\d+$", "");
        String suffix = "." + domain;
        String rest = name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : "";
        int dot = rest.indexOf('.');
        if (dot <= 0 || dot == rest.length() - 1 || rest.indexOf('.', dot + 1) >= 0) {
            return new Route.Unknown("no function answers at host '" + host + "': function URLs are http://{service}"
                    + ".{namespace}." + domain + ":PORT/ (kubectl get ksvc shows them)");
        }
        String service = rest.substring(0, dot);
        String namespace = rest.substring(dot + 1);
        Entry entry = services.get(namespace + "/" + service);
        if (entry == null) {
            return new Route.Unknown("no function '" + service + "' in namespace '" + namespace + "'");
        }
        if (entry.targets().isEmpty()) {
            return new Route.NotReady("function '" + service + "' is not ready: " + entry.notReady());
        }
        Target target = pick(entry.targets());
        Optional<String> endpoint = runner.endpoint(namespace, target.revision());
        return endpoint.<Route>map(Route.Ready::new).orElseGet(() -> new Route.NotReady("function '" + service
                + "': its revision " + target.revision() + " is not running now; retry"));
    }

    private void changed(WatchEvent e) {
        if (e.resource().equals(ResourceType.SERVICES)) {
            if ("DELETED".equals(e.type())) {
                services.remove(e.namespace() + "/" + e.name());
            } else {
                learn(e.object());
            }
        }
    }

    private void learn(ObjectNode service) {
        JsonNode metadata = service.path("metadata");
        JsonNode status = service.path("status");
        List<Target> targets = new ArrayList<>();
        for (JsonNode t : status.path("traffic")) {
            long percent = t.path("percent").asLong(0);
            String revision = t.path("revisionName").asText("");
            if (percent > 0 && !revision.isEmpty()) {
                targets.add(new Target(revision, percent));
            }
        }
        String why = "it has no ready revision yet";
        for (JsonNode c : status.path("conditions")) {
            if ("Ready".equals(c.path("type").asText()) && !"True".equals(c.path("status").asText())) {
                why = c.path("reason").asText("NotReady") + (c.hasNonNull("message") ? ": " + c.get("message").asText() : "");
            }
        }
        services.put(metadata.path("namespace").asText() + "/" + metadata.path("name").asText(),
                new Entry(List.copyOf(targets), why));
    }

    /** A target by its share of the traffic. */
    private static Target pick(List<Target> targets) {
        if (targets.size() == 1) {
            return targets.get(0);
        }
        long total = targets.stream().mapToLong(Target::percent).sum();
        long draw = ThreadLocalRandom.current().nextLong(total);
        for (Target t : targets) {
            draw -= t.percent();
            if (draw < 0) {
                return t;
            }
        }
        return targets.get(targets.size() - 1);
    }

    @Override
    public void close() {
        subscription.close();
    }
}
