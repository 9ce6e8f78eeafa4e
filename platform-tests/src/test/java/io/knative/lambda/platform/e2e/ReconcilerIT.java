package io.knative.lambda.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The bucket is the truth: on a platform whose S3 notifications are all lost, the deployer's reconciler deploys what
 * is uploaded and removes what is deleted, with nobody acting; a forged ObjectRemoved for an object still in the
 * bucket removes nothing.
 */
class ReconcilerIT {

    private static LocalPlatform platform;

    @BeforeAll
    static void start() {
        platform = new LocalPlatform(Map.of("KLAMBDA_RECONCILE_PERIOD", "2s", "KLAMBDA_RECONCILE_GRACE", "1s"), false);
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void anUploadWhoseNotificationIsLostIsDeployedAndItsDeletionRemovesItButAForgedRemovalDoesNot() {
        String id = "lost-" + UUID.randomUUID().toString().substring(0, 8);
        String key = "global/parser/" + id;
        platform.upload(key, ("def handler(event):\n    return {'found': 'by the reconciler'}\n")
                .getBytes(StandardCharsets.UTF_8));

        Awaitility.await().atMost(Duration.ofSeconds(180)).untilAsserted(() ->
                assertThat(platform.events("io.knative.lambda.deploy.completed", id)).hasSize(1));
        assertThat(platform.events("io.knative.lambda.build.requested", id)).extracting(e -> e.path("source").asText())
                .contains("/knative-lambda/deployer/reconciler");
        String url = platform.events("io.knative.lambda.deploy.completed", id).get(0).path("data").path("url").asText();
        assertThat(call(url)).contains("by the reconciler");

        String forged = "{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":\"us-east-1\","
                + "\"eventTime\":\"2026-11-26T10:00:00.000Z\",\"eventName\":\"ObjectRemoved:Delete\","
                + "\"responseElements\":{\"x-amz-request-id\":\"FORGED-" + id + "\",\"x-amz-id-2\":\"HOST\"},"
                + "\"s3\":{\"s3SchemaVersion\":\"1.0\",\"bucket\":{\"name\":\"" + LocalPlatform.BUCKET + "\"},"
                + "\"object\":{\"key\":\"" + key + "\"}}}";
        HttpResponse<String> accepted = platform.post(platform.brokerUrl(), forged, Map.of("ce-specversion", "1.0",
                "ce-id", "forged-" + id, "ce-source", "aws:s3.us-east-1.functions", "ce-type",
                "com.amazonaws.s3.ObjectRemoved:Delete", "ce-subject", key));
        assertThat(accepted.statusCode()).isEqualTo(202);
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(removalsRefused()).isGreaterThanOrEqualTo(1.0));
        assertThat(platform.events("io.knative.lambda.function.deleted", id)).isEmpty();
        assertThat(call(url)).contains("by the reconciler");

        platform.remove(key);

        Awaitility.await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                assertThat(platform.events("io.knative.lambda.function.deleted", id)).hasSize(1));
        JsonNode deleted = platform.events("io.knative.lambda.function.deleted", id).get(0);
        assertThat(deleted.path("source").asText()).isEqualTo("/knative-lambda/deployer/reconciler");
    }

    private static double removalsRefused() {
        HttpResponse<String> metrics = platform.get(platform.deployerUrl() + "q/metrics");
        return metrics.body().lines().filter(l -> l.startsWith("klambda_deploys_total{") && l.contains("removal-refused"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static String call(String url) {
        HttpResponse<String> r = platform.post(url, "{}", Map.of());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }
}
