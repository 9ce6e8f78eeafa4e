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
        Map<String, String> settings) {
}
