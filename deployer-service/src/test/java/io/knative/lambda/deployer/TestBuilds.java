package io.knative.lambda.deployer;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.knative.lambda.events.BuildCompleted;
import io.knative.lambda.service.signing.BuildSignature;
import io.knative.lambda.service.signing.SigningKeys;

/** Test data: build.completed payloads as the builder emits them. */
public final class TestBuilds {

    public static final String REPO = "registry.example.com/functions";
    /**
     * The builder's signing key in these tests, from a fixed seed so that every class loader derives the same one; its
     * public key is {@code %test.klambda.trust.builder-keys} in application.properties.
     */
    public static final PrivateKey BUILDER_KEY = fromSeed("knative-lambda deployer tests: the builder's key");

    private TestBuilds() {
    }

    /** {@code data} signed as the builder signs build.completed. */
    public static ObjectNode signed(Object data) {
        return signed(data, BUILDER_KEY);
    }

    /** {@code data} signed with {@code key}. */
    public static ObjectNode signed(Object data, PrivateKey key) {
        return new BuildSignature(new ObjectMapper()).sign(data, key, SigningKeys.keyId(SigningKeys.publicKeyOf(key)));
    }

    /** An Ed25519 private key whose seed is the sha256 of {@code phrase}. */
    public static PrivateKey fromSeed(String phrase) {
        try {
            byte[] seed = MessageDigest.getInstance("SHA-256").digest(phrase.getBytes(StandardCharsets.UTF_8));
            byte[] pkcs8 = HexFormat.of().parseHex("302e020100300506032b657004220420" + HexFormat.of().formatHex(seed));
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
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

    /** The build.completed data of global/parser/{id} with function.yaml's environment variables. */
    public static BuildCompleted withEnvironment(String id, String digest, Map<String, String> environment) {
        BuildCompleted b = build(id, digest);
        return new BuildCompleted(b.functionId(), b.kind(), b.scope(), b.runtime(), b.image(), b.digest(),
                b.sourceDigest(), b.bucket(), b.key(), b.durationMs(), b.settings(), environment, java.util.List.of(), null);
    }

    /** The same build, of an object with that S3 ETag. */
    public static BuildCompleted withETag(BuildCompleted b, String eTag) {
        return new BuildCompleted(b.functionId(), b.kind(), b.scope(), b.runtime(), b.image(), b.digest(), b.sourceDigest(),
                b.bucket(), b.key(), b.durationMs(), b.settings(), b.environment(), b.layers(), eTag);
    }
}
