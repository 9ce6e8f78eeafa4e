package io.knative.lambda.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.events.TraceParent;
import io.knative.lambda.platform.e2e.KlambdaProcess.Run;
import io.knative.lambda.testsupport.PythonIndexServer;

/**
 * The {@code klambda} CLI end to end on the local platform, for what {@link ObserveIT} leaves out: {@code deploy DIR}
 * packs a multi-file function ({@code examples/invoice}: a package, function.yaml, requirements.txt) into a zip that
 * builds, runs and, unchanged, is the same source again; {@code logs -f} and {@code events -f} print what happens
 * after they started, and are stopped.
 */
class CliFolderAndFollowIT {

    private static final String INVOICE = "{\"issued\": \"2026-03-01\", \"terms_days\": 30, \"lines\": [{\"amount\": \"19.90\", \"qty\": 2}]}";
    private static LocalPlatform platform;
    private static String id;

    @BeforeAll
    static void startAndDeployTheInvoiceFolder() throws Exception {
        platform = new LocalPlatform();
        // PyPI is out of reach: the test index serves a python-dateutil wheel of its own with the two calls the
        // example makes (parser.parse of an ISO day, relativedelta(days=n))
        platform.pythonIndex.add("python-dateutil", PythonIndexServer.wheelName("python-dateutil", "2.9.0.post0",
                "py3-none-any"), PythonIndexServer.wheel("python-dateutil", "2.9.0.post0", "py3-none-any", Map.of(
                        "dateutil/__init__.py", "", "dateutil/parser.py", "import datetime\n\n\n"
                                + "def parse(text):\n    return datetime.datetime.fromisoformat(text)\n",
                        "dateutil/relativedelta.py", "import datetime\n\n\n"
                                + "def relativedelta(days=0):\n    return datetime.timedelta(days=days)\n"), List.of()));
        id = "invoice-" + UUID.randomUUID().toString().substring(0, 8);
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

    /** Deploys examples/invoice as {@link #id} once, for every test. */
    private static synchronized void deployed() throws Exception {
        if (!platform.events("io.knative.lambda.deploy.completed", id).isEmpty()) {
            return;
        }
        Run deploy = klambda("deploy", KlambdaProcess.PROJECT.resolve("examples/invoice").toString(), "--id", id);
        assertThat(deploy.exit()).as(deploy.out() + deploy.err()).isZero();
        assertThat(deploy.out()).containsSubsequence("uploaded ", "examples/invoice (6 files packed) as s3://",
                "/global/parser/" + id + ".zip", "build started", "built ", "rollout started",
                "ready at http://parser-" + id + ".local.localhost:");
    }

    /** Publishes an invoke of the function to the broker with event id {@code eventId} in the trace {@code trace}. */
    private static void invoke(String eventId, TraceParent trace) {
        HttpResponse<String> accepted = platform.post(platform.brokerUrl(), INVOICE, Map.of("ce-specversion", "1.0",
                "ce-id", eventId, "ce-source", "/test", "ce-type", "io.knative.lambda.invoke", "ce-subject", "parser-" + id,
                "ce-traceparent", trace.header()));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    }

    @Test
    void aFolderIsDeployedAsOneArchiveThatRunsAndAnUnchangedFolderIsTheSameSourceAgain() throws Exception {
        deployed();

        Run invoke = klambda("invoke", id, INVOICE, "-o", "json");
        assertThat(invoke.exit()).as(invoke.err()).isZero();
        JsonNode answer = new com.fasterxml.jackson.databind.ObjectMapper().readTree(invoke.out()).path("data");
        assertThat(answer.path("due").asText()).as("main.py with invoice_lib and the dependency").isEqualTo("2026-03-31");
        assertThat(answer.path("total").asText()).isEqualTo("39.80");
        assertThat(answer.path("currency").asText()).as("function.yaml's environment").isEqualTo("EUR");

        Run again = klambda("deploy", KlambdaProcess.PROJECT.resolve("examples/invoice").toString(), "--id", id, "--no-wait");
        assertThat(again.exit()).as(again.err()).isZero();
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(platform.events("io.knative.lambda.build.completed", id)).hasSize(2));
        List<JsonNode> builds = platform.events("io.knative.lambda.build.completed", id);
        assertThat(builds.get(1).path("data").path("sourceDigest").asText()).as("the same folder, the same archive")
                .isNotEmpty().isEqualTo(builds.get(0).path("data").path("sourceDigest").asText());
        assertThat(builds.get(1).path("data").path("image").asText()).isEqualTo(builds.get(0).path("data").path("image").asText());
    }

    @Test
    void logsFollowPrintsTheLineOfAnInvocationThatHappensAfterItStarted() throws Exception {
        deployed();
        invoke("before-" + UUID.randomUUID(), TraceParent.start());
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(klambda("logs", id).out()).contains("\"msg\":\"invocation\""));

        try (KlambdaProcess follow = KlambdaProcess.start(platform.runDir(), "logs", id, "-f")) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(follow.out()).as("the lines so far, then following").contains("\"msg\":\"invocation\""));
            String eventId = "after-" + UUID.randomUUID();
            invoke(eventId, TraceParent.start());

            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(follow.out()).contains("\"eventId\":\"" + eventId + "\""));
            assertThat(follow.alive()).as("still following").isTrue();
            assertThat(follow.err()).isEmpty();
        }
    }

    @Test
    void eventsFollowPrintsTheNewAnswersOfTheFunctionOnly() throws Exception {
        deployed();
        invoke("before-" + UUID.randomUUID(), TraceParent.start());
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(platform.events("io.knative.lambda.response", id)).isNotEmpty());
        try (KlambdaProcess follow = KlambdaProcess.start(platform.runDir(), "events", "--type", "io.knative.lambda.response",
                "--function", id, "-f", "-o", "json")) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(follow.out()).as("the recent events, then following").contains("\"subject\":\"" + id + "\""));
            TraceParent trace = TraceParent.start();
            invoke("followed-" + UUID.randomUUID(), trace);

            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(follow.out().lines().filter(l -> l.contains(trace.traceId()))).singleElement().satisfies(l ->
                            assertThat(l).contains("\"type\":\"io.knative.lambda.response.success\"", "\"subject\":\"" + id + "\"")));
            assertThat(follow.out().lines()).as("only answers of this function").allMatch(l -> l.contains(
                    "\"type\":\"io.knative.lambda.response.") && l.contains("\"subject\":\"" + id + "\""));
            assertThat(follow.alive()).as("still following").isTrue();
        }
    }
}
