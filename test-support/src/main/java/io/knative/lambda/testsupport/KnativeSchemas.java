package io.knative.lambda.testsupport;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Validates the Knative and Kubernetes objects the project writes against their published schemas,
 * obtained as dependencies: the npm packages {@code @kubernetes-models/knative} and
 * {@code kubernetes-models} pinned in {@code test-support/schemas/package.json} (installed into
 * {@code .tools/schemas} by {@code make tools} and the test-support build), run by
 * {@code test-support/schemas/validate.mjs}; for {@code KafkaSink}, which no such package holds,
 * fabric8's generated typed model ({@link TypedModelCheck}). Stricter than the API server on
 * purpose: an unknown field where the schema keeps no unknown fields is a violation (the API server
 * would silently prune it, losing the setting); names and labels follow the API server's rules.
 */
public final class KnativeSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DNS_1035 = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final Pattern LABEL_NAME = Pattern.compile("([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
            + "[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static NodeSchemaValidator validator;

    private KnativeSchemas() {
    }

    /** The checkout whose schema packages are used: system property {@code test.project.dir} (surefire sets it), else {@code ..}. */
    public static Path project() {
        return Path.of(System.getProperty("test.project.dir", "..")).toAbsolutePath().normalize();
    }

    /** Whether a published schema (or, for KafkaSink, the typed model) covers this kind. */
    public static boolean known(String apiVersion, String kind) {
        return TypedModelCheck.knows(apiVersion, kind) || validator().validate(JSON.createObjectNode()
                .put("apiVersion", apiVersion).put("kind", kind)).known();
    }

    /** Every violation of the object (a fabric8 model object or JSON text) against its published schema; empty when valid. */
    public static List<String> violations(Object object) {
        JsonNode node;
        try {
            node = JSON.readTree(object instanceof String s ? s : Serialization.asJson(object));
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
        String apiVersion = node.path("apiVersion").asText();
        String kind = node.path("kind").asText();
        List<String> violations = new ArrayList<>();
        if (TypedModelCheck.knows(apiVersion, kind)) {
            violations.addAll(TypedModelCheck.violations(node));
        } else {
            NodeSchemaValidator.Verdict verdict = validator().validate(node);
            if (!verdict.known()) {
                violations.add("no published schema for apiVersion '" + apiVersion + "' kind '" + kind + "'");
            }
            violations.addAll(verdict.violations());
        }
        violations.addAll(metadataViolations(node.path("metadata")));
        return violations;
    }

    /** Fails the test, naming every violation, unless the object is valid. */
    public static void assertValid(Object object) {
        List<String> violations = violations(object);
        if (!violations.isEmpty()) {
            throw new AssertionError("object violates its published schema:\n  " + String.join("\n  ", violations) + "\nobject: "
                    + (object instanceof String s ? s : Serialization.asJson(object)));
        }
    }

    private static synchronized NodeSchemaValidator validator() {
        if (validator == null) {
            validator = NodeSchemaValidator.start(project());
        }
        return validator;
    }

    private static List<String> metadataViolations(JsonNode metadata) {
        List<String> violations = new ArrayList<>();
        String name = metadata.path("name").asText("");
        if (name.length() > 63 || !DNS_1035.matcher(name).matches()) {
            violations.add("metadata.name '" + name + "' is not a DNS-1035 label of at most 63 characters");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = metadata.path("labels").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> label = it.next();
            if (!LABEL_NAME.matcher(label.getKey()).matches()) {
                violations.add("metadata.labels key '" + label.getKey() + "' is not a valid label name");
            }
            String value = label.getValue().asText();
            if (value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
                violations.add("metadata.labels['" + label.getKey() + "'] value '" + value + "' is not a valid label value");
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = metadata.path("annotations").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> annotation = it.next();
            if (!annotation.getValue().isTextual()) {
                violations.add("metadata.annotations['" + annotation.getKey() + "'] is not a string");
            }
        }
        return violations;
    }
}
