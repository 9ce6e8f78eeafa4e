package io.knative.lambda.localcluster.api;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.knative.lambda.localcluster.store.ApiException;
import io.knative.lambda.localcluster.store.Json;
import io.knative.lambda.localcluster.store.ResourceType;

/**
 * Server-side printing, as {@code kubectl get} asks for it ({@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}):
 * a {@code meta.k8s.io} {@code Table} whose columns are the CRD's printer columns ({@link PrinterColumns}), one row
 * per object with the object's metadata ({@code includeObject=Metadata}, the default), the whole object
 * ({@code Object}) or nothing ({@code None}).
 */
final class Tables {

    private Tables() {
    }

    /** The Table version an {@code Accept} header asks for ({@code v1} or {@code v1beta1}), or {@code null} for none. */
    static String requested(String accept) {
        if (accept == null) {
            return null;
        }
        for (String range : accept.split(",")) {
            String[] parts = range.trim().split(";");
            String as = null;
            String group = null;
            String version = null;
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].trim().split("=", 2);
                if (kv.length == 2) {
                    switch (kv[0].trim()) {
                        case "as" -> as = kv[1].trim();
                        case "g" -> group = kv[1].trim();
                        case "v" -> version = kv[1].trim();
                        default -> { }
                    }
                }
            }
            if ("Table".equals(as) && "meta.k8s.io".equals(group) && ("v1".equals(version) || "v1beta1".equals(version))
                    && parts[0].trim().equals("application/json")) {
                return version;
            }
        }
        return null;
    }

    /** The Table of {@code items}. */
    static ObjectNode of(ResourceType type, List<ObjectNode> items, long resourceVersion, String version,
            String includeObject, boolean headers, Instant now) {
        ObjectNode table = Json.MAPPER.createObjectNode();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/" + version);
        table.putObject("metadata").put("resourceVersion", Long.toString(resourceVersion));
        ArrayNode definitions = table.putArray("columnDefinitions");
        if (headers) {
            for (PrinterColumns.Column c : PrinterColumns.of(type)) {
                ObjectNode d = definitions.addObject();
                d.put("name", c.name());
                d.put("type", c.type());
                d.put("format", c.format());
                d.put("description", c.description());
                d.put("priority", 0);
            }
        }
        ArrayNode rows = table.putArray("rows");
        for (ObjectNode item : items) {
            rows.add(row(type, item, includeObject, now));
        }
        return table;
    }

    /** Checks an {@code includeObject} query value: {@code None}, {@code Metadata} (the default) or {@code Object}. */
    static String includeObject(String value) {
        if (value == null || value.isEmpty()) {
            return "Metadata";
        }
        if (!List.of("None", "Metadata", "Object").contains(value)) {
            throw ApiException.badRequest("includeObject must be None, Metadata or Object, not " + value);
        }
        return value;
    }

    private static ObjectNode row(ResourceType type, ObjectNode object, String includeObject, Instant now) {
        ObjectNode row = Json.MAPPER.createObjectNode();
        ArrayNode cells = row.putArray("cells");
        for (PrinterColumns.Column c : PrinterColumns.of(type)) {
            JsonNode value = PrinterColumns.value(object, c.jsonPath());
            switch (c.type()) {
                case "integer" -> {
                    if (value != null && value.canConvertToLong()) {
                        cells.add(value.asLong());
                    } else {
                        cells.addNull();
                    }
                }
                case "date" -> {
                    String age = value == null ? null : age(value.asText(), now);
                    if (age == null) {
                        cells.addNull();
                    } else {
                        cells.add(age);
                    }
                }
                default -> {
                    if (value == null) {
                        cells.addNull();
                    } else {
                        cells.add(value.isValueNode() ? value.asText() : value.toString());
                    }
                }
            }
        }
        switch (includeObject) {
            case "Object" -> row.set("object", object);
            case "Metadata" -> {
                ObjectNode partial = row.putObject("object");
                partial.put("kind", "PartialObjectMetadata");
                partial.put("apiVersion", "meta.k8s.io/v1");
                partial.set("metadata", object.path("metadata").deepCopy());
            }
            default -> { }
        }
        return row;
    }

    /** The age kubectl prints for a timestamp ({@code 45s}, {@code 3m12s}, {@code 5h}, {@code 2d3h}, ...), or {@code null}. */
    static String age(String timestamp, Instant now) {
        Instant then;
        try {
            then = Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            return null;
        }
        return humanDuration(Duration.between(then, now));
    }

    /** A short, rounded duration in the style of Kubernetes' printers. */
    static String humanDuration(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < -1) {
            return "<invalid>";
        }
        if (seconds < 0) {
            return "0s";
        }
        if (seconds < 120) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            return pair(minutes, "m", seconds % 60, "s");
        }
        if (minutes < 180) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            return pair(hours, "h", minutes % 60, "m");
        }
        if (hours < 48) {
            return hours + "h";
        }
        long days = hours / 24;
        if (days < 8) {
            return pair(days, "d", hours % 24, "h");
        }
        if (days < 365 * 2) {
            return days + "d";
        }
        long years = days / 365;
        return years < 8 ? pair(years, "y", days % 365, "d") : years + "y";
    }

    private static String pair(long big, String bigUnit, long small, String smallUnit) {
        return String.format(Locale.ROOT, small == 0 ? "%d%s" : "%d%s%d%s", big, bigUnit, small, smallUnit);
    }
}
