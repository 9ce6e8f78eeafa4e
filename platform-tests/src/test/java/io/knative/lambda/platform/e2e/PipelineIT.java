package io.knative.lambda.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The platform's main job on one machine, end to end over real Kafka, S3 and a registry: an upload
 * becomes an answering function; an update answers with the new behaviour; a removal stops it; a
 * duplicated notification deploys once; a broken source is reported and not deployed; a Kafka
 * restart loses nothing.
 */
class PipelineIT {

    private static final Duration DEPLOY = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalPlatform platform;

    @BeforeAll
    static void start() {
        platform = new LocalPlatform();
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    private static byte[] guideParser() throws Exception {
        return Files.readAllBytes(Path.of(System.getProperty("test.project.dir", ".."), "examples", "parser.py"));
    }

    private static byte[] python(String answer) {
        return ("def handler(event):\n    return {'version': '" + answer + "', 'parser_id': event.get('parser_id')}\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Waits for the n-th deploy.completed of the function and gives its data. */
    private static JsonNode awaitDeployed(String id, int count) {
        Awaitility.await().atMost(DEPLOY).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(platform.events("io.knative.lambda.deploy.failed", id)).as("deploy.failed").isEmpty();
            assertThat(platform.events("io.knative.lambda.deploy.completed", id)).hasSize(count);
        });
        List<JsonNode> deployed = platform.events("io.knative.lambda.deploy.completed", id);
        return deployed.get(count - 1).path("data");
    }

    private static String call(String url, String body) {
        HttpResponse<String> r = platform.post(url, body, Map.of());
        assertThat(r.statusCode()).as("function at " + url + " answered: " + r.body()).isEqualTo(200);
        return r.body();
    }

    @Test
    void theGuidesParserUploadedBecomesAFunctionThatAnswersJsonAndCloudEvents() throws Exception {
        String id = "my-parser-" + UUID.randomUUID();
        platform.upload("global/parser/" + id, guideParser());

        JsonNode deployed = awaitDeployed(id, 1);
        String url = deployed.path("url").asText();
        assertThat(url).as("a Knative-style URL on the ingress port").startsWith("http://parser-" + id + ".local.localhost:");
        assertThat(deployed.path("service").asText()).isEqualTo("parser-" + id);
        assertThat(platform.events("io.knative.lambda.build.completed", id)).hasSize(1);

        JsonNode answer = JSON.readTree(call(url, "{\"parser_id\":\"" + id + "\",\"data\":{\"key\":\"value\"}}"));
        assertThat(answer.path("status").asText()).isEqualTo("success");
        assertThat(answer.path("parser_id").asText()).isEqualTo(id);
        assertThat(answer.path("result").path("processed").asBoolean()).isTrue();

        HttpResponse<String> accepted = platform.post(platform.brokerUrl(), "{\"parser_id\":\"" + id + "\"}", Map.of(
                "ce-specversion", "1.0", "ce-id", "invoke-" + id, "ce-source", "/e2e", "ce-type", "io.knative.lambda.invoke",
                "ce-subject", "parser-" + id));
        assertThat(accepted.statusCode()).isEqualTo(202);
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(platform.events("io.knative.lambda.response.success", id)).hasSize(1));
        JsonNode response = platform.events("io.knative.lambda.response.success", id).get(0);
        assertThat(response.path("source").asText()).isEqualTo("/knative-lambda/functions/" + id);
        assertThat(response.path("data").path("parser_id").asText()).isEqualTo(id);
    }

    @Test
    void noLogOfThePlatformOrOfAFunctionHoldsASecretOfLocalMode() throws Exception {
        String id = "quiet-" + UUID.randomUUID();
        platform.upload("global/parser/" + id, python("quiet"));
        awaitDeployed(id, 1);

        Map<String, String> secrets = new java.util.LinkedHashMap<>();
        for (String name : List.of("local-cluster.token", "webhook.token")) {
            secrets.put(name, Files.readString(platform.dir().resolve(name)).trim());
        }
        String key = Files.readString(platform.dir().resolve("build-signing.key"));
        secrets.put("build-signing.key", key.lines().filter(l -> !l.startsWith("-----")).collect(java.util.stream.Collectors.joining()));
        assertThat(secrets.values()).allSatisfy(s -> assertThat(s).hasSizeGreaterThan(16));
        List<Path> logs;
        try (var files = Files.walk(platform.dir())) {
            logs = files.filter(f -> f.getFileName().toString().endsWith(".log")).toList();
        }
        assertThat(logs).extracting(f -> f.getFileName().toString()).contains("builder.log", "deployer.log", "function.log");
        for (Path log : logs) {
            String text = Files.readString(log);
            secrets.forEach((name, value) -> assertThat(text).as("%s in %s", name, log).doesNotContain(value));
        }
    }

