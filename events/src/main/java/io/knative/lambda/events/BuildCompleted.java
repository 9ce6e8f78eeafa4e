package io.knative.lambda.events;

import java.util.Map;

/**
 * Data of {@code io.knative.lambda.build.completed}: the function's image is in the registry.
 *
 * @param functionId   the function id (the event's subject)
 * @param kind         the function's kind
 * @param scope        {@code global} or the tenant
 * @param runtime      the runtime id, e.g. {@code python}
 * @param image        the image by digest, {@code repo@sha256:...}
 * @param digest       the image manifest digest, {@code sha256:...}
 * @param sourceDigest the sha256 of the source object, {@code sha256:...}
 * @param bucket       the S3 bucket of the source
 * @param key          the S3 key of the source
 * @param durationMs   how long the build took
 * @param settings     per-function settings from S3 object metadata ({@code min-scale}, ...); may be empty
 * @param eTag         the S3 ETag of the object that was built (quotes removed), or {@code null} when the store gave
 *                     none: what the deployer's reconciler compares with the bucket's listing
 */
public record BuildCompleted(
        String functionId,
        String kind,
        String scope,
        String runtime,
        String image,
        String digest,
        String sourceDigest,
        String bucket,
        String key,
        long durationMs,
        Map<String, String> settings,
        String eTag) {

    /** Without an ETag (events from before it was carried). */
    public BuildCompleted(String functionId, String kind, String scope, String runtime, String image, String digest,
            String sourceDigest, String bucket, String key, long durationMs, Map<String, String> settings) {
        this(functionId, kind, scope, runtime, image, digest, sourceDigest, bucket, key, durationMs, settings, null);
    }

    /** An S3 ETag as servers differ in writing it: without the surrounding quotes; {@code null} stays {@code null}. */
    public static String normalizeETag(String eTag) {
        if (eTag == null) {
            return null;
        }
        String t = eTag.trim();
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
            t = t.substring(1, t.length() - 1);
        }
        return t.isEmpty() ? null : t;
    }
}
