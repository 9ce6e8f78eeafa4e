package io.knative.lambda.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Validates objects against the upstream Knative CRDs (the {@code openAPIV3Schema} of their served
 * version), read from {@code ${test.shared.dir}/schemas} and never copied into the project. Stricter
 * than the API server in one way, on purpose: an unknown field where the schema does not preserve
 * unknown fields is a violation here (the API server would silently prune it, losing the setting).
 */
public final class KnativeSchemas {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();
    private static final Pattern DNS_1035 = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final Pattern LABEL_NAME = Pattern.compile("([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
            + "[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");

    private KnativeSchemas() {
    }

    /**
     * The folder holding {@code knative-serving/} and {@code knative-eventing/}: system property
     * {@code test.shared.dir} + {@code /schemas} (default {@code ../shared} beside the checkout). A missing
     * folder fails the test, with a message that says how to provide the CRDs.
     */
    public static Path folder() {
        return folder(System.getProperty("test.shared.dir", "../../shared"), "true".equalsIgnoreCase(System.getenv("CI")));
    }

    /** {@link #folder()} for a given shared folder and CI flag. */
    public static Path folder(String shared, boolean ci) {
        Path dir = Path.of(shared, "schemas");
        if (!Files.isRegularFile(dir.resolve("knative-serving/service.yaml"))
                || !Files.isRegularFile(dir.resolve("knative-eventing/trigger.yaml"))) {
            if (ci) {
                throw new AssertionError("CI=true and the upstream Knative CRDs are missing at " + dir.toAbsolutePath()
                        + " (knative-serving/service.yaml, knative-eventing/trigger.yaml): CI must lay shared/ beside the"
                        + " checkout");
            }
            throw new AssertionError("The upstream Knative CRDs are not at " + dir.toAbsolutePath() + ". Provide them: put the *-crds.yaml"
                    + " files of a Knative release (serving-crds.yaml split so that knative-serving/service.yaml holds the"
                    + " Service CRD, eventing-crds.yaml so that knative-eventing/trigger.yaml holds the Trigger CRD) in a"
                    + " folder <dir>/schemas and run Maven with -Dklambda.shared.dir=<dir> (surefire passes it as"
                    + " test.shared.dir).");
        }
        return dir;
    }

    /** Whether the upstream schemas hold a CRD for this kind. */
    public static boolean known(String apiVersion, String kind) {
        try {
            crd(apiVersion, kind);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The CRD file of a Knative kind this project writes or reads. */
    public static Path crd(String apiVersion, String kind) {
        String file = switch (apiVersion + "/" + kind) {
            case "serving.knative.dev/v1/Service" -> "knative-serving/service.yaml";
            case "serving.knative.dev/v1/Revision" -> "knative-serving/revision.yaml";
            case "serving.knative.dev/v1/Configuration" -> "knative-serving/configuration.yaml";
            case "serving.knative.dev/v1/Route" -> "knative-serving/route.yaml";
            case "eventing.knative.dev/v1/Trigger" -> "knative-eventing/trigger.yaml";
            case "eventing.knative.dev/v1/Broker" -> "knative-eventing/broker.yaml";
            case "sources.knative.dev/v1/SinkBinding" -> "knative-eventing/sinkbindings.yaml";
            case "sources.knative.dev/v1/ApiServerSource" -> "knative-eventing/apiserversource.yaml";
            case "sources.knative.dev/v1/PingSource" -> "knative-eventing/pingsource.yaml";
            case "sources.knative.dev/v1alpha1/IntegrationSource" -> "knative-eventing/integrationsource.yaml";
            case "sources.knative.dev/v1/KafkaSource", "sources.knative.dev/v1beta1/KafkaSource" ->
                "knative-eventing-kafka/100-kafka-source.yaml";
            default -> throw new IllegalArgumentException("no CRD known for " + apiVersion + " " + kind);
        };
        return folder().resolve(file);
    }

    /** Every violation of the object (a fabric8 model object or JSON text) against its CRD; empty when valid. */
    public static List<String> violations(Object object) {
        JsonNode node;
        try {
            node = JSON.readTree(object instanceof String s ? s : Serialization.asJson(object));
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
        String apiVersion = node.path("apiVersion").asText();
        String kind = node.path("kind").asText();
        Schema schema = SCHEMAS.computeIfAbsent(apiVersion + "/" + kind, k -> load(apiVersion, kind));
        List<String> violations = new ArrayList<>();
        for (Error error : schema.validate(node.toString(), InputFormat.JSON)) {
            violations.add(error.toString());
        }
        violations.addAll(metadataViolations(node.path("metadata")));
        return violations;
    }

    /** Fails the test, naming every violation, unless the object is valid. */
    public static void assertValid(Object object) {
        List<String> violations = violations(object);
        if (!violations.isEmpty()) {
            throw new AssertionError("object violates its upstream Knative CRD schema:\n  " + String.join("\n  ", violations) + "\nobject: "
                    + (object instanceof String s ? s : Serialization.asJson(object)));
        }
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

    private static Schema load(String apiVersion, String kind) {
        Path file = crd(apiVersion, kind);
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        try {
            JsonNode crd = YAML.readTree(Files.readString(file));
            JsonNode schema = null;
            for (JsonNode v : crd.path("spec").path("versions")) {
                if (version.equals(v.path("name").asText()) && v.path("served").asBoolean()) {
                    schema = v.path("schema").path("openAPIV3Schema");
                }
            }
            if (schema == null || schema.isMissingNode()) {
                throw new IllegalStateException(file + " serves no version " + version + " with an openAPIV3Schema");
            }
            ObjectNode strict = schema.deepCopy();
            // The API server accepts these at the root of every object, whether the CRD lists them or not.
            ObjectNode root = strict.with("properties");
            root.putIfAbsent("apiVersion", JSON.createObjectNode().put("type", "string"));
            root.putIfAbsent("kind", JSON.createObjectNode().put("type", "string"));
            root.putIfAbsent("metadata", JSON.createObjectNode().put("type", "object"));
            forbidUnknownFields(strict);
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(strict.toString(),
                    InputFormat.JSON);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * additionalProperties: false wherever the schema names its properties and does not preserve unknown
     * fields; then the Kubernetes extension keywords (x-kubernetes-*), which JSON Schema does not know, go.
     */
    private static void forbidUnknownFields(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("properties") && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)
                    && !object.has("additionalProperties")) {
                object.put("additionalProperties", false);
            }
            List<String> extensions = new ArrayList<>();
            object.fieldNames().forEachRemaining(n -> {
                if (n.startsWith("x-kubernetes-") && !(object.get(n).isObject() && object.get(n).has("type"))) {
                    extensions.add(n);
                }
            });
            object.remove(extensions);
            object.fields().forEachRemaining(e -> forbidUnknownFields(e.getValue()));
        } else if (node instanceof ArrayNode array) {
            array.forEach(KnativeSchemas::forbidUnknownFields);
        }
    }
}
