package io.knative.lambda.builder.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * A function's source as fetched from S3.
 *
 * @param bytes     the object's content
 * @param metadata  the object's user metadata ({@code x-amz-meta-*}), keys in lower case
 * @param versionId the version fetched, or {@code null}
 * @param eTag      the object's ETag as the store gave it with the content, or {@code null}
 */
public record SourceObject(byte[] bytes, Map<String, String> metadata, String versionId, String eTag) {

    public SourceObject {
        metadata = Map.copyOf(metadata);
    }

    /** Without an ETag. */
    public SourceObject(byte[] bytes, Map<String, String> metadata, String versionId) {
        this(bytes, metadata, versionId, null);
    }

    /** The sha256 of the content as 64 hex digits. */
    public String sha256Hex() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    /** Convenience for tests and small sources. */
    public static SourceObject of(String text) {
        return new SourceObject(text.getBytes(StandardCharsets.UTF_8), Map.of(), null);
    }
}
