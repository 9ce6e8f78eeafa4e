package io.knative.lambda.localcluster.api;

import java.util.LinkedHashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.knative.lambda.localcluster.store.Json;
import io.knative.lambda.localcluster.store.ResourceType;

/**
 * The discovery documents clients read before they call: {@code /version}, {@code /api}, {@code /api/v1},
 * {@code /apis}, {@code /apis/<group>} and {@code /apis/<group>/<version>} (an APIResourceList naming each
 * served resource with its verbs, short names and status subresource). Only the legacy documents: a client that asks
 * for aggregated discovery ({@code as=APIGroupDiscoveryList}, kubectl 1.26+) gets {@code application/json} and falls
 * back to them, as it does with any server that does not aggregate.
 */
final class Discovery {

    private Discovery() {
    }

    static ObjectNode version() {
        ObjectNode v = Json.MAPPER.createObjectNode();
        v.put("major", "1");
        v.put("minor", "32");
        v.put("gitVersion", "v1.32.0-knative-lambda-local");
        v.put("platform", System.getProperty("os.name").toLowerCase() + "/" + System.getProperty("os.arch"));
        return v;
    }

    /**
     * {@code /api}: no version of the core group is served (no Pods, no Namespaces), so clients (kubectl's discovery)
     * do not ask for {@code /api/v1} and find nothing there.
     */
    static ObjectNode coreVersions() {
        ObjectNode v = Json.MAPPER.createObjectNode();
        v.put("kind", "APIVersions");
        v.putArray("versions");
        return v;
    }

    static ObjectNode coreResources() {
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("kind", "APIResourceList");
        list.put("groupVersion", "v1");
        list.putArray("resources");
        return list;
    }

    static ObjectNode groups() {
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("kind", "APIGroupList");
        list.put("apiVersion", "v1");
        ArrayNode groups = list.putArray("groups");
        groupNames().forEach(g -> groups.add(group(g)));
        return list;
    }

    /** The APIGroup document, or {@code null} when the group is not served. */
    static ObjectNode group(String name) {
        if (!groupNames().contains(name)) {
            return null;
        }
        ObjectNode group = Json.MAPPER.createObjectNode();
        group.put("kind", "APIGroup");
        group.put("apiVersion", "v1");
        group.put("name", name);
        ObjectNode version = Json.MAPPER.createObjectNode();
        version.put("groupVersion", name + "/v1");
        version.put("version", "v1");
        group.putArray("versions").add(version);
        group.set("preferredVersion", version.deepCopy());
        return group;
    }

    /** The APIResourceList of {@code group/version}, or {@code null} when it is not served. */
    static ObjectNode resources(String group, String version) {
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("kind", "APIResourceList");
        list.put("apiVersion", "v1");
        list.put("groupVersion", group + "/" + version);
        ArrayNode resources = list.putArray("resources");
        for (ResourceType t : ResourceType.ALL) {
            if (t.group().equals(group) && t.version().equals(version)) {
                ObjectNode r = resources.addObject();
                r.put("name", t.plural());
                r.put("singularName", t.singular());
                r.put("namespaced", true);
                r.put("kind", t.kind());
                ArrayNode verbs = r.putArray("verbs");
                for (String verb : new String[] { "create", "delete", "get", "list", "update", "watch" }) {
                    verbs.add(verb);
                }
                ArrayNode shortNames = r.putArray("shortNames");
                t.shortNames().forEach(shortNames::add);
                ArrayNode categories = r.putArray("categories");
                t.categories().forEach(categories::add);
                ObjectNode status = resources.addObject();
                status.put("name", t.plural() + "/status");
                status.put("singularName", "");
                status.put("namespaced", true);
                status.put("kind", t.kind());
                status.putArray("verbs").add("get").add("update");
            }
        }
        return resources.isEmpty() ? null : list;
    }

    private static Set<String> groupNames() {
        Set<String> names = new LinkedHashSet<>();
        ResourceType.ALL.forEach(t -> names.add(t.group()));
        return names;
    }
}
