package io.knative.lambda.cli.platform;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.CliException;
import io.knative.lambda.cli.Http;
import io.knative.lambda.cli.Json;

/** The functions of local mode, read from the local cluster's Kubernetes API (reads need no token). */
final class LocalApiFunctions implements Functions {

    private static final String WHAT = "the local cluster";
    private final String api;
    private final String namespace;

    LocalApiFunctions(String api, String namespace) {
        this.api = api.endsWith("/") ? api.substring(0, api.length() - 1) : api;
        this.namespace = namespace;
    }

    @Override
    public List<JsonNode> services() {
        return items(api + "/apis/serving.knative.dev/v1/namespaces/" + namespace + "/services");
    }

    @Override
    public List<JsonNode> revisions(String service) {
        List<JsonNode> revisions = items(api + "/apis/serving.knative.dev/v1/namespaces/" + namespace + "/revisions"
                + "?labelSelector=" + URLEncoder.encode("serving.knative.dev/service=" + service, StandardCharsets.UTF_8));
        revisions.sort(Comparator.comparingLong(ClusterFunctions::generation));
        return revisions;
    }

    private static List<JsonNode> items(String url) {
        Http.Answer answer = Http.get(url, WHAT);
        if (answer.status() != 200) {
            throw new CliException(WHAT + " answered " + answer.status() + " to " + url + ": "
                    + Json.parse(answer.body(), WHAT).path("message").asText(""));
        }
        List<JsonNode> items = new ArrayList<>();
        Json.parse(answer.body(), WHAT).path("items").forEach(items::add);
        return items;
    }
}
