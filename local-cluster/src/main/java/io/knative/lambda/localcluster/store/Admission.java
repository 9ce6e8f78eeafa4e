package io.knative.lambda.localcluster.store;

import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the API server refuses before storing (422 Invalid, 400 BadRequest): names that are not DNS names,
 * an {@code apiVersion}/{@code kind} or namespace that does not match the path, and the few rules of
 * Knative's webhook that matter here (a Service is a DNS-1035 label of at most 63 characters and runs
 * exactly one container with an image). The CRDs' full schemas are not checked.
 */
final class Admission {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_1035 = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private Admission() {
    }

    /** A namespace in a path: a DNS-1123 label. */
    static void namespace(String namespace) {
        if (namespace == null || namespace.length() > 63 || !DNS_LABEL.matcher(namespace).matches()) {
            throw ApiException.badRequest("invalid namespace \"" + namespace + "\": a lowercase RFC 1123 label must consist"
                    + " of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character");
        }
    }

    /** The object as sent for {@code namespace}: kind, apiVersion, name and namespace agree with the request. */
    static void check(ResourceType type, String namespace, JsonNode object) {
        String kind = object.path("kind").asText("");
        String apiVersion = object.path("apiVersion").asText("");
        if (!kind.isEmpty() && !kind.equals(type.kind()) || !apiVersion.isEmpty() && !apiVersion.equals(type.apiVersion())) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion + ") and kind (" + kind
                    + ") do not match " + type.apiVersion() + " " + type.kind());
        }
        JsonNode metadata = object.path("metadata");
        String bodyNamespace = metadata.path("namespace").asText("");
        if (!bodyNamespace.isEmpty() && !bodyNamespace.equals(namespace)) {
            throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the"
                    + " request");
        }
        String name = metadata.path("name").asText("");
        if (name.isEmpty()) {
            throw ApiException.invalid(type, name, "metadata.name: Required value: name is required");
        }
        if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
            throw ApiException.invalid(type, name, "metadata.name: Invalid value: \"" + name
                    + "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'");
        }
        if (type.equals(ResourceType.SERVICES)) {
            service(name, object);
        }
    }

    private static void service(String name, JsonNode service) {
        if (name.length() > 63 || !DNS_1035.matcher(name).matches()) {
            throw ApiException.invalid(ResourceType.SERVICES, name, "metadata.name: Invalid value: \"" + name
                    + "\": a DNS-1035 label of at most 63 characters is required");
        }
        JsonNode containers = service.path("spec").path("template").path("spec").path("containers");
        if (!containers.isArray() || containers.size() != 1) {
            throw ApiException.invalid(ResourceType.SERVICES, name, "spec.template.spec.containers: exactly one container"
                    + " is required");
        }
        if (containers.get(0).path("image").asText("").isBlank()) {
            throw ApiException.invalid(ResourceType.SERVICES, name, "spec.template.spec.containers[0].image: Required value");
        }
    }
}
