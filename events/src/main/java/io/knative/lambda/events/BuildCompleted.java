package io.knative.lambda.events;

import java.util.List;
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
 * @param settings     per-function settings from {@code function.yaml} and S3 object metadata ({@code min-scale}, ...);
 *                     may be empty
 * @param environment  the function's own environment variables from {@code function.yaml}; may be empty
 * @param layers       the image's layers the builder made, in order ({@code code}, {@code dependencies}), and whether
 *                     each was reused rather than built; may be empty
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
        Map<String, String> environment,
        List<BuiltLayer> layers,
        String eTag) {

    public BuildCompleted {
        settings = settings == null ? Map.of() : settings;
        environment = environment == null ? Map.of() : environment;
        layers = layers == null ? List.of() : List.copyOf(layers);
    }

    /** A build without environment variables, layer report and ETag (single-file functions before archives existed). */
    public BuildCompleted(String functionId, String kind, String scope, String runtime, String image, String digest,
            String sourceDigest, String bucket, String key, long durationMs, Map<String, String> settings) {
        this(functionId, kind, scope, runtime, image, digest, sourceDigest, bucket, key, durationMs, settings, Map.of(),
                List.of(), null);
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

    /**
     * One layer of the function's image that the builder made.
     *
     * @param name   {@code code} (the function's files under {@code /function}) or {@code dependencies}
     * @param digest the layer blob's digest, {@code sha256:...}
     * @param reused {@code true} when the layer came from the builder's cache (dependencies: nothing installed) or the
     *               image was already in the registry
     */
    public record BuiltLayer(String name, String digest, boolean reused) {
    }
}
