package io.knative.lambda.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole local platform with its parts SIGKILLed as an operator would: the builder in the middle of a burst of
 * uploads (every one is deployed once it is back), the local cluster and the deployer with functions running (the
 * functions keep answering, the listing is intact, the next update is the next revision).
 */
class RestartsIT {

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

    private static byte[] python(String answer) {
        return ("def handler(event):\n    return {'version': '" + answer + "'}\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBurstOfUploadsSurvivesABuilderKilledInTheMiddle() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String id = "burst-" + i + "-" + UUID.randomUUID().toString().substring(0, 8);
            ids.add(id);
            platform.upload("global/parser/" + id, python("burst"));
            if (i == 2) {
                platform.kill("builder");
            }
        }
        platform.restart("builder");

        Awaitility.await().atMost(Duration.ofSeconds(300)).untilAsserted(() -> {
            for (String id : ids) {
                assertThat(platform.events("io.knative.lambda.deploy.completed", id)).as(id).isNotEmpty();
            }
        });
    }

    /**
     * Sandboxed (the default), a function process ends with its cluster (bubblewrap's --die-with-parent, so nothing is
     * left unowned) and is started again when the cluster comes back; the Service URL, the ingress's, stays the same.
     * Unsandboxed processes outlive the cluster and are adopted: LocalClusterRestartIT.
     */
    @Test
    void functionsStayListedAndAnswerAtTheSameUrlWhenTheClusterAndTheDeployerAreKilledAndComeBack() {
        String id = "survivor-" + UUID.randomUUID().toString().substring(0, 8);
        String key = "global/parser/" + id;
        platform.upload(key, python("v1"));
        Awaitility.await().atMost(Duration.ofSeconds(180)).untilAsserted(() ->
                assertThat(platform.events("io.knative.lambda.deploy.completed", id)).hasSize(1));
        String url = platform.events("io.knative.lambda.deploy.completed", id).get(0).path("data").path("url").asText();

        platform.kill("deployer");
        platform.kill("local-cluster");
        platform.restart("local-cluster");
        platform.restart("deployer");

        HttpResponse<String> listed = platform.get(platform.clusterUrl()
                + "apis/serving.knative.dev/v1/namespaces/local/services/parser-" + id);
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.body()).contains("parser-" + id + "-00001");
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(call(url)).contains("v1"));

        platform.upload(key, python("v2"));
        Awaitility.await().atMost(Duration.ofSeconds(180)).untilAsserted(() ->
                assertThat(platform.events("io.knative.lambda.deploy.completed", id)).hasSize(2));
        var second = platform.events("io.knative.lambda.deploy.completed", id).get(1).path("data");
        assertThat(second.path("revision").asText()).isEqualTo("parser-" + id + "-00002");
        assertThat(call(second.path("url").asText())).contains("v2");
    }

    private static String call(String url) {
        HttpResponse<String> r = platform.post(url, "{}", Map.of());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }
}
