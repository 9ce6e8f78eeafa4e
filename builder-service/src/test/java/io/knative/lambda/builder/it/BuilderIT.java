package io.knative.lambda.builder.it;

import static io.knative.lambda.builder.it.CloudEvents.S3_PUT;
import static io.knative.lambda.builder.it.CloudEvents.binary;
import static io.knative.lambda.builder.it.CloudEvents.put;
import static io.knative.lambda.builder.it.CloudEvents.s3Record;
import static io.knative.lambda.builder.it.CloudEvents.structured;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.service.signing.BuildSignature;
import io.knative.lambda.testsupport.RegistryReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** The builder against a real registry and a real S3 server: the happy paths and every permanent failure. */
@QuarkusTest
@WithTestResource(BuilderServers.class)
class BuilderIT {

    private final RegistryReader registry = new RegistryReader(BuilderServers.registry.host());

    @Test
    void guideParserUploadInBinaryModeBecomesAPushedImageAndBuildCompleted() {
        String id = CloudEvents.newId("my-parser");
        String key = "global/parser/" + id;
        byte[] source = CloudEvents.guideParser();
        put(key, source, Map.of());

        Response reply = binary(S3_PUT, "evt-" + id, s3Record(BuilderServers.BUCKET, key, source.length));

        reply.then().statusCode(200)
                .header("ce-type", "io.knative.lambda.build.completed")
                .header("ce-source", "/knative-lambda/builder")
                .header("ce-subject", id)
                .header("ce-specversion", "1.0");
        assertThat(reply.header("ce-id")).isNotBlank();
        JsonNode data = CloudEvents.parse(reply.asString());
        String repository = BuilderServers.REGISTRY_PATH + "/parser-" + id;
        String digest = data.path("digest").asText();
        assertThat(digest).matches("sha256:[0-9a-f]{64}");
        assertThat(data.path("functionId").asText()).isEqualTo(id);
        assertThat(data.path("kind").asText()).isEqualTo("parser");
        assertThat(data.path("scope").asText()).isEqualTo("global");
        assertThat(data.path("runtime").asText()).isEqualTo("python");
        assertThat(data.path("image").asText()).isEqualTo(BuilderServers.registry.host() + "/" + repository + "@" + digest);
        assertThat(data.path("sourceDigest").asText()).isEqualTo("sha256:" + sha256(source));
        assertThat(data.path("bucket").asText()).isEqualTo(BuilderServers.BUCKET);
        assertThat(data.path("key").asText()).isEqualTo(key);
        assertThat(data.path("durationMs").asLong()).isGreaterThanOrEqualTo(0);

        // The registry serves the manifest at the reported digest, and under the source-digest tag.
        assertThat(registry.manifestStatus(repository, digest)).isEqualTo(200);
        assertThat(registry.manifestDigest(repository, sha256(source))).isEqualTo(digest);

        // The one layer holds the exact source bytes under /function, as uploaded (no extension).
        JsonNode manifest = registry.manifest(repository, digest);
        assertThat(manifest.path("layers")).hasSize(1);
        Map<String, byte[]> files = registry.layerFiles(repository, manifest.path("layers").get(0).path("digest").asText());
        assertThat(files).containsOnlyKeys("function/" + id);
        assertThat(files.get("function/" + id)).isEqualTo(source);

        // Environment, labels and a fixed creation time.
        JsonNode config = registry.config(repository, manifest);
        assertThat(config.path("created").asText()).startsWith("1970-01-01T00:00:00");
        assertThat(env(config)).contains("FUNCTION_ID=" + id, "FUNCTION_RUNTIME=python", "FUNCTION_HANDLER=handler",
                "FUNCTION_FILE=" + id, "FUNCTION_DIR=/function");
        JsonNode labels = config.path("config").path("Labels");
        assertThat(labels.path("io.knative.lambda.function-id").asText()).isEqualTo(id);
        assertThat(labels.path("io.knative.lambda.source-sha256").asText()).isEqualTo(sha256(source));
        assertThat(labels.path("io.knative.lambda.source").asText()).isEqualTo("s3://" + BuilderServers.BUCKET + "/" + key);
    }

