package io.knative.lambda.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
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
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.events.TraceParent;
import io.knative.lambda.platform.e2e.KlambdaProcess.Run;

/**
 * Observing and operating the platform as a user does, end to end on the local platform: the packaged {@code klambda}
 * CLI deploys, lists, calls, reads the logs of and traces a function, rolls it back and deletes it; the real
 * {@code kubectl} lists it; one upload's events share one trace across the S3 webhook, the builder and the deployer.
 */
class ObserveIT {

    private static final Duration DEPLOY = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PROJECT = KlambdaProcess.PROJECT;
    private static LocalPlatform platform;

    @TempDir
    Path work;

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

    private static Run klambda(String... args) throws Exception {
        return KlambdaProcess.run(platform.runDir(), args);
    }

    private static Run run(List<String> command, Map<String, String> env) throws Exception {
        return KlambdaProcess.run(command, env);
    }

    private static String newId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private Path python(String name, String version) throws IOException {
        Path file = work.resolve(name);
        Files.writeString(file, "def handler(event):\n    print('handling', event.get('parser_id'))\n"
                + "    return {'version': '" + version + "', 'parser_id': event.get('parser_id')}\n");
        return file;
    }

    @Test
    void aDeveloperDeploysListsCallsReadsTheLogsOfAndTracesAFunctionWithTheCli() throws Exception {
        String id = newId("cli");
        String service = "parser-" + id;

        Run deploy = klambda("deploy", PROJECT.resolve("examples/parser.py").toString(), "--id", id);
        assertThat(deploy.exit()).as(deploy.out() + deploy.err()).isZero();
        assertThat(deploy.out()).contains("uploaded", "build started", "built ", "rollout started",
                "ready at http://" + service + ".local.localhost:");

        Run get = klambda("get");
        assertThat(get.out()).containsPattern(service + "\\s+" + id + "\\s+http://" + service + "\\.local\\.localhost:\\d+\\s+True");
        JsonNode one = JSON.readTree(klambda("get", id, "-o", "json").out());
        assertThat(one.path("service").path("status").path("url").asText()).startsWith("http://" + service + ".local.localhost:");
        assertThat(one.path("revisions")).hasSize(1);

        Run kubectl = run(List.of("kubectl", "get", "ksvc"), Map.of("KUBECONFIG", platform.runDir().resolve("kubeconfig").toString()));
        assertThat(kubectl.out()).as(kubectl.err()).startsWith("NAME").contains("LATESTREADY")
                .containsPattern(service + "\\s+http://" + service + "\\.local\\.localhost:\\d+\\s+" + service + "-00001");

        Run invoke = klambda("invoke", id, "{\"parser_id\":\"" + id + "\",\"data\":{\"key\":\"value\"}}");
        assertThat(invoke.exit()).as(invoke.err()).isZero();
        assertThat(invoke.out()).startsWith("io.knative.lambda.response.success").contains("\"processed\" : true");

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(klambda("logs", id, "--since", "5m").out().lines()).as("the function's JSON log lines")
                        .isNotEmpty().allMatch(line -> line.startsWith("{")));

        Run trace = klambda("trace", id);
        assertThat(trace.exit()).as(trace.err()).isZero();
        assertThat(trace.out()).containsSubsequence("trace ", "uploaded global/parser/" + id, "build started", "built ",
                "rollout started", "ready at http://" + service, "first answer: answered");

        Run events = klambda("events", "--function", id, "--type", "io.knative.lambda.build");
        assertThat(events.out()).contains("io.knative.lambda.build.completed").doesNotContain("deploy.completed");
    }

    @Test
    void rollbackServesTheEarlierRevisionAgainAndDeleteRemovesTheFunction() throws Exception {
        String id = newId("rb");
        assertThat(klambda("deploy", python("fn.py", "v1").toString(), "--id", id).exit()).isZero();
        Run second = klambda("deploy", python("fn.py", "v2").toString(), "--id", id);
        assertThat(second.exit()).as(second.out() + second.err()).isZero();
        assertThat(klambda("invoke", id, "{}").out()).contains("\"version\" : \"v2\"");

        Run rollback = klambda("rollback", id);
        assertThat(rollback.exit()).as(rollback.err()).isZero();
        assertThat(rollback.out()).contains("to parser-" + id + "-00001");
        assertThat(klambda("invoke", id, "{}").out()).contains("\"version\" : \"v1\"");

        Run delete = klambda("delete", id);
        assertThat(delete.exit()).as(delete.err()).isZero();
        Run gone = klambda("get", id);
        assertThat(gone.exit()).isEqualTo(2);
        assertThat(gone.err()).startsWith("klambda: no function '" + id + "'");
    }

    @Test
    void anUnknownFunctionOrMalformedJsonIsOneLineOnStderrAndANonZeroExit() throws Exception {
        Run unknown = klambda("invoke", "no-such-function", "{}");
        Run malformed = klambda("invoke", "no-such-function", "{\"a\":");
        Run logs = klambda("logs", "no-such-function");

        for (Run r : List.of(unknown, malformed, logs)) {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err().lines()).hasSize(1);
            assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        }
        assertThat(unknown.err()).startsWith("klambda: no function 'no-such-function' in namespace local");
        assertThat(malformed.err()).startsWith("klambda: the event data is not valid JSON");
    }

    @Test
    void oneUploadsEventsShareOneTraceFromTheS3NotificationThroughTheBuilderAndDeployerToTheAnswer() throws Exception {
        String id = newId("traced");
        String key = "global/parser/" + id;
        platform.upload(key, Files.readAllBytes(PROJECT.resolve("examples/parser.py")));
        Awaitility.await().atMost(DEPLOY).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(platform.events("io.knative.lambda.deploy.completed", id)).hasSize(1));

        TraceParent upload = trace(platform.events("com.amazonaws.s3.ObjectCreated", key).get(0));
        TraceParent built = trace(platform.events("io.knative.lambda.build.completed", id).get(0));
        TraceParent deployed = trace(platform.events("io.knative.lambda.deploy.completed", id).get(0));
        assertThat(List.of(built.traceId(), deployed.traceId())).as("builder and deployer replies continue the upload's trace")
                .containsOnly(upload.traceId());
        assertThat(List.of(upload.spanId(), built.spanId(), deployed.spanId())).doesNotHaveDuplicates();

        TraceParent caller = TraceParent.start();
        HttpResponse<String> accepted = platform.post(platform.brokerUrl(), "{\"parser_id\":\"" + id + "\"}", Map.of(
                "ce-specversion", "1.0", "ce-id", "traced-" + id, "ce-source", "/test", "ce-type", "io.knative.lambda.invoke",
                "ce-subject", "parser-" + id, "ce-traceparent", caller.header()));
        assertThat(accepted.statusCode()).as("the broker's answer to the invoke: %s", accepted.body()).isEqualTo(202);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(platform.events("io.knative.lambda.response", id)).hasSize(1));
        // the function's own reply event: its subject is the function id (the runtime contract), as in PipelineIT
        assertThat(trace(platform.events("io.knative.lambda.response", id).get(0)).traceId())
                .as("the function's answer stays in its caller's trace").isEqualTo(caller.traceId());
    }

    private static TraceParent trace(JsonNode event) {
        return TraceParent.parse(event.path("traceparent").asText(null))
                .orElseThrow(() -> new AssertionError("no traceparent on " + event));
    }
}
