package io.knative.lambda.localcluster.api;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.localcluster.store.ResourceType;

/**
 * The columns {@code kubectl get} prints for each served kind: NAME, then the {@code additionalPrinterColumns} of
 * the published CRDs (Knative Serving's {@code services.serving.knative.dev} and {@code revisions.serving.knative.dev},
 * Knative Eventing's {@code triggers.eventing.knative.dev}), each with its JSONPath, evaluated here for the forms those
 * CRDs use: {@code .a.b}, {@code .a['b\.c']} and {@code .a[?(@.type=='Ready')].b}.
 */
final class PrinterColumns {

    /** One column: its definition as a Table's {@code columnDefinitions} entry, and its JSONPath. */
    record Column(String name, String type, String format, String description, String jsonPath) {
    }

    private static final String READY_STATUS = ".status.conditions[?(@.type=='Ready')].status";
    private static final String READY_REASON = ".status.conditions[?(@.type=='Ready')].reason";
    private static final Column NAME = new Column("Name", "string", "name", "Name must be unique within a namespace.",
            ".metadata.name");
    private static final Column AGE = new Column("Age", "date", "", "CreationTimestamp is the time the object was created.",
            ".metadata.creationTimestamp");

    private static final Map<ResourceType, List<Column>> COLUMNS = Map.of(
            ResourceType.SERVICES, List.of(NAME,
                    string("URL", ".status.url"),
                    string("LatestCreated", ".status.latestCreatedRevisionName"),
                    string("LatestReady", ".status.latestReadyRevisionName"),
                    string("Ready", READY_STATUS),
                    string("Reason", READY_REASON)),
            ResourceType.REVISIONS, List.of(NAME,
                    string("Config Name", ".metadata.labels['serving\\.knative\\.dev/configuration']"),
                    string("Generation", ".metadata.labels['serving\\.knative\\.dev/configurationGeneration']"),
                    string("Ready", READY_STATUS),
                    string("Reason", READY_REASON),
                    new Column("Actual Replicas", "integer", "", "", ".status.actualReplicas"),
                    new Column("Desired Replicas", "integer", "", "", ".status.desiredReplicas")),
            ResourceType.TRIGGERS, List.of(NAME,
                    string("Broker", ".spec.broker"),
                    string("Subscriber_URI", ".status.subscriberUri"),
                    AGE,
                    string("Ready", READY_STATUS),
                    string("Reason", READY_REASON)));

    private static final Pattern STEP = Pattern.compile("\\.([A-Za-z0-9_]+)|\\['((?:[^'\\\\]|\\\\.)*)'\\]"
            + "|\\[\\?\\(@\\.([A-Za-z0-9_]+)=='([^']*)'\\)\\]");

    private PrinterColumns() {
    }

    /** The columns of {@code type}, NAME first. */
    static List<Column> of(ResourceType type) {
        return COLUMNS.get(type);
    }

    /** The value at {@code jsonPath} in {@code object}, or {@code null} when nothing is there. */
    static JsonNode value(JsonNode object, String jsonPath) {
        Matcher m = STEP.matcher(jsonPath);
        JsonNode at = object;
        int end = 0;
        while (m.find() && m.start() == end) {
            end = m.end();
            if (m.group(1) != null) {
                at = at.path(m.group(1));
            } else if (m.group(2) != null) {
                at = at.path(m.group(2).replace("\\", ""));
            } else {
                at = first(at, m.group(3), m.group(4));
            }
        }
        if (end != jsonPath.length()) {
            throw new IllegalArgumentException("unsupported JSONPath " + jsonPath);
        }
        return at.isMissingNode() || at.isNull() ? null : at;
    }

    private static JsonNode first(JsonNode array, String field, String value) {
        for (JsonNode element : array) {
            if (value.equals(element.path(field).asText(null))) {
                return element;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static Column string(String name, String jsonPath) {
        return new Column(name, "string", "", "", jsonPath);
    }
}
