package io.knative.lambda.localcluster.store;

import java.util.List;

/**
 * One kind of object the local cluster serves, as the Kubernetes API names it: group, version, plural
 * (the path segment), kind, short names. Every kind here is namespaced and has a status subresource.
 */
public record ResourceType(String group, String version, String plural, String singular, String kind,
        List<String> shortNames, List<String> categories) {

    /** Knative Serving's Service ({@code ksvc}). */
    public static final ResourceType SERVICES = new ResourceType("serving.knative.dev", "v1", "services", "service",
            "Service", List.of("kservice", "ksvc"), List.of("all", "knative", "serving"));
    /** Knative Serving's Revision ({@code rev}), written by the Serving controller only. */
    public static final ResourceType REVISIONS = new ResourceType("serving.knative.dev", "v1", "revisions", "revision",
            "Revision", List.of("rev"), List.of("all", "knative", "serving"));
    /** Knative Eventing's Trigger. */
    public static final ResourceType TRIGGERS = new ResourceType("eventing.knative.dev", "v1", "triggers", "trigger",
            "Trigger", List.of(), List.of("all", "knative", "eventing"));

    /** Every kind served. */
    public static final List<ResourceType> ALL = List.of(SERVICES, REVISIONS, TRIGGERS);

    /** {@code group/version}, the objects' {@code apiVersion}. */
    public String apiVersion() {
        return group + "/" + version;
    }

    /** {@code plural.group}, as Kubernetes names the resource in its messages. */
    public String qualifiedName() {
        return plural + "." + group;
    }

    /** The kind of a list of these objects. */
    public String listKind() {
        return kind + "List";
    }

    /** The served kind at {@code group/version/plural}, or {@code null}. */
    public static ResourceType find(String group, String version, String plural) {
        for (ResourceType t : ALL) {
            if (t.group.equals(group) && t.version.equals(version) && t.plural.equals(plural)) {
                return t;
            }
        }
        return null;
    }
}
