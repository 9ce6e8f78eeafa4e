package io.knative.lambda.deployer;

import java.util.Map;
import java.util.UUID;

import io.knative.lambda.events.BuildCompleted;

/** Test data: build.completed payloads as the builder emits them. */
public final class TestBuilds {

    public static final String REPO = "registry.example.com/functions";

    private TestBuilds() {
    }

    /** A fresh function id, unique per call, so tests sharing a mock API server never collide. */
    public static String newId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A digest made of one repeated hex character, e.g. {@code digest('a')}. */
    public static String digest(char c) {
        return "sha256:" + String.valueOf(c).repeat(64);
    }

    /** The build.completed data of global/parser/{id} at the given digest. */
    public static BuildCompleted build(String id, String digest) {
        return build("global", "parser", id, digest, Map.of());
    }

    /** The build.completed data with settings. */
    public static BuildCompleted build(String scope, String kind, String id, String digest, Map<String, String> settings) {
        return new BuildCompleted(id, kind, scope, "python", REPO + "/" + kind + "-" + id + "@" + digest, digest,
                "sha256:" + "5".repeat(64), "functions", scope + "/" + kind + "/" + id, 1234, settings);
    }

    /** The same build, of an object with that S3 ETag. */
    public static BuildCompleted withETag(BuildCompleted b, String eTag) {
        return new BuildCompleted(b.functionId(), b.kind(), b.scope(), b.runtime(), b.image(), b.digest(), b.sourceDigest(),
                b.bucket(), b.key(), b.durationMs(), b.settings(), eTag);
    }
}
