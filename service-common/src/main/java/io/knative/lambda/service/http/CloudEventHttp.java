package io.knative.lambda.service.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.service.InvalidEventException;

/**
 * The CloudEvents 1.0 HTTP binding, read strictly: binary mode ({@code ce-*} headers, the body is the data,
 * {@code Content-Type} its media type) or structured mode ({@code application/cloudevents+json}). Refuses
 * with {@link InvalidEventException} (400) a missing or empty required attribute, an attribute given twice
 * or with a control character, a bad attribute name or percent-encoding, specversion other than 1.0, and
 * JSON data that {@link StrictJson} refuses; with {@link UnsupportedMediaTypeException} (415) a request
 * that is no CloudEvent or a batch.
 */
public final class CloudEventHttp {

    /** Attributes every CloudEvent must have. */
    public static final List<String> REQUIRED = List.of("id", "source", "specversion", "type");
    static final String STRUCTURED = "application/cloudevents+json";
    static final String BATCH = "application/cloudevents-batch+json";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+");

    private CloudEventHttp() {
    }

    /**
     * The CloudEvent in a request.
     *
     * @param headers the request's headers (names in any case, repeated headers as separate entries)
     * @param body    the request's body, possibly empty
     */
    public static HttpCloudEvent parse(Iterable<Map.Entry<String, String>> headers, byte[] body) {
        List<String> contentTypes = new ArrayList<>();
        Map<String, String> ceHeaders = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("content-type")) {
                contentTypes.add(h.getValue());
            } else if (name.startsWith("ce-")) {
                String attribute = name.substring(3);
                if (ceHeaders.put(attribute, h.getValue()) != null) {
                    throw new InvalidEventException("the header " + Sanitized.text(h.getKey(), 40)
                            + " is given twice: an attribute has one value");
                }
            }
        }
        if (contentTypes.size() > 1) {
            throw new InvalidEventException("Content-Type is given " + contentTypes.size() + " times");
        }
        MediaType type = contentTypes.isEmpty() ? null : MediaType.parse(contentTypes.get(0));
        if (type != null && type.is(BATCH)) {
            throw new UnsupportedMediaTypeException("batched CloudEvents (" + BATCH + ") are not accepted: send one event"
                    + " per request");
        }
        if (type != null && type.is(STRUCTURED)) {
            return structured(body);
        }
        if (!ceHeaders.isEmpty()) {
            return binary(ceHeaders, type, body);
        }
        throw new UnsupportedMediaTypeException("send a CloudEvent: binary mode (ce-* headers, JSON body) or structured mode"
                + " (Content-Type: " + STRUCTURED + ")");
    }

    private static HttpCloudEvent binary(Map<String, String> ceHeaders, MediaType type, byte[] body) {
        Map<String, String> attributes = new LinkedHashMap<>();
        ceHeaders.forEach((name, raw) -> {
            checkName(name, "ce-" + name);
            if (name.equals("datacontenttype")) {
                throw new InvalidEventException("in binary mode the data's media type is Content-Type, not ce-datacontenttype");
            }
            String value;
            try {
                value = HeaderValues.decode(raw.strip());
            } catch (IllegalArgumentException e) {
                throw new InvalidEventException("attribute '" + name + "' (ce-" + name + "): " + e.getMessage());
            }
            attributes.put(name, checkValue(name, value));
        });
        checkRequired(attributes);
        String contentType = type == null ? null : type.text();
        boolean json = type == null || type.isJson();
        return new HttpCloudEvent(false, attributes, contentType, body, json && body.length > 0 ? data(body) : null);
    }

    private static HttpCloudEvent structured(byte[] body) {
        JsonNode event;
        try {
            event = StrictJson.parse(body);
        } catch (InvalidJsonException e) {
            throw new InvalidEventException("the structured CloudEvent is not valid JSON: " + e.getMessage());
        }
        if (!event.isObject()) {
            throw new InvalidEventException("the structured CloudEvent is not a JSON object");
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> member : event.properties()) {
            String name = member.getKey();
            JsonNode value = member.getValue();
            if (name.equals("data") || name.equals("data_base64") || name.equals("datacontenttype") || value.isNull()) {
                continue;
            }
            checkName(name, "'" + name + "'");
            if (!value.isValueNode()) {
                throw new InvalidEventException("attribute '" + name + "' must be a string, number or boolean");
            }
            attributes.put(name, checkValue(name, value.asText()));
        }
        checkRequired(attributes);
        JsonNode contentTypeNode = event.path("datacontenttype");
        if (!contentTypeNode.isMissingNode() && !contentTypeNode.isNull() && !contentTypeNode.isTextual()) {
            throw new InvalidEventException("attribute 'datacontenttype' must be a string");
        }
        MediaType dataType = contentTypeNode.isTextual() ? MediaType.parse(contentTypeNode.asText()) : null;
        boolean json = dataType == null || dataType.isJson();
        JsonNode data = event.path("data");
        JsonNode base64 = event.path("data_base64");
        boolean hasData = !data.isMissingNode() && !data.isNull();
        boolean hasBase64 = !base64.isMissingNode() && !base64.isNull();
        if (hasData && hasBase64) {
            throw new InvalidEventException("the structured CloudEvent has both 'data' and 'data_base64'");
        }
        String contentType = dataType == null ? null : dataType.text();
        if (hasBase64) {
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(base64.asText());
            } catch (IllegalArgumentException e) {
                throw new InvalidEventException("the structured CloudEvent is not valid: data_base64 is not base64: "
                        + e.getMessage());
            }
            return new HttpCloudEvent(true, attributes, contentType, bytes, json && bytes.length > 0 ? data(bytes) : null);
        }
        if (!hasData) {
            return new HttpCloudEvent(true, attributes, contentType, new byte[0], null);
        }
        if (json) {
            return new HttpCloudEvent(true, attributes, contentType == null ? "application/json" : contentType,
                    data.toString().getBytes(StandardCharsets.UTF_8), data);
        }
        if (!data.isTextual()) {
            throw new InvalidEventException("'data' of media type " + contentType + " must be a JSON string");
        }
        return new HttpCloudEvent(true, attributes, contentType, data.asText().getBytes(StandardCharsets.UTF_8), null);
    }

    private static JsonNode data(byte[] bytes) {
        try {
            return StrictJson.parse(bytes);
        } catch (InvalidJsonException e) {
            throw new InvalidEventException("the event's data is not valid JSON: " + e.getMessage());
        }
    }

    private static void checkName(String name, String shown) {
        if (!NAME.matcher(name).matches()) {
            throw new InvalidEventException(Sanitized.text(shown, 40) + " is not a CloudEvents attribute name (a-z, 0-9)");
        }
    }

    private static String checkValue(String name, String value) {
        if (Sanitized.hasControlCharacter(value)) {
            throw new InvalidEventException("attribute '" + name + "' holds a control character");
        }
        return value;
    }

    private static void checkRequired(Map<String, String> attributes) {
        List<String> missing = new ArrayList<>();
        for (String name : REQUIRED) {
            String value = attributes.get(name);
            if (value == null || value.isBlank()) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new InvalidEventException("the CloudEvent lacks required attribute(s) " + String.join(", ", missing));
        }
        if (!"1.0".equals(attributes.get("specversion"))) {
            throw new InvalidEventException("CloudEvents specversion '" + Sanitized.text(attributes.get("specversion"), 20)
                    + "' is not supported; send 1.0");
        }
    }
}
