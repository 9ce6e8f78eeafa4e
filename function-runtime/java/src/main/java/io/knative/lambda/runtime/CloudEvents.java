package io.knative.lambda.runtime;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.core.JsonProcessingException;

/** CloudEvents over HTTP (binary and structured mode): the event data and attributes of a request, the response events. */
final class CloudEvents {

    static final String SUCCESS_TYPE = "io.knative.lambda.response.success";
    static final String ERROR_TYPE = "io.knative.lambda.response.error";
    static final String JSON = "application/json";
    static final String CE_JSON = "application/cloudevents+json";
    static final List<String> REQUIRED = List.of("id", "source", "specversion", "type");
    private static final java.util.regex.Pattern TRACEPARENT =
            java.util.regex.Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    private CloudEvents() {
    }

    /**
     * The event data of a request (a binary or structured CloudEvent, or plain JSON); sets the invocation's mode and
     * attributes as soon as they are known, so that an error answer can be an event in the request's mode.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> decode(Invocation inv) {
        String contentType = inv.header("Content-Type");
        String lower = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        byte[] body = inv.body;
        Object data;
        if (lower.startsWith("application/cloudevents-batch")) {
            throw new HttpError(400, "InvalidEvent", "batched CloudEvents are not supported");
        } else if (lower.startsWith("application/cloudevents")) {
            inv.mode = "structured";
            Object envelope = readJson(body);
            if (!(envelope instanceof Map)) {
                throw new HttpError(400, "InvalidEvent", "a structured CloudEvent must be a JSON object");
            }
            Map<String, Object> attrs = new LinkedHashMap<>((Map<String, Object>) envelope);
            Object rawData = attrs.remove("data");
            Object base64 = attrs.remove("data_base64");
            inv.attributes = attrs;
            validate(attrs);
            if (base64 != null) {
                try {
                    data = readJson(Base64.getDecoder().decode(String.valueOf(base64)));
                } catch (IllegalArgumentException e) {
                    throw new HttpError(400, "InvalidJson", "data_base64 is not base64-encoded JSON");
                }
            } else if (rawData instanceof String s) {
                data = readJson(s.getBytes(StandardCharsets.UTF_8));
            } else {
                data = rawData == null ? new LinkedHashMap<>() : rawData;
            }
        } else {
            Map<String, Object> ce = null;
            for (Map.Entry<String, String> h : inv.headers()) {
                String name = h.getKey();
                if (name.length() > 3 && name.regionMatches(true, 0, "ce-", 0, 3)) {
                    if (ce == null) {
                        ce = new LinkedHashMap<>();
                    }
                    String value = h.getValue();
                    String attribute = name.substring(3).toLowerCase(Locale.ROOT);
                    if (ce.put(attribute, value.indexOf('%') >= 0
                            ? java.net.URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8) : value) != null) {
                        throw new HttpError(400, "InvalidEvent", "the header ce-" + attribute + " appears more than once");
                    }
                }
            }
            if (ce != null) {
                inv.mode = "binary";
                if (contentType != null) {
                    ce.put("datacontenttype", contentType);
                }
                inv.attributes = ce;
                validate(ce);
                data = body.length == 0 || new String(body, StandardCharsets.UTF_8).isBlank() ? new LinkedHashMap<>() : readJson(body);
            } else {
                data = readJson(body);
            }
        }
        if (!(data instanceof Map)) {
            throw new HttpError(400, "InvalidEvent", "the event data must be a JSON object, got " + kind(data));
        }
        return (Map<String, Object>) data;
    }

    /** Parses JSON; HttpError 400 InvalidJson when the bytes are not one JSON document. */
    static Object readJson(byte[] bytes) {
        try {
            return Json.parse(bytes);
        } catch (java.io.IOException e) {
            String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new HttpError(400, "InvalidJson", "the body is not valid JSON: "
                    + (message == null ? "" : message.substring(0, Math.min(200, message.length()))));
        }
    }

    /** The required attributes {@code attrs} lacks (or has empty, or not as a string). */
    static List<String> missing(Map<String, Object> attrs) {
        return REQUIRED.stream().filter(a -> !(attrs.get(a) instanceof String s) || s.isEmpty()).toList();
    }

    /** HttpError 400 InvalidEvent unless every required attribute is there and specversion is 1.0. */
    static void validate(Map<String, Object> attrs) {
        List<String> missing = missing(attrs);
        if (!missing.isEmpty()) {
            throw new HttpError(400, "InvalidEvent", "the CloudEvent lacks the required attribute(s): " + String.join(", ", missing));
        }
        if (!"1.0".equals(attrs.get("specversion"))) {
            throw new HttpError(400, "InvalidEvent", "unsupported CloudEvents specversion '" + attrs.get("specversion") + "' (want 1.0)");
        }
    }

    /** The request event's W3C trace context (distributed-tracing extension) when it is well formed, else null. */
    static String traceparent(Map<String, Object> attrs) {
        return attrs != null && attrs.get("traceparent") instanceof String s && TRACEPARENT.matcher(s).matches() ? s : null;
    }

    /** The ce-* headers of a binary-mode response event, as name, value, name, value, ..., in the request's trace. */
    static String[] binaryHeaders(FunctionConfig config, String type, Map<String, Object> attrs) {
        String trace = traceparent(attrs);
        String[] headers = {"ce-specversion", "1.0", "ce-id", uuid(), "ce-source", config.source(), "ce-type", type,
            "ce-subject", config.functionId(), "ce-time", Instant.now().toString(), "ce-traceparent", trace};
        return trace == null ? java.util.Arrays.copyOf(headers, headers.length - 2) : headers;
    }

    /**
     * A structured-mode response event whose data is {@code payload} (JSON bytes), in the request's trace; source and
     * subject already as JSON.
     */
    static byte[] structured(String type, byte[] payload, String sourceJson, String subjectJson, Map<String, Object> attrs) {
        String trace = traceparent(attrs);
        byte[] head = ("{\"specversion\":\"1.0\",\"id\":\"" + uuid() + "\",\"source\":" + sourceJson + ",\"type\":\"" + type
                + "\",\"subject\":" + subjectJson + ",\"time\":\"" + Instant.now() + "\","
                + (trace == null ? "" : "\"traceparent\":\"" + trace + "\",") + "\"datacontenttype\":\"application/json\",\"data\":")
                .getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + payload.length + 1];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(payload, 0, out, head.length, payload.length);
        out[out.length - 1] = '}';
        return out;
    }

    /** A random (version 4) UUID from the thread's generator (no lock shared by the event loops). */
    static String uuid() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
    }

    /** What a JSON value is, for a message: "an array", "a string", ... */
    static String kind(Object data) {
        if (data instanceof List) {
            return "an array";
        } else if (data instanceof String) {
            return "a string";
        } else if (data instanceof Boolean) {
            return "a boolean";
        } else if (data == null) {
            return "null";
        }
        return "a number";
    }
}