    @Test
    void aNodeArchiveUsingAnNpmPackageIsBuiltDeployedAndAnswersWithWhatThePackageComputes() throws Exception {
        platform.npm.add("shout-lib", "1.0.0", "exports.shout = (s) => s.toUpperCase() + '!';\n", Map.of());
        platform.npm.add("greeting-lib", "1.2.0", "const { shout } = require('shout-lib');\n"
                + "exports.greet = (n) => shout('hello ' + n);\n", Map.of("shout-lib", "^1.0.0"));
        String id = "greeter-" + UUID.randomUUID();
        java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(zip)) {
            out.putNextEntry(new java.util.zip.ZipEntry("index.mjs"));
            out.write(("import { greet } from 'greeting-lib';\n\n"
                    + "export async function handler(event) {\n  return { greeting: greet(event.name) };\n}\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new java.util.zip.ZipEntry("package.json"));
            out.write("{\"name\":\"greeter\",\"dependencies\":{\"greeting-lib\":\"^1.2.0\"}}".getBytes(StandardCharsets.UTF_8));
        }
        platform.upload("global/parser/" + id + ".zip", zip.toByteArray());

        JsonNode deployed = awaitDeployed(id, 1);
        JsonNode built = platform.events("io.knative.lambda.build.completed", id).get(0).path("data");
        assertThat(built.path("runtime").asText()).isEqualTo("node");

        JsonNode answer = JSON.readTree(call(deployed.path("url").asText(), "{\"name\":\"e2e\"}"));
        assertThat(answer.path("greeting").asText()).isEqualTo("HELLO E2E!");
    }

    @Test
    void anUpdatedObjectGetsANewDigestAndTheFunctionAnswersWithTheNewBehaviour() {
        String id = "versioned-" + UUID.randomUUID();
        String key = "global/parser/" + id;
        platform.upload(key, python("v1"));
        JsonNode first = awaitDeployed(id, 1);
        assertThat(call(first.path("url").asText(), "{}")).contains("\"version\": \"v1\"");

        platform.upload(key, python("v2"));
        JsonNode second = awaitDeployed(id, 2);

        assertThat(second.path("image").asText()).isNotEqualTo(first.path("image").asText());
        assertThat(second.path("revision").asText()).isNotEqualTo(first.path("revision").asText());
        assertThat(call(second.path("url").asText(), "{}")).contains("\"version\": \"v2\"");
    }

    /** A zip of a multi-file Python function whose answer the package tinymath (from the test's index) computes. */
    private static byte[] archiveWithDependency(String version) throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(Map.of(
                    "main.py", "from calc import tripled\n\ndef handler(event):\n"
                            + "    return {'version': '" + version + "', 'tripled': tripled(event['n'])}\n",
                    "calc.py", "import tinymath\n\ndef tripled(n):\n    return tinymath.triple(n)\n",
                    "requirements.txt", "tinymath==1.0\n")).entrySet()) {
                zip.putNextEntry(new java.util.zip.ZipEntry(e.getKey()));
                zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static JsonNode dependencyLayer(JsonNode buildCompleted) {
        for (JsonNode layer : buildCompleted.path("data").path("layers")) {
            if (layer.path("name").asText().equals("dependencies")) {
                return layer;
            }
        }
        throw new AssertionError("build.completed names no dependency layer: " + buildCompleted);
    }

    @Test
    void anArchiveWithADependencyAnswersWithItsValueAndACodeChangePushesNoDependencyBytes() throws Exception {
        platform.pythonIndex.addModule("tinymath", "1.0", "tinymath", "def triple(n):\n    return 3 * n\n");
        String id = "with-deps-" + UUID.randomUUID();
        String key = "global/parser/" + id + ".zip";
        platform.upload(key, archiveWithDependency("v1"));

        JsonNode first = awaitDeployed(id, 1);
        assertThat(call(first.path("url").asText(), "{\"n\":14}")).contains("\"tripled\": 42").contains("\"version\": \"v1\"");
        JsonNode firstBuild = platform.events("io.knative.lambda.build.completed", id).get(0);
        String dependencies = dependencyLayer(firstBuild).path("digest").asText();
        assertThat(dependencyLayer(firstBuild).path("reused").asBoolean()).as("first build installs").isFalse();
        assertThat(platform.registry.blobDigests()).contains(dependencies);
        java.util.Set<String> before = platform.registry.blobDigests();

        platform.upload(key, archiveWithDependency("v2"));
        JsonNode second = awaitDeployed(id, 2);

        assertThat(call(second.path("url").asText(), "{\"n\":5}")).contains("\"tripled\": 15").contains("\"version\": \"v2\"");
        JsonNode secondBuild = platform.events("io.knative.lambda.build.completed", id).stream()
                .filter(e -> !e.path("data").path("digest").asText().equals(firstBuild.path("data").path("digest").asText()))
                .findFirst().orElseThrow();
        assertThat(dependencyLayer(secondBuild).path("reused").asBoolean()).as("dependencies: cached").isTrue();
        assertThat(dependencyLayer(secondBuild).path("digest").asText()).isEqualTo(dependencies);
        java.util.Set<String> added = new java.util.TreeSet<>(platform.registry.blobDigests());
        added.removeAll(before);
        assertThat(added).as("a code-only change pushes the code layer, config and manifest, no dependency blob")
                .isNotEmpty().doesNotContain(dependencies).contains(secondBuild.path("data").path("digest").asText());
    }

    @Test
    void aRemovedObjectStopsTheFunction() {
        String id = "removed-" + UUID.randomUUID();
        String key = "acme/parser/" + id;
        platform.upload(key, python("here"));
        String url = awaitDeployed(id, 1).path("url").asText();

        platform.remove(key);

        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(platform.events("io.knative.lambda.function.deleted", id)).hasSize(1));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(gone(url)).as("the function no longer answers at its URL").isTrue());
    }

    @Test
    void theSameNotificationDeliveredTwiceBuildsOnceAndDeploysOnce() {
        String id = "twice-" + UUID.randomUUID();
        String key = "global/parser/" + id;
        // upload without the S3 server's own notification reaching the builder: publish it by hand, twice
        byte[] source = python("once");
        String notification = "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":\"us-east-1\","
                + "\"eventTime\":\"2026-11-26T10:00:00.000Z\",\"eventName\":\"ObjectCreated:Put\","
                + "\"responseElements\":{\"x-amz-request-id\":\"REQ-" + id + "\",\"x-amz-id-2\":\"HOST\"},"
                + "\"s3\":{\"s3SchemaVersion\":\"1.0\",\"bucket\":{\"name\":\"" + LocalPlatform.BUCKET + "\"},"
                + "\"object\":{\"key\":\"" + key + "\",\"size\":" + source.length + "}}}]}";
        platform.upload(key, source);
        awaitDeployed(id, 1);

        for (int i = 0; i < 2; i++) {
            assertThat(platform.post(platform.builderUrl() + "s3/notifications", notification,
                    Map.of("Authorization", "Bearer " + LocalPlatform.WEBHOOK_TOKEN)).statusCode())
                    .isEqualTo(200);
        }

        Awaitility.await().atMost(DEPLOY).untilAsserted(() ->
                assertThat(platform.events("io.knative.lambda.build.completed", id)).hasSize(3));
        List<JsonNode> builds = platform.events("io.knative.lambda.build.completed", id);
        assertThat(builds).extracting(b -> b.path("data").path("digest").asText()).as("one image").containsOnly(
                builds.get(0).path("data").path("digest").asText());
        assertThat(builds.subList(1, 3)).extracting(b -> b.path("id").asText()).as("the duplicate's reply id").containsOnly(
                builds.get(1).path("id").asText());
        // the same digest again writes nothing: no second deployment, no second outcome
        Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(platform.events("io.knative.lambda.deploy", id)).hasSize(1));
    }

    @Test
    void aSourceThatDoesNotBuildIsReportedAndNothingIsDeployed() {
        String id = "broken-" + UUID.randomUUID();
        platform.upload("global/parser/" + id + ".java",
                "public class Broken { public Object handler(java.util.Map<String,Object> e) { return nope; } }"
                        .getBytes(StandardCharsets.UTF_8));

        Awaitility.await().atMost(DEPLOY).untilAsserted(() ->
                assertThat(platform.events("io.knative.lambda.build.failed", id)).hasSize(1));
        JsonNode failed = platform.events("io.knative.lambda.build.failed", id).get(0).path("data");
        assertThat(failed.path("reason").asText()).isEqualTo("CompileError");
        assertThat(failed.path("message").asText()).contains("nope");
        Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(platform.events("io.knative.lambda.deploy", id)).isEmpty());
    }

    @Test
    void aKafkaRestartMidRunLosesNothing() {
        String id = "restart-" + UUID.randomUUID();
        platform.kafka.stop();
        try {
            // the notification waits in the S3 server's webhook queue while the bus is down
            platform.upload("global/parser/" + id, python("survivor"));
        } finally {
            platform.kafka.restart();
        }

        JsonNode deployed = awaitDeployed(id, 1);
        assertThat(call(deployed.path("url").asText(), "{}")).contains("survivor");
    }

    /** The URL answers no more: the ingress's 404 for a host it does not route, or no server at all. */
    private static boolean gone(String url) {
        try {
            HttpResponse<String> r = platform.post(url, "{}", Map.of());
            return r.statusCode() == 404 && r.body().contains("\"error\"");
        } catch (java.io.UncheckedIOException e) {
            return e.getCause() instanceof ConnectException || e.getCause() instanceof java.net.http.HttpConnectTimeoutException
                    || e.getCause().getCause() instanceof ConnectException;
        }
    }
}
