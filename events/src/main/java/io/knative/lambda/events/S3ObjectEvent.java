package io.knative.lambda.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * One S3 object notification, whatever shape it arrived in (AWS, MinIO, or the CloudEvents AWS-S3
 * adapter format), reduced to what the platform acts on.
 *
 * @param eventName   the S3 event name without MinIO's {@code s3:} prefix, e.g. {@code ObjectCreated:Put}
 * @param eventSource {@code aws:s3}, {@code minio:s3}, ...
 * @param awsRegion   the region, possibly empty
 * @param eventTime   when S3 saw the change, or {@code null}
 * @param bucket      the bucket name
 * @param key         the object key, URL-decoded
 * @param versionId   the object version, or {@code null}
 * @param size        the object size in bytes, or {@code null} for removals
 * @param eTag        the object ETag, or {@code null}
 * @param sequencer   S3's ordering token for the key, or {@code null}
 * @param requestId   {@code responseElements.x-amz-request-id}, or {@code null}
 * @param hostId      {@code responseElements.x-amz-id-2}, or {@code null}
 */
public record S3ObjectEvent(
        String eventName,
        String eventSource,
        String awsRegion,
        Instant eventTime,
        String bucket,
        String key,
        String versionId,
        Long size,
        String eTag,
        String sequencer,
        String requestId,
        String hostId) {

    public boolean isObjectCreated() {
        return eventName.startsWith("ObjectCreated:");
    }

    public boolean isObjectRemoved() {
        return eventName.startsWith("ObjectRemoved:");
    }

    /** The CloudEvent type of the AWS-S3 adapter format: {@code com.amazonaws.s3.} + event name. */
    public String cloudEventType() {
        return EventTypes.S3_PREFIX + eventName;
    }

    /**
     * The CloudEvent source of the AWS-S3 adapter format: event source, region and bucket joined by dots
     * ({@code aws:s3.us-east-1.my-bucket}).
     */
    public String cloudEventSource() {
        return eventSource + "." + (awsRegion == null ? "" : awsRegion) + "." + bucket;
    }

    /**
     * The CloudEvent id of the AWS-S3 adapter format ({@code x-amz-request-id.x-amz-id-2}); when the S3
     * server sends neither, a digest of what identifies the change, so that a redelivered notification
     * keeps its id.
     */
    public String cloudEventId() {
        if (requestId != null && !requestId.isEmpty() && hostId != null && !hostId.isEmpty()) {
            return requestId + "." + hostId;
        }
        String identity = String.join("\n", eventName, bucket, key, String.valueOf(versionId), String.valueOf(sequencer),
                String.valueOf(eTag), String.valueOf(eventTime), String.valueOf(requestId));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return "s3-" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
