package io.knative.lambda.builder.core;

/**
 * One build to do, whatever event asked for it.
 *
 * @param bucket    the S3 bucket
 * @param key       the object key (URL-decoded)
 * @param versionId the object version, or {@code null} for the current one
 * @param eventId   the id of the event that asked, for logs and annotations
 */
public record BuildRequest(String bucket, String key, String versionId, String eventId) {
}
