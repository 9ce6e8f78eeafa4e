package io.knative.lambda.builder.it;

import static io.restassured.RestAssured.given;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.knative.lambda.events.Fixtures;
import io.restassured.response.Response;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/** Test helpers: CloudEvents over HTTP in both modes, S3 records from the shared fixtures, uploads. */
final class CloudEvents {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String S3_PUT = "com.amazonaws.s3.ObjectCreated:Put";

    private CloudEvents() {
    }

    /** POSTs a binary-mode CloudEvent to the builder. */
    static Response binary(String type, String id, Object data) {
        return given()
                .header("ce-specversion", "1.0")
                .header("ce-id", id)
                .header("ce-source", "/test/builder-it")
                .header("ce-type", type)
                .contentType("application/json")
                .body(text(data))
                .post("/");
    }

    /** POSTs a structured-mode CloudEvent to the builder. */
    static Response structured(String type, String id, Object data) {
        ObjectNode event = JSON.createObjectNode()
                .put("specversion", "1.0")
                .put("id", id)
                .put("source", "/test/builder-it")
                .put("type", type)
                .put("datacontenttype", "application/json");
        event.set("data", JSON.valueToTree(data instanceof String s ? parse(s) : data));
        return given().contentType("application/cloudevents+json").body(event.toString()).post("/");
    }

    /** The AWS fixture's record, pointed at {@code bucket}/{@code key} (URL-encoded as S3 sends it). */
    static JsonNode s3Record(String bucket, String key, long size) {
        ObjectNode record = (ObjectNode) parse(Fixtures.read(Fixtures.AWS_PUT)).path("Records").get(0).deepCopy();
        ((ObjectNode) record.path("s3").path("bucket")).put("name", bucket);
        ObjectNode object = (ObjectNode) record.path("s3").path("object");
        object.put("key", URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/"));
        object.put("size", size);
        object.remove("versionId");
        ((ObjectNode) record.path("responseElements")).put("x-amz-request-id", UUID.randomUUID().toString());
        return record;
    }

    /** Uploads bytes to the test bucket, with optional user metadata. */
    static void put(String key, byte[] bytes, Map<String, String> metadata) {
        BuilderServers.s3Client.putObject(PutObjectRequest.builder().bucket(BuilderServers.BUCKET).key(key)
                .metadata(metadata).build(), RequestBody.fromBytes(bytes));
    }

    /** The developer guide's parser.py: the project's own examples/parser.py. */
    static byte[] guideParser() {
        Path parser = Path.of(System.getProperty("test.project.dir", ".."), "examples", "parser.py");
        try {
            return Files.readAllBytes(parser);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the developer guide's parser.py is not at " + parser.toAbsolutePath(), e);
        }
    }

    static String newId(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    private static String text(Object data) {
        if (data instanceof String s) {
            return s;
        }
        try {
            return JSON.writeValueAsString(data);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
