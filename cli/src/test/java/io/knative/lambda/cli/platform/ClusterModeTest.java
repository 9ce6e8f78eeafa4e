package io.knative.lambda.cli.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.CliRun;
import io.knative.lambda.cli.Json;

/**
 * {@code klambda get} and {@code logs} on a cluster: the Kubernetes API of the context given with {@code --context}
 * (fabric8's mock server in CRUD mode, typed Knative objects), the functions of the namespace, the pods of a function's
 * revisions; and what a wrong context or an unreachable API says.
 */
class ClusterModeTest {

    @TempDir
    Path dir;
    MockCluster cluster;

    @BeforeEach
    void start() {
        cluster = new MockCluster(dir);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private static void assertOneLine(CliRun r, int exit, String message) {
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(exit);
        assertThat(r.err().lines()).as("one line on stderr").hasSize(1);
        assertThat(r.err()).startsWith("klambda: ").contains(message).doesNotContain("Exception:").doesNotContain("\tat ");
    }

    @Test
    void getListsTheFunctionsOfTheNamespaceThroughTheGivenContext() {
        cluster.function("my-parser", 2);
        cluster.function("billing", 1);

        CliRun get = CliRun.of("get", "--context", "mock");

        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(get.out().lines().toList()).hasSize(3);
        assertThat(get.out()).startsWith("NAME").containsPattern("parser-my-parser\\s+my-parser\\s+https://parser-my-parser"
                + "\\.knative-lambda\\.homelab\\s+True\\s+parser-my-parser-00002")
                .containsPattern("parser-billing\\s+billing\\s+https://parser-billing\\.knative-lambda\\.homelab\\s+True");
    }

    @Test
    void getOfOneFunctionShowsItsRevisionsInOrderWithTheirTraffic() {
        cluster.function("my-parser", 2);

        CliRun get = CliRun.of("get", "my-parser", "--context", "mock");

        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(get.out()).contains("Source:      s3://functions/global/parser/my-parser.py")
                .containsSubsequence("parser-my-parser-00001", "parser-my-parser-00002   True")
                .containsPattern("parser-my-parser-00002\\s+True\\s+100%");
        JsonNode json = Json.parse(CliRun.of("get", "parser-my-parser", "--context", "mock", "-o", "json").out(), "get");
        assertThat(json.path("revisions").findValuesAsText("name")).containsExactly("parser-my-parser-00001",
                "parser-my-parser-00002");
    }

    @Test
    void logsPrintsTheUserContainerOfThePodsOfTheFunctionsRevisionsOnly() {
        cluster.function("my-parser", 2);
        cluster.function("billing", 1);
        cluster.pod("parser-my-parser", "parser-my-parser-00002", "parser-my-parser-00002-deployment-b", "{\"msg\":\"b\"}\n");
        cluster.pod("parser-my-parser", "parser-my-parser-00001", "parser-my-parser-00001-deployment-a", "{\"msg\":\"a\"}\n");
        cluster.pod("parser-billing", "parser-billing-00001", "parser-billing-00001-deployment-c", "{\"msg\":\"billing\"}\n");

        CliRun logs = CliRun.of("logs", "my-parser", "--context", "mock");

        assertThat(logs.exit()).as(logs.err()).isZero();
        assertThat(logs.out().lines()).containsExactly("parser-my-parser-00001 | {\"msg\":\"a\"}",
                "parser-my-parser-00002 | {\"msg\":\"b\"}");
    }

    @Test
    void logsFollowWatchesEveryPodOfTheFunction() {
        cluster.function("my-parser", 2);
        cluster.pod("parser-my-parser", "parser-my-parser-00001", "parser-my-parser-00001-deployment-a", "{\"msg\":\"a\"}\n");
        cluster.pod("parser-my-parser", "parser-my-parser-00002", "parser-my-parser-00002-deployment-b", "{\"msg\":\"b\"}\n");

        CliRun logs = CliRun.of("logs", "my-parser", "-f", "--context", "mock");

        assertThat(logs.exit()).as(logs.err()).isZero();
        assertThat(logs.out().lines()).containsExactlyInAnyOrder("parser-my-parser-00001 | {\"msg\":\"a\"}",
                "parser-my-parser-00002 | {\"msg\":\"b\"}");
    }

    @Test
    void anApiThatRefusesTheCallerIsOneLineWithItsMessage() {
        cluster.server.expect().get().withPath("/apis/serving.knative.dev/v1/namespaces/locked/services")
                .andReturn(403, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Forbidden\","
                        + "\"code\":403,\"message\":\"services.serving.knative.dev is forbidden: User \\\"developer\\\" cannot list\"}")
                .always();

        assertOneLine(CliRun.of("get", "--context", "mock", "-n", "locked"), 1, "refused to list the Knative Services of locked"
                + " (403): services.serving.knative.dev is forbidden: User \"developer\" cannot list");
    }

    @Test
    void anUnknownFunctionOnAClusterNamesTheContextAndTheNamespace() {
        cluster.function("billing", 1);

        assertOneLine(CliRun.of("logs", "nope", "--context", "mock"), 2,
                "no function 'nope' in namespace knative-lambda (cluster context mock; 1 function");
    }

    @Test
    void aContextTheKubeconfigLacksOrAnApiThatDoesNotAnswerIsOneLine() {
        assertOneLine(CliRun.of("get", "--context", "prod"), 2, "no context 'prod' in the kubeconfig ("
                + dir.resolve("kubeconfig") + "): kubectl config get-contexts lists them");
        assertOneLine(CliRun.of("get", "--context", "elsewhere"), 1, "cannot reach the cluster API at http://127.0.0.1:");
    }
}
