package io.knative.lambda.localbroker;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A CloudEvent as the bus carries it: its context attributes and its data bytes. Converts between the
 * HTTP binary binding ({@code ce-*} headers), the Kafka binary binding ({@code ce_*} headers), and the
 * structured JSON format.
 *
 * @param attributes  context attributes and extensions by name ({@code id}, {@code type}, ...), no
 *                    {@code datacontenttype}
 * @param contentType the data's media type, or {@code null}
 * @param data        the data, possibly empty
 */
public record Event(Map<String, String> attributes, String contentType, byte[] data) {

    /** Attributes every CloudEvents 1.0 event must have. */
    public static final List<String> REQUIRED = List.of("id", "source", "specversion", "type");
    private static final Set<String> NOT_EXTENSIONS = Set.of("data", "data_base64", "datacontenttype");

    public Event {
        attributes = Map.copyOf(attributes);
    }

    public String id() {
        return attributes.get("id");
    }

    public String type() {
        return attributes.get("type");
    }

    public String subject() {
        return attributes.get("subject");
    }

    /** The names of required attributes that are missing or empty. */
    public List<String> missingRequired() {
        List<String> missing = new ArrayList<>();
        for (String name : REQUIRED) {
            String value = attributes.get(name);
            if (value == null || value.isBlank()) {
                missing.add(name);
            }
        }
        return missing;
    }

    /** From HTTP binary mode: {@code ce-*} headers (names case-insensitive) and the body. */
    public static Event fromHttpBinary(Iterable<Map.Entry<String, String>> headers, String contentType, byte[] body) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
            if (name.startsWith("ce-") && name.length() > 3) {
                attributes.put(name.substring(3), h.getValue());
            }
        }
        return new Event(attributes, contentType, body);
    }

    /** From the Kafka binary binding. */
    public static Event fromKafka(Headers headers, byte[] value) {
        Map<String, String> attributes = new LinkedHashMap<>();
        String contentType = null;
        for (Header h : headers) {
            String name = h.key();
            if (h.value() == null) {
                continue; // a header without a value carries no attribute
            }
            String text = new String(h.value(), StandardCharsets.UTF_8);
            if (name.startsWith("ce_") && name.length() > 3) {
                attributes.put(name.substring(3), text);
            } else if (name.equalsIgnoreCase("content-type")) {
                contentType = text;
            }
        }
        return new Event(attributes, contentType, value == null ? new byte[0] : value);
    }

    /** Kafka binary-binding headers. */
    public Headers kafkaHeaders() {
        RecordHeaders headers = new RecordHeaders();
        attributes.forEach((k, v) -> headers.add("ce_" + k, v.getBytes(StandardCharsets.UTF_8)));
        if (contentType != null) {
            headers.add("content-type", contentType.getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    /** The attributes as they go into a structured event or the event log (extensions included). */
    public Map<String, Object> structured(com.fasterxml.jackson.databind.ObjectMapper mapper) {
        Map<String, Object> out = new LinkedHashMap<>(attributes);
        if (contentType != null) {
            out.put("datacontenttype", contentType);
        }
        if (data.length > 0) {
            if (contentType == null || contentType.startsWith("application/json") || contentType.endsWith("+json")) {
                try {
                    out.put("data", mapper.readTree(data));
                } catch (java.io.IOException e) {
                    out.put("data_base64", java.util.Base64.getEncoder().encodeToString(data));
                }
            } else {
                out.put("data_base64", java.util.Base64.getEncoder().encodeToString(data));
            }
        }
        return out;
    }

    /**
     * From the structured JSON format; attributes that are not strings are kept as their JSON text.
     *
     * @throws IllegalArgumentException when {@code data_base64} is not base64 (the message says so)
     */
    public static Event fromStructured(com.fasterxml.jackson.databind.JsonNode json) {
        Map<String, String> attributes = new LinkedHashMap<>();
        json.fields().forEachRemaining(f -> {
            if (!NOT_EXTENSIONS.contains(f.getKey()) && !f.getValue().isNull()) {
                attributes.put(f.getKey(), f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString());
            }
        });
        String contentType = json.hasNonNull("datacontenttype") ? json.get("datacontenttype").asText() : null;
        byte[] data;
        if (json.hasNonNull("data_base64")) {
            try {
                data = java.util.Base64.getDecoder().decode(json.get("data_base64").asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("data_base64 is not base64: " + e.getMessage(), e);
            }
        } else if (json.has("data") && !json.get("data").isNull()) {
            com.fasterxml.jackson.databind.JsonNode d = json.get("data");
            data = (d.isTextual() && contentType != null && !contentType.contains("json") ? d.asText() : d.toString())
                    .getBytes(StandardCharsets.UTF_8);
            if (contentType == null) {
                contentType = "application/json";
            }
        } else {
            data = new byte[0];
        }
        return new Event(attributes, contentType, data);
    }
}
