package io.knative.lambda.events;

import java.util.ArrayList;
import java.util.List;

import software.amazon.awssdk.eventnotifications.s3.model.ResponseElements;
import software.amazon.awssdk.eventnotifications.s3.model.S3;
import software.amazon.awssdk.eventnotifications.s3.model.S3EventNotification;
import software.amazon.awssdk.eventnotifications.s3.model.S3EventNotificationRecord;
import software.amazon.awssdk.eventnotifications.s3.model.S3Object;

/**
 * Reads S3 notifications with the AWS SDK's {@code s3-event-notifications} model: the raw JSON an
 * S3 server sends ({@code {"Records":[...]}}, AWS or MinIO flavour) and the CloudEvents AWS-S3
 * adapter format (type {@code com.amazonaws.s3.<eventName>}, subject the key, data one record).
 */
public final class S3Notifications {

    private static final String MINIO_EVENT_PREFIX = "s3:";

    private S3Notifications() {
    }

    /** Every record of a raw S3 notification, in order. A notification without records gives an empty list. */
    public static List<S3ObjectEvent> parseNotification(String json) throws InvalidS3EventException {
        S3EventNotification notification = read(json);
        List<S3ObjectEvent> events = new ArrayList<>();
        List<S3EventNotificationRecord> records = notification.getRecords();
        if (records != null) {
            for (int i = 0; i < records.size(); i++) {
                events.add(toEvent(records.get(i), "record " + i));
            }
        }
        return events;
    }

    /**
     * The record carried by a CloudEvent in the AWS-S3 adapter format. {@code type} must agree with the
     * record's event name, so that a mislabelled event is refused rather than acted on.
     */
    public static S3ObjectEvent parseCloudEvent(String type, String recordJson) throws InvalidS3EventException {
        if (recordJson == null || recordJson.isBlank()) {
            throw new InvalidS3EventException("the " + type + " event has no data: expected one S3 event record");
        }
        String trimmed = recordJson.trim();
        if (!trimmed.startsWith("{")) {
            throw new InvalidS3EventException("the " + type + " event's data is not a JSON object (an S3 event record)");
        }
        S3EventNotification notification = read(trimmed.contains("\"Records\"") ? trimmed : "{\"Records\":[" + trimmed + "]}");
        if (notification.getRecords() == null || notification.getRecords().size() != 1) {
            throw new InvalidS3EventException("the " + type + " event must carry exactly one S3 event record");
        }
        S3ObjectEvent event = toEvent(notification.getRecords().get(0), "data");
        if (type != null && !type.equals(event.cloudEventType())) {
            throw new InvalidS3EventException("event type '" + type + "' does not match the record's eventName '"
                    + event.eventName() + "'");
        }
        return event;
    }

    private static S3EventNotification read(String json) throws InvalidS3EventException {
        if (json == null || json.isBlank()) {
            throw new InvalidS3EventException("empty S3 notification");
        }
        try {
            return S3EventNotification.fromJson(json);
        } catch (RuntimeException e) {
            throw new InvalidS3EventException("not an S3 event notification: " + e.getMessage(), e);
        }
    }

    private static S3ObjectEvent toEvent(S3EventNotificationRecord record, String where) throws InvalidS3EventException {
        String eventName = record.getEventName();
        if (eventName == null || eventName.isBlank()) {
            throw new InvalidS3EventException(where + " has no eventName");
        }
        if (eventName.startsWith(MINIO_EVENT_PREFIX)) {
            eventName = eventName.substring(MINIO_EVENT_PREFIX.length());
        }
        S3 s3 = record.getS3();
        if (s3 == null || s3.getBucket() == null || s3.getObject() == null) {
            throw new InvalidS3EventException(where + " has no s3.bucket or s3.object");
        }
        String bucket = s3.getBucket().getName();
        S3Object object = s3.getObject();
        if (bucket == null || bucket.isBlank()) {
            throw new InvalidS3EventException(where + " has no s3.bucket.name");
        }
        if (object.getKey() == null || object.getKey().isBlank()) {
            throw new InvalidS3EventException(where + " has no s3.object.key");
        }
        String key;
        try {
            key = object.getUrlDecodedKey();
        } catch (IllegalArgumentException e) {
            throw new InvalidS3EventException(where + " has a key that is not URL-encoded: " + object.getKey(), e);
        }
        ResponseElements response = record.getResponseElements();
        return new S3ObjectEvent(
                eventName,
                record.getEventSource() == null ? "aws:s3" : record.getEventSource(),
                record.getAwsRegion() == null ? "" : record.getAwsRegion(),
                record.getEventTime(),
                bucket,
                key,
                emptyToNull(object.getVersionId()),
                object.getSizeAsLong(),
                emptyToNull(object.getETag()),
                emptyToNull(object.getSequencer()),
                response == null ? null : emptyToNull(response.getXAmzRequestId()),
                response == null ? null : emptyToNull(response.getXAmzId2()));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
