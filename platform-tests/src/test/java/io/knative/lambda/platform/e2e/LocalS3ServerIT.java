package io.knative.lambda.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.knative.lambda.testsupport.LocalProcess;
import io.knative.lambda.testsupport.RecordingSink;

/**
 * The local S3 server of make run ({@code scripts/dev/s3-server.js}) as a user would break it: hostile keys are
 * refused with S3's errors and the server keeps serving; notifications it accepted survive the death of the server
 * (supervised restart) and a restart of the whole process, and reach the webhook once it answers.
 */
class LocalS3ServerIT {

    private static final String BUCKET = "functions";
    private final HttpClient http = HttpClient.newHttpClient();
    private final int port = LocalProcess.freePort();
    private Path dir;
    private RecordingSink webhook;
    private LocalProcess server;

    @BeforeEach
    void start() throws IOException {
        dir = Files.createTempDirectory("klambda-s3-");
        webhook = RecordingSink.start();
        server = startServer();
    }

    @AfterEach
    void stop() {
        server.stop();
        webhook.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder
        }
    }

    @Test
    void aKeyOverS3sLimitIsRefusedWithKeyTooLongAndTheServerKeepsServing() throws Exception {
        HttpResponse<String> tooLong = put("global/parser/" + "a".repeat(1100), "x");

        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body()).contains("<Code>KeyTooLongError</Code>");
        assertThat(put("global/parser/fine", "x").statusCode()).isEqualTo(200);
        assertThat(get("global/parser/fine").body()).isEqualTo("x");
    }

    @Test
    void aKeyWithDotDotSegmentsIsRefusedAndNothingIsWrittenOutsideTheStorageDirectory() throws Exception {
        HttpResponse<String> escaping = put("x/%2E%2E/%2E%2E/%2E%2E/escaped", "x");
        HttpResponse<String> raw = put("x/../../../escaped-raw", "x");

        assertThat(escaping.statusCode()).isEqualTo(400);
        assertThat(escaping.body()).contains("<Code>InvalidArgument</Code>");
        assertThat(raw.statusCode()).isEqualTo(400);
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("escaped"));
        }
        assertThat(put("global/parser/after", "x").statusCode()).isEqualTo(200);
    }

    @Test
    void aKeySegmentLongerThanAFileNameIsRefusedInsteadOfCrashingTheServer() throws Exception {
        HttpResponse<String> response = put("global/parser/" + "b".repeat(300), "x");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(server.isAlive()).isTrue();
        assertThat(put("global/parser/still-up", "x").statusCode()).isEqualTo(200);
    }

    @Test
    void notificationsCarryTheKeyUrlEncodedAsS3DoesSoThatOneDecodingGivesTheUploadedKey() throws Exception {
        String key = "global/parser/x%61 b+c\uD83D\uDE00";
        String path = java.net.URLEncoder.encode(key, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20")
                .replace("%2F", "/");
        assertThat(put(path, "k").statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(30)).until(() -> !webhook.received().isEmpty());
        String sent = new com.fasterxml.jackson.databind.ObjectMapper().readTree(webhook.received().get(0).body())
                .path("Records").get(0).path("s3").path("object").path("key").asText();
        assertThat(sent).isEqualTo("global/parser/x%2561+b%2Bc%F0%9F%98%80");
        assertThat(java.net.URLDecoder.decode(sent, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(key);
        assertThat(get(path).body()).isEqualTo("k");
    }

    @Test
    void notificationsQueuedWhenTheServerIsKilledAreDeliveredByItsRestartedSelf() throws Exception {
        webhook.answer(503);
        assertThat(put("global/parser/queued-1", "one").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> !webhook.received().isEmpty());
        long first = pid();

        ProcessHandle.of(first).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(30)).until(() -> pid() != first && answers());
        webhook.answer(200);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(webhook.received())
                .anyMatch(r -> r.body().contains("queued-1") && r.body().contains("ObjectCreated")));
        assertThat(get("global/parser/queued-1").body()).isEqualTo("one");
    }

    @Test
    void notificationsQueuedWhenTheWholeServerIsKilledAreDeliveredAfterItStartsAgain() throws Exception {
        webhook.answer(503);
        assertThat(put("global/parser/queued-2", "two").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> !webhook.received().isEmpty());
        long child = pid();

        server.kill();
        await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(child).isEmpty() && !answers());
        webhook.clear();
        webhook.answer(200);
        server = startServer();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(webhook.received())
                .anyMatch(r -> r.body().contains("queued-2")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(journaled()).isEmpty());
    }

    private LocalProcess startServer() {
        Path project = Path.of(System.getProperty("test.project.dir", "..")).toAbsolutePath().normalize();
        LocalProcess process = new LocalProcess("s3", List.of("node", project.resolve("scripts/dev/s3-server.js").toString(),
                "--directory", dir.resolve("s3").toString(), "--port", Integer.toString(port), "--bucket", BUCKET,
                "--webhook", webhook.url()), dir) {
        };
        await().atMost(Duration.ofSeconds(60)).until(this::answers);
        return process;
    }

    private boolean answers() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(2))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() < 500;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private long pid() throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("s3.notifications/server.pid")).trim());
    }

    private List<String> journaled() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("s3.notifications"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).toList();
        }
    }

    private HttpResponse<String> put(String key, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + BUCKET + "/" + key))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + BUCKET + "/" + key)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
