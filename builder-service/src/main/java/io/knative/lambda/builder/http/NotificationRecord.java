package io.knative.lambda.builder.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.events.BuildFailed;
import io.knative.lambda.events.EventTypes;
import io.knative.lambda.events.FailureReason;
import io.knative.lambda.events.InvalidS3EventException;
import io.knative.lambda.events.S3Notifications;
import io.knative.lambda.events.S3ObjectEvent;

/**
 * One record of a raw S3 notification, and the event the webhook sends for it: the record itself as an AWS-S3
 * CloudEvent when it can be read (its key is URL-decoded once, by {@link S3Notifications}, where the build reads it
 * again from the same data), {@code build.failed} {@code InvalidFunctionId} for a created object whose key is not
 * URL-encoded at all, or nothing for anything else that cannot be read.
 */
final class NotificationRecord {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode node;
    private final String eventName;
    private final String bucket;
    private final String rawKey;
    private String problem;

    private NotificationRecord(JsonNode node) {
        this.node = node;
        this.eventName = node.path("eventName").asText();
        this.bucket = node.path("s3").path("bucket").path("name").asText();
        this.rawKey = node.path("s3").path("object").path("key").asText();
    }

    /** A body that is no S3 notification (as opposed to a notification with a record that names no function). */
    static final class NotANotificationException extends Exception {
        NotANotificationException(String message) {
            super(message);
        }
    }

    /** The event to send for a record: its CloudEvent attributes and JSON data. */
    record Outgoing(String id, String type, Map<String, String> attributes, JsonNode data, BuildFailed buildFailed) {
    }

    /**
     * The records of a notification ({@code {"Records": [...]}}; none for a test event without records).
     *
     * @throws NotANotificationException when the body is not an object, {@code Records} not an array, or a record lacks
     *                                    its event name, bucket or key
     */
    static List<NotificationRecord> all(JsonNode notification) throws NotANotificationException {
        if (!notification.isObject()) {
            throw new NotANotificationException("expected a JSON object with \"Records\"");
        }
        JsonNode records = notification.get("Records");
        List<NotificationRecord> all = new ArrayList<>();
        if (records == null || records.isNull()) {
            return all;
        }
        if (!records.isArray()) {
            throw new NotANotificationException("\"Records\" is not an array");
        }
        for (int i = 0; i < records.size(); i++) {
            JsonNode r = records.get(i);
            if (!r.isObject() || blank(r.path("eventName")) || blank(r.path("s3").path("bucket").path("name"))
                    || blank(r.path("s3").path("object").path("key"))) {
                throw new NotANotificationException("record " + i + " has no eventName, s3.bucket.name or s3.object.key");
            }
            all.add(new NotificationRecord(r));
        }
        return all;
    }

    String eventName() {
        return eventName;
    }

    String bucket() {
        return bucket;
    }

    /** The key as the record carries it (URL-encoded). */
    String rawKey() {
        return rawKey;
    }

    /** Why nothing is sent for this record, once {@link #outgoing()} said so. */
    String problem() {
        return problem;
    }

    /** What to send for this record, or {@code null} when nothing is ({@link #problem()} says why). */
    Outgoing outgoing() {
        try {
            S3ObjectEvent event = S3Notifications.parseCloudEvent(null, node.toString());
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("id", event.cloudEventId());
            attributes.put("source", event.cloudEventSource());
            attributes.put("type", event.cloudEventType());
            attributes.put("subject", event.key());
            if (event.eventTime() != null) {
                attributes.put("time", event.eventTime().toString());
            }
            return new Outgoing(event.cloudEventId(), event.cloudEventType(), attributes, node, null);
        } catch (InvalidS3EventException e) {
            problem = e.getMessage();
        }
        if (!eventName.replaceFirst("^s3:", "").startsWith("ObjectCreated:")) {
            return null;
        }
        FailureReason reason = decodes(rawKey) ? FailureReason.INVALID_EVENT : FailureReason.INVALID_FUNCTION_ID;
        String message = reason == FailureReason.INVALID_FUNCTION_ID
                ? "key '" + rawKey + "' is not URL-encoded as S3 notifications carry keys, so it names no function"
                : "the S3 record cannot be read: " + problem;
        BuildFailed failed = BuildFailed.of(null, bucket, rawKey, reason, message);
        String id = UUID.nameUUIDFromBytes(("build.failed\n" + node).getBytes(StandardCharsets.UTF_8)).toString();
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("id", id);
        attributes.put("source", EventTypes.SOURCE_BUILDER);
        attributes.put("type", EventTypes.BUILD_FAILED);
        attributes.put("subject", rawKey);
        return new Outgoing(id, EventTypes.BUILD_FAILED, attributes, JSON.valueToTree(failed), failed);
    }

    private static boolean decodes(String key) {
        try {
            URLDecoder.decode(key, StandardCharsets.UTF_8);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean blank(JsonNode n) {
        return !n.isTextual() || n.asText().isBlank();
    }
}
