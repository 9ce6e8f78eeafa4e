package io.knative.lambda.cli.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.CliException;
import io.knative.lambda.cli.Json;

/**
 * What {@code make run} (and the end-to-end tests) write in the run folder, {@code platform.json}: the URLs of the
 * local cluster's API, the broker and the S3 server, the bucket and its (local, not secret) keys, the functions'
 * namespace and folder, Kafka. The CLI finds local mode from it with no setting.
 *
 * @param functions the folder of the functions' work directories ({@code <revision>/function.log})
 */
public record LocalPlatformFile(String cluster, String broker, String s3, String bucket, String s3AccessKey,
        String s3SecretKey, String namespace, Path functions, String kafka, String topic) {

    /** The file's name in the run folder. */
    public static final String NAME = "platform.json";

    /** Reads it; a {@link CliException} when it is unreadable or lacks a field. */
    public static LocalPlatformFile read(Path file) {
        JsonNode json;
        try {
            json = Json.parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
        return new LocalPlatformFile(field(json, "cluster", file), field(json, "broker", file), field(json, "s3", file),
                field(json, "bucket", file), json.path("s3AccessKey").asText("S3RVER"), json.path("s3SecretKey").asText("S3RVER"),
                json.path("namespace").asText("local"), file.getParent().resolve(field(json, "functions", file)),
                json.path("kafka").asText(null), json.path("topic").asText("knative-lambda"));
    }

    private static String field(JsonNode json, String name, Path file) {
        String value = json.path(name).asText("");
        if (value.isEmpty()) {
            throw new CliException(file + " has no '" + name + "': run `make run` again");
        }
        return value;
    }
}