    @Test
    void aRepeatedEventInStructuredModeGivesTheSameDigestAndPushesNothingNew() {
        String id = CloudEvents.newId("repeat");
        String key = "global/parser/" + id + ".py";
        byte[] source = "def handler(event):\n    return {'echo': event}\n".getBytes(StandardCharsets.UTF_8);
        put(key, source, Map.of());
        JsonNode record = s3Record(BuilderServers.BUCKET, key, source.length);

        Response first = structured(S3_PUT, "evt-" + id, record);
        first.then().statusCode(200).contentType("application/cloudevents+json");
        JsonNode firstEvent = CloudEvents.parse(first.asString());
        assertThat(firstEvent.path("type").asText()).isEqualTo("io.knative.lambda.build.completed");
        assertThat(firstEvent.path("subject").asText()).isEqualTo(id);
        long blobs = BuilderServers.registry.blobCount();

        Response second = structured(S3_PUT, "evt-" + id, record);
        second.then().statusCode(200);
        JsonNode secondEvent = CloudEvents.parse(second.asString());

        assertThat(secondEvent.path("data").path("digest").asText()).isEqualTo(firstEvent.path("data").path("digest").asText());
        assertThat(secondEvent.path("id").asText()).as("same request, same reply id").isEqualTo(firstEvent.path("id").asText());
        assertThat(BuilderServers.registry.blobCount()).as("nothing new in the registry").isEqualTo(blobs);
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("klambda_builds_total{outcome=\"cached\"}"));
    }

    @Test
    void buildRequestedBuildsTheNamedObjectAndCarriesObjectMetadataAsSettings() {
        String id = CloudEvents.newId("requested");
        String key = "acme/enricher/" + id;
        put(key, "def handler(e):\n    return e\n".getBytes(StandardCharsets.UTF_8),
                Map.of("min-scale", "1", "max-scale", "3", "unrelated", "x"));

        Response reply = binary("io.knative.lambda.build.requested", "req-" + id,
                Map.of("bucket", BuilderServers.BUCKET, "key", key));

        reply.then().statusCode(200).header("ce-type", "io.knative.lambda.build.completed").header("ce-subject", id);
        JsonNode data = CloudEvents.parse(reply.asString());
        assertThat(data.path("scope").asText()).isEqualTo("acme");
        assertThat(data.path("kind").asText()).isEqualTo("enricher");
        assertThat(data.path("settings").path("min-scale").asText()).isEqualTo("1");
        assertThat(data.path("settings").path("max-scale").asText()).isEqualTo("3");
        assertThat(data.path("settings").has("unrelated")).isFalse();
        // signed by the builder's key: the deployer rolls out only this
        BuildSignature signatures = new BuildSignature(new com.fasterxml.jackson.databind.ObjectMapper());
        assertThat(data.path("signature").path("algorithm").asText()).isEqualTo("Ed25519");
        assertThat(signatures.verify(data, BuilderServers.trustedKeys())).isNull();
        assertThat(signatures.verify(((com.fasterxml.jackson.databind.node.ObjectNode) data.deepCopy())
                .put("image", "evil.example/x@sha256:" + "e".repeat(64)), BuilderServers.trustedKeys()))
                .as("another image under the same signature").isNotNull();
    }

    @Test
    void anObjectWithRuntimeMetadataNamingNoRuntimeFailsAsUnsupportedRuntime() {
        String id = CloudEvents.newId("meta");
        String key = "global/parser/" + id;
        put(key, "print('x')".getBytes(StandardCharsets.UTF_8), Map.of("runtime", "node18"));

        assertFailed(binary("io.knative.lambda.build.requested", "r-" + id, Map.of("bucket", BuilderServers.BUCKET, "key", key)),
                "UnsupportedRuntime", id).contains("node18");
    }

    @Test
    void healthIsUp() {
        given().get("/q/health").then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("UP"));
    }

    /** Asserts a build.failed reply in either mode, with its reason; returns an assert on its message. */
    static org.assertj.core.api.AbstractStringAssert<?> assertFailed(Response reply, String reason, String subject) {
        reply.then().statusCode(200);
        JsonNode data;
        if (String.valueOf(reply.contentType()).startsWith("application/cloudevents+json")) {
            JsonNode event = CloudEvents.parse(reply.asString());
            assertThat(event.path("type").asText()).isEqualTo("io.knative.lambda.build.failed");
            assertThat(event.path("source").asText()).isEqualTo("/knative-lambda/builder");
            if (subject != null) {
                assertThat(event.path("subject").asText()).isEqualTo(subject);
            }
            data = event.path("data");
        } else {
            reply.then().header("ce-type", "io.knative.lambda.build.failed").header("ce-source", "/knative-lambda/builder");
            if (subject != null) {
                reply.then().header("ce-subject", subject);
            }
            data = CloudEvents.parse(reply.asString());
        }
        assertThat(data.path("reason").asText()).isEqualTo(reason);
        assertThat(data.path("retryable").asBoolean()).isFalse();
        return assertThat(data.path("message").asText()).isNotBlank();
    }

    private static java.util.List<String> env(JsonNode config) {
        return StreamSupport.stream(config.path("config").path("Env").spliterator(), false).map(JsonNode::asText).toList();
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
