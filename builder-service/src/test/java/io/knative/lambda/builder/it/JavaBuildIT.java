package io.knative.lambda.builder.it;

import static io.knative.lambda.builder.it.BuilderIT.assertFailed;
import static io.knative.lambda.builder.it.CloudEvents.S3_PUT;
import static io.knative.lambda.builder.it.CloudEvents.binary;
import static io.knative.lambda.builder.it.CloudEvents.put;
import static io.knative.lambda.builder.it.CloudEvents.s3Record;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.testsupport.RegistryReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** The builder's Java path: an uploaded {@code .java} is compiled with ECJ into the function layer. */
@QuarkusTest
@WithTestResource(BuilderServers.class)
class JavaBuildIT {

    private static final String PARSER_JAVA = """
            package com.acme;

            import java.util.Map;

            public class Parser {
                public Map<String, Object> handler(Map<String, Object> event) {
                    Object data = event.getOrDefault("data", Map.of());
                    return Map.of("status", "success", "parser_id", String.valueOf(event.get("parser_id")),
                            "result", Map.of("processed", true), "echo", data);
                }
            }
            """;

    @Test
    void aJavaSourceIsCompiledAndItsClassesShipUnderFunctionClasses() {
        String id = CloudEvents.newId("java-parser");
        String key = "global/parser/" + id + ".java";
        byte[] source = PARSER_JAVA.getBytes(StandardCharsets.UTF_8);
        put(key, source, Map.of());

        Response reply = binary(S3_PUT, "e-" + id, s3Record(BuilderServers.BUCKET, key, source.length));

        reply.then().statusCode(200).header("ce-type", "io.knative.lambda.build.completed");
        JsonNode data = CloudEvents.parse(reply.asString());
        assertThat(data.path("runtime").asText()).isEqualTo("java");
        RegistryReader registry = new RegistryReader(BuilderServers.registry.host());
        String repository = BuilderServers.REGISTRY_PATH + "/parser-" + id;
        JsonNode manifest = registry.manifest(repository, data.path("digest").asText());
        Map<String, byte[]> files = registry.layerFiles(repository, manifest.path("layers").get(0).path("digest").asText());
        assertThat(files).containsKeys("function/" + id + ".java", "function/classes/com/acme/Parser.class");
        assertThat(files.get("function/" + id + ".java")).isEqualTo(source);
        byte[] classFile = files.get("function/classes/com/acme/Parser.class");
        assertThat(classFile).startsWith((byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE);
        assertThat(classFile[7]).as("class file major version 61 = Java 17").isEqualTo((byte) 61);
        JsonNode config = registry.config(repository, manifest);
        assertThat(StreamSupport.stream(config.path("config").path("Env").spliterator(), false).map(JsonNode::asText))
                .contains("FUNCTION_CLASS=com.acme.Parser", "FUNCTION_RUNTIME=java", "FUNCTION_FILE=" + id + ".java");
    }

    @Test
    void aJavaSourceThatDoesNotCompileIsCompileErrorWithTheCompilersMessages() {
        String id = CloudEvents.newId("broken");
        String key = "global/parser/" + id + ".java";
        byte[] source = """
                public class Broken {
                    public Object handler(java.util.Map<String, Object> event) {
                        return undefinedVariable;
                    }
                }
                """.getBytes(StandardCharsets.UTF_8);
        put(key, source, Map.of());

        assertFailed(binary(S3_PUT, "e-" + id, s3Record(BuilderServers.BUCKET, key, source.length)), "CompileError", id)
                .contains("undefinedVariable").contains(":3");
    }
}
