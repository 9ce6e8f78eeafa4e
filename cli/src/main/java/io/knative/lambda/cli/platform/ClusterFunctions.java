package io.knative.lambda.cli.platform;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.Json;

/** A cluster's functions: the Knative Services and Revisions of the namespace, read through {@link ClusterApi}. */
final class ClusterFunctions implements Functions {

    private final ClusterApi api;
    private final String namespace;

    ClusterFunctions(ClusterApi api, String namespace) {
        this.api = api;
        this.namespace = namespace;
    }

    @Override
    public List<JsonNode> services() {
        return api.call("list the Knative Services of " + namespace, c -> json(ClusterApi.knative(c).services()
                .inNamespace(namespace).list().getItems()));
    }

    @Override
    public List<JsonNode> revisions(String service) {
        List<JsonNode> revisions = api.call("list the Revisions of " + service, c -> json(ClusterApi.knative(c).revisions()
                .inNamespace(namespace).withLabel(SERVICE_LABEL, service).list().getItems()));
        revisions.sort(Comparator.comparingLong(ClusterFunctions::generation));
        return revisions;
    }

    /** The label Knative puts on a Service's Revisions and pods. */
    static final String SERVICE_LABEL = "serving.knative.dev/service";

    /** A revision's number (its configuration generation), for ordering. */
    static long generation(JsonNode revision) {
        return revision.path("metadata").path("labels").path("serving.knative.dev/configurationGeneration").asLong(0);
    }

    private static List<JsonNode> json(List<?> items) {
        List<JsonNode> out = new ArrayList<>();
        items.forEach(i -> out.add(Json.MAPPER.valueToTree(i)));
        return out;
    }
}
