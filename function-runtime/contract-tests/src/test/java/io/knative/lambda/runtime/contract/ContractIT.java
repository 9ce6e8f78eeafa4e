package io.knative.lambda.runtime.contract;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.events.EventTypes;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * The runtime contract (function-runtime/README.md), run against every runtime as a real process: the guide's
 * parser.py and its Java and JavaScript twins, and a contract function whose behaviour the event chooses.
 */
class ContractIT {

    static final String CONTRACT_ID = "contract-fn-1";
    static final String GUIDE_BODY = "{\"parser_id\":\"" + RuntimeKind.PARSER_ID + "\",\"data\":{\"key\":\"value\"}}";
    static final int MAX_BODY = 4096;
    static final int TIMEOUT_MS = 1500;
    static final ObjectMapper JSON = new ObjectMapper();
    static final RestAssuredConfig NO_CHARSET = RestAssured.config()
            .encoderConfig(EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));

    private static final Map<RuntimeKind, FunctionProcess> PARSERS = new EnumMap<>(RuntimeKind.class);
    private static final Map<RuntimeKind, FunctionProcess> CONTRACTS = new EnumMap<>(RuntimeKind.class);
    private static final Map<RuntimeKind, Path> MARKERS = new EnumMap<>(RuntimeKind.class);

    static synchronized FunctionProcess parser(RuntimeKind kind) {
        return PARSERS.computeIfAbsent(kind, k -> FunctionProcess.start(k, RuntimeKind.Function.PARSER, RuntimeKind.PARSER_ID, Map.of()));
    }

    static synchronized FunctionProcess contract(RuntimeKind kind) {
        return CONTRACTS.computeIfAbsent(kind, k -> {
            Path marker;
            try {
                marker = Files.createTempDirectory("klambda-marker-").resolve("main-ran-" + k.name());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            MARKERS.put(k, marker);
            return FunctionProcess.start(k, RuntimeKind.Function.CONTRACT, CONTRACT_ID, Map.of(
                    "FUNCTION_TIMEOUT_MS", String.valueOf(TIMEOUT_MS),
                    "FUNCTION_MAX_BODY_BYTES", String.valueOf(MAX_BODY),
                    "FUNCTION_CONCURRENCY", "4",
                    "MARKER", marker.toString()));
        });
    }

    @AfterAll
    static void stopAll() {
        PARSERS.values().forEach(FunctionProcess::close);
        CONTRACTS.values().forEach(FunctionProcess::close);
        PARSERS.clear();
        CONTRACTS.clear();
    }

    static RequestSpecification to(FunctionProcess p) {
        return given().config(NO_CHARSET).baseUri(p.url());
    }

    static RequestSpecification binary(FunctionProcess p, String id) {
        return to(p).header("ce-specversion", "1.0").header("ce-id", id).header("ce-source", "/contract-tests")
                .header("ce-type", EventTypes.INVOKE).header("ce-subject", p.functionId).contentType("application/json");
    }

    static String structured(String id, String dataJson) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"/contract-tests\",\"type\":\"" + EventTypes.INVOKE
                + "\",\"datacontenttype\":\"application/json\",\"data\":" + dataJson + "}";
    }

    static Map<String, Object> parse(Response r) {
        try {
            return JSON.readValue(r.asByteArray(), Map.class);
        } catch (IOException e) {
            throw new AssertionError("not a JSON object: " + r.asString(), e);
        }
    }

    static void assertPlainError(Response r, int status, String code) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/json");
        Map<String, Object> body = parse(r);
        assertThat(body).containsOnlyKeys("error", "message").containsEntry("error", code);
        assertThat((String) body.get("message")).isNotBlank().doesNotContain("Traceback").doesNotContain("\tat ");
        assertThat(r.header("ce-type")).isNull();
    }

    // ---- the guide's parser: three request shapes ----

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void plainJsonAsTheGuidesCurlGetsTheHandlersJson(RuntimeKind kind) {
        Response r = to(parser(kind)).contentType("application/json").body(GUIDE_BODY).post("/");

        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.header("ce-id")).isNull();
        assertThat(parse(r)).isEqualTo(Map.of("status", "success", "parser_id", RuntimeKind.PARSER_ID,
                "result", Map.of("processed", true)));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aBinaryCloudEventGetsABinarySuccessEvent(RuntimeKind kind) {
        FunctionProcess p = parser(kind);
        Response r = binary(p, "req-1").body(GUIDE_BODY).post("/");

        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        assertThat(r.header("ce-specversion")).isEqualTo("1.0");
        assertThat(r.header("ce-type")).isEqualTo(EventTypes.RESPONSE_SUCCESS);
        assertThat(r.header("ce-source")).isEqualTo(EventTypes.functionSource(RuntimeKind.PARSER_ID));
        assertThat(r.header("ce-subject")).isEqualTo(RuntimeKind.PARSER_ID);
        assertThat(r.header("ce-id")).isNotBlank().isNotEqualTo("req-1");
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(parse(r)).containsEntry("status", "success").containsEntry("parser_id", RuntimeKind.PARSER_ID);

        Response again = binary(p, "req-1").body(GUIDE_BODY).post("/");
        assertThat(again.header("ce-id")).as("every response event gets a fresh id").isNotEqualTo(r.header("ce-id"));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    @SuppressWarnings("unchecked")
    void aStructuredCloudEventGetsAStructuredSuccessEvent(RuntimeKind kind) {
        Response r = to(parser(kind)).contentType("application/cloudevents+json").body(structured("req-2", GUIDE_BODY)).post("/");

        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/cloudevents+json");
        Map<String, Object> event = parse(r);
        assertThat(event).containsEntry("specversion", "1.0").containsEntry("type", EventTypes.RESPONSE_SUCCESS)
                .containsEntry("source", EventTypes.functionSource(RuntimeKind.PARSER_ID))
                .containsEntry("subject", RuntimeKind.PARSER_ID).containsEntry("datacontenttype", "application/json");
        assertThat((String) event.get("id")).isNotBlank().isNotEqualTo("req-2");
        assertThat((Map<String, Object>) event.get("data")).containsEntry("status", "success")
                .containsEntry("result", Map.of("processed", true));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    @SuppressWarnings("unchecked")
    void theResponseEventStaysInTheRequestsTraceInBothModesAndOnErrors(RuntimeKind kind) {
        String trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Response b = binary(parser(kind), "t-1").header("ce-traceparent", trace).body(GUIDE_BODY).post("/");
        String structuredEvent = structured("t-2", GUIDE_BODY).replace("\"id\":", "\"traceparent\":\"" + trace + "\",\"id\":");
        Response s = to(parser(kind)).contentType("application/cloudevents+json").body(structuredEvent).post("/");
        Response failed = binary(contract(kind), "t-3").header("ce-traceparent", trace)
                .body("{\"action\":\"invalid\",\"why\":\"no\"}").post("/");
        Response untraced = binary(parser(kind), "t-4").body(GUIDE_BODY).post("/");
        Response malformed = binary(parser(kind), "t-5").header("ce-traceparent", "00-xyz").body(GUIDE_BODY).post("/");

        assertThat(b.header("ce-traceparent")).isEqualTo(trace);
        assertThat(parse(s)).containsEntry("traceparent", trace);
        assertThat(failed.statusCode()).isEqualTo(400);
        assertThat(failed.header("ce-traceparent")).isEqualTo(trace);
        assertThat(untraced.header("ce-traceparent")).isNull();
        assertThat(malformed.header("ce-traceparent")).as("only a well-formed trace context is copied").isNull();
    }

    // ---- invalid requests ----

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void invalidJsonIs400(RuntimeKind kind) {
        FunctionProcess p = parser(kind);
        assertPlainError(to(p).contentType("application/json").body("{\"parser_id\": ").post("/"), 400, "InvalidJson");
        assertPlainError(to(p).contentType("application/cloudevents+json").body("{not json").post("/"), 400, "InvalidJson");
        // standard JSON only, in both runtimes: no comments, nothing after the document
        assertPlainError(to(p).contentType("application/json").body("{\"parser_id\": \"p\" /* note */}").post("/"), 400, "InvalidJson");
        assertPlainError(to(p).contentType("application/json").body("{\"parser_id\": \"p\"} {}").post("/"), 400, "InvalidJson");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void jsonNestedTooDeeplyIs400InvalidJsonNotACrash(RuntimeKind kind) {
        FunctionProcess p = parser(kind);
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertPlainError(to(p).contentType("application/json").body(deep).post("/"), 400, "InvalidJson");
        String deepObjects = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        assertPlainError(to(p).contentType("application/json").body(deepObjects).post("/"), 400, "InvalidJson");
        assertThat(to(p).contentType("application/json").body(GUIDE_BODY).post("/").statusCode()).isEqualTo(200);
    }

    static List<Arguments> requiredAttributes() {
        return List.of(RuntimeKind.values()).stream()
                .flatMap(k -> List.of("id", "source", "specversion", "type").stream().map(a -> Arguments.of(k, a)))
                .toList();
    }

    @ParameterizedTest(name = "{0} without ce-{1}")
    @MethodSource("requiredAttributes")
    void aBinaryEventWithoutARequiredAttributeIs400(RuntimeKind kind, String attribute) {
        RequestSpecification request = to(parser(kind)).contentType("application/json");
        Map<String, String> headers = Map.of("id", "a-1", "source", "/contract-tests", "specversion", "1.0", "type", EventTypes.INVOKE);
        headers.forEach((name, value) -> {
            if (!name.equals(attribute)) {
                request.header("ce-" + name, value);
            }
        });
        Response r = request.body(GUIDE_BODY).post("/");

        assertPlainError(r, 400, "InvalidEvent");
        assertThat(parse(r).get("message").toString()).contains(attribute);
    }

    @ParameterizedTest(name = "{0} without {1}")
    @MethodSource("requiredAttributes")
    void aStructuredEventWithoutARequiredAttributeIs400(RuntimeKind kind, String attribute) throws IOException {
        Map<String, Object> event = new java.util.LinkedHashMap<>(JSON.readValue(structured("s-1", GUIDE_BODY), Map.class));
        event.remove(attribute);
        Response r = to(parser(kind)).contentType("application/cloudevents+json").body(JSON.writeValueAsString(event)).post("/");

        assertPlainError(r, 400, "InvalidEvent");
        assertThat(parse(r).get("message").toString()).contains(attribute);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void eventDataThatIsNotAnObjectIs400(RuntimeKind kind) {
        assertPlainError(to(parser(kind)).contentType("application/json").body("[1, 2]").post("/"), 400, "InvalidEvent");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aBodyOverTheLimitIs413(RuntimeKind kind) {
        String big = "{\"action\":\"echo\",\"pad\":\"" + "x".repeat(MAX_BODY) + "\"}";
        assertPlainError(to(contract(kind)).contentType("application/json").body(big).post("/"), 413, "PayloadTooLarge");

        String fits = "{\"action\":\"echo\",\"pad\":\"" + "x".repeat(MAX_BODY - 100) + "\"}";
        assertThat(to(contract(kind)).contentType("application/json").body(fits).post("/").statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aBodyFarOverTheLimitIsStillAnswered413NotReset(RuntimeKind kind) {
        // megabytes the server will not read: it must answer, then drop the rest, not close with bytes unread
        String huge = "{\"action\":\"echo\",\"pad\":\"" + "x".repeat(4 * 1024 * 1024) + "\"}";
        for (int i = 0; i < 3; i++) {
            assertPlainError(to(contract(kind)).contentType("application/json").body(huge).post("/"), 413, "PayloadTooLarge");
        }
        assertThat(to(contract(kind)).contentType("application/json").body("{\"action\":\"echo\"}").post("/").statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void unknownPathsAre404AndGetOnRootIs405(RuntimeKind kind) {
        FunctionProcess p = parser(kind);
        assertPlainError(to(p).get("/nope"), 404, "NotFound");
        assertPlainError(to(p).get("/"), 405, "MethodNotAllowed");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void everyOtherMethodOnRootIs405WithTheJsonBody(RuntimeKind kind) {
        FunctionProcess p = parser(kind);
        assertPlainError(to(p).contentType("application/json").body(GUIDE_BODY).put("/"), 405, "MethodNotAllowed");
        assertPlainError(to(p).contentType("application/json").body(GUIDE_BODY).patch("/"), 405, "MethodNotAllowed");
        assertPlainError(to(p).delete("/"), 405, "MethodNotAllowed");
        assertPlainError(to(p).options("/"), 405, "MethodNotAllowed");
        assertThat(to(p).contentType("application/json").body(GUIDE_BODY).post("/").statusCode()).isEqualTo(200);
    }

    // ---- handler failures ----

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aValueErrorOrIllegalArgumentExceptionIs400WithItsMessage(RuntimeKind kind) {
        Response r = to(contract(kind)).contentType("application/json").body("{\"action\":\"invalid\",\"why\":\"amount must be positive\"}").post("/");

        assertPlainError(r, 400, "InvalidInput");
        assertThat(parse(r)).containsEntry("message", "amount must be positive");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anyOtherExceptionIs500WithoutTraceOrDetailAndTheTraceGoesToTheLog(RuntimeKind kind) {
        FunctionProcess p = contract(kind);
        String secret = UUID.randomUUID().toString();
        Response r = to(p).contentType("application/json").body("{\"action\":\"fail\",\"secret\":\"" + secret + "\"}").post("/");

        assertPlainError(r, 500, "FunctionError");
        assertThat(r.asString()).doesNotContain(secret);
        // a stack trace in the language's own form (JSON-escaped in the log line)
        String frame = switch (kind) {
            case JAVA -> "\\tat ";
            case NODE -> "\\n    at ";
            default -> "Traceback";
        };
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(p.logText())
                .contains("secret-detail-" + secret).contains(frame));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aTypedResultIsAnsweredAsTheSameJsonAsAMap(RuntimeKind kind) {
        Response r = to(contract(kind)).contentType("application/json").body("{\"action\":\"typed\"}").post("/");

        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        assertThat(r.jsonPath().getString("status")).isEqualTo("ok");
        assertThat(r.jsonPath().getInt("count")).isEqualTo(2);
        assertThat(r.jsonPath().getDouble("ratio")).isEqualTo(0.5);
        assertThat(r.jsonPath().getList("tags")).containsExactly("a", "b");
        assertThat(r.jsonPath().getBoolean("nested.flag")).isTrue();
        assertThat(r.jsonPath().getMap("nested")).containsKey("none");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aResultWithNaNIs500FunctionErrorNamingTheValueNeverANonJsonBody(RuntimeKind kind) {
        Response r = to(contract(kind)).contentType("application/json").body("{\"action\":\"nan\"}").post("/");

        assertPlainError(r, 500, "FunctionError");
        assertThat(parse(r).get("message").toString()).contains("NaN").contains("/x");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aResultThatIsNotJsonIs500(RuntimeKind kind) {
        assertPlainError(to(contract(kind)).contentType("application/json").body("{\"action\":\"unserialisable\"}").post("/"),
                500, "FunctionError");
    }

    @ParameterizedTest
    // on an event loop nothing answers while the handler holds it: LifecycleIT covers that mode's 504
    @EnumSource(value = RuntimeKind.class, mode = EnumSource.Mode.EXCLUDE, names = "PYTHON_EVENT_LOOP")
    void aHandlerOverTheTimeoutIs504(RuntimeKind kind) {
        long start = System.nanoTime();
        Response r = to(contract(kind)).contentType("application/json").body("{\"action\":\"sleep\",\"ms\":" + (TIMEOUT_MS + 2500) + "}").post("/");
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertPlainError(r, 504, "Timeout");
        assertThat(tookMs).isBetween((long) TIMEOUT_MS, (long) TIMEOUT_MS + 1500);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    @SuppressWarnings("unchecked")
    void aFailedCloudEventGetsAnErrorEventInItsMode(RuntimeKind kind) {
        FunctionProcess p = contract(kind);
        Response b = binary(p, "e-1").body("{\"action\":\"invalid\",\"why\":\"no\"}").post("/");
        assertThat(b.statusCode()).isEqualTo(400);
        assertThat(b.header("ce-type")).isEqualTo(EventTypes.RESPONSE_ERROR);
        assertThat(b.header("ce-source")).isEqualTo(EventTypes.functionSource(CONTRACT_ID));
        assertThat(b.header("ce-subject")).isEqualTo(CONTRACT_ID);
        assertThat(parse(b)).isEqualTo(Map.of("error", "InvalidInput", "message", "no"));

        Response s = to(p).contentType("application/cloudevents+json").body(structured("e-2", "{\"action\":\"fail\"}")).post("/");
        assertThat(s.statusCode()).isEqualTo(500);
        assertThat(s.contentType()).startsWith("application/cloudevents+json");
        Map<String, Object> event = parse(s);
        assertThat(event).containsEntry("type", EventTypes.RESPONSE_ERROR).containsEntry("subject", CONTRACT_ID);
        assertThat((Map<String, Object>) event.get("data")).containsOnlyKeys("error", "message").containsEntry("error", "FunctionError");
    }

    // ---- the contract function's shape ----

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    @SuppressWarnings("unchecked")
    void aTwoParameterHandlerReceivesTheCloudEventAttributes(RuntimeKind kind) {
        FunctionProcess p = contract(kind);
        Response r = binary(p, "attr-1").header("ce-tenant", "customer-123").body("{\"action\":\"attributes\"}").post("/");

        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        Map<String, Object> attributes = (Map<String, Object>) parse(r).get("attributes");
        assertThat(attributes).containsEntry("id", "attr-1").containsEntry("source", "/contract-tests")
                .containsEntry("specversion", "1.0").containsEntry("type", EventTypes.INVOKE)
                .containsEntry("subject", CONTRACT_ID).containsEntry("tenant", "customer-123");

        Response s = to(p).contentType("application/cloudevents+json").body(structured("attr-2", "{\"action\":\"attributes\"}")).post("/");
        Map<String, Object> data = (Map<String, Object>) parse(s).get("data");
        assertThat((Map<String, Object>) data.get("attributes")).containsEntry("id", "attr-2").doesNotContainKey("data");

        Response plain = to(p).contentType("application/json").body("{\"action\":\"attributes\"}").post("/");
        assertThat(parse(plain)).isEqualTo(Map.of("attributes", Map.of()));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void theFunctionsMainBlockNeverRuns(RuntimeKind kind) {
        FunctionProcess p = contract(kind);
        assertThat(to(p).contentType("application/json").body("{\"action\":\"echo\"}").post("/").statusCode()).isEqualTo(200);

        Path marker = MARKERS.get(kind);
        assertThat(marker.getParent()).isDirectory();
        assertThat(marker).doesNotExist();
    }

    // ---- operations ----

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void healthAnswersLiveAndReady(RuntimeKind kind) {
        FunctionProcess p = parser(kind);
        Response live = to(p).get("/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(parse(live)).containsEntry("status", "UP");
        Response ready = to(p).get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(parse(ready)).containsEntry("status", "UP");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void metricsCountInvocationsErrorsDurationsAndTheColdStart(RuntimeKind kind) {
        FunctionProcess p = contract(kind);
        double before = metric(p, "klambda_function_invocations_total");
        to(p).contentType("application/json").body("{\"action\":\"echo\"}").post("/");
        to(p).contentType("application/json").body("{broken").post("/");

        // an invocation is counted right after its answer is written: the client may ask before that
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(metric(to(p).get("/metrics").then().statusCode(200)
                .extract().asString(), "klambda_function_invocations_total")).isEqualTo(before + 2));
        String text = to(p).get("/metrics").then().statusCode(200).extract().asString();
        assertThat(metric(text, "klambda_function_invocations_total")).isEqualTo(before + 2);
        assertThat(metric(text, "klambda_function_errors_total", "code=\"InvalidJson\"")).isGreaterThanOrEqualTo(1);
        assertThat(metric(text, "klambda_function_duration_seconds_bucket", "le=\"+Inf\"")).isGreaterThanOrEqualTo(before + 2);
        assertThat(metric(text, "klambda_function_duration_seconds_count")).isGreaterThanOrEqualTo(before + 2);
        assertThat(metric(text, "klambda_function_cold_start_seconds")).isGreaterThan(0).isLessThan(120);
        assertThat(text).contains("# TYPE klambda_function_duration_seconds histogram")
                .contains("function=\"" + CONTRACT_ID + "\"");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void oneJsonLogLinePerInvocationWithoutThePayload(RuntimeKind kind) {
        FunctionProcess p = contract(kind);
        String eventId = "log-" + UUID.randomUUID();
        String secret = "payload-secret-" + UUID.randomUUID();
        binary(p, eventId).body("{\"action\":\"echo\",\"card\":\"" + secret + "\"}").post("/").then().statusCode(200);

        await().atMost(Duration.ofSeconds(5)).until(() -> p.logText().contains(eventId));
        List<String> lines = p.logText().lines().filter(l -> l.contains(eventId)).toList();
        assertThat(lines).hasSize(1);
        Map<String, Object> line = readLine(lines.get(0));
        assertThat(line).containsEntry("msg", "invocation").containsEntry("eventId", eventId)
                .containsEntry("eventType", EventTypes.INVOKE).containsEntry("status", 200)
                .containsEntry("coldStart", false).containsKey("durationMs").containsEntry("function", CONTRACT_ID);
        assertThat(p.logText()).doesNotContain(secret);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void theFirstInvocationIsLoggedAsTheColdOne(RuntimeKind kind) {
        FunctionProcess p = parser(kind);
        to(p).contentType("application/json").body(GUIDE_BODY).post("/").then().statusCode(200);

        await().atMost(Duration.ofSeconds(5)).until(() -> p.logText().contains("\"msg\":\"invocation\""));
        List<Map<String, Object>> invocations = p.logText().lines().filter(l -> l.contains("\"msg\":\"invocation\""))
                .map(ContractIT::readLine).toList();
        assertThat(invocations.get(0)).containsEntry("coldStart", true);
        assertThat(invocations.subList(1, invocations.size())).allSatisfy(l -> assertThat(l).containsEntry("coldStart", false));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void concurrentRequestsAllSucceedOnKeepAliveConnections(RuntimeKind kind) {
        FunctionProcess p = contract(kind);
        List<CompletableFuture<Integer>> calls = java.util.stream.IntStream.range(0, 40)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> to(p).contentType("application/json")
                        .body("{\"action\":\"echo\",\"i\":" + i + "}").post("/").statusCode()))
                .toList();
        assertThat(calls.stream().map(CompletableFuture::join)).containsOnly(200);
    }

    static Map<String, Object> readLine(String line) {
        try {
            return JSON.readValue(line, Map.class);
        } catch (IOException e) {
            throw new AssertionError("log line is not JSON: " + line, e);
        }
    }

    static double metric(FunctionProcess p, String name) {
        return metric(to(p).get("/metrics").asString(), name);
    }

    /** The value of the first sample of {@code name} whose labels contain every given label. */
    static double metric(String text, String name, String... labels) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE).matcher(text);
        while (m.find()) {
            String found = m.group(1);
            if (java.util.Arrays.stream(labels).allMatch(found::contains)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no sample " + name + " " + List.of(labels) + " in:\n" + text);
    }
}
