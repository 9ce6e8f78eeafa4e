package io.knative.lambda.runtime.contract;

import static io.knative.lambda.runtime.contract.ContractIT.assertPlainError;
import static io.knative.lambda.runtime.contract.ContractIT.metric;
import static io.knative.lambda.runtime.contract.ContractIT.to;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.restassured.response.Response;

/** Start, overload and stop of every runtime, each test with its own process. */
class LifecycleIT {

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void sigtermDrainsTheInFlightRequestThenExits(RuntimeKind kind) throws Exception {
        try (FunctionProcess p = FunctionProcess.start(kind, RuntimeKind.Function.CONTRACT, "drain-fn", Map.of())) {
            CompletableFuture<Response> slow = CompletableFuture.supplyAsync(() ->
                    to(p).contentType("application/json").body("{\"action\":\"sleep\",\"ms\":1500}").post("/"));
            await().atMost(Duration.ofSeconds(10)).until(() -> metric(p, "klambda_function_in_flight") >= 1);

            p.terminate();

            Response r = slow.get();
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
            assertThat(r.asString()).contains("\"slept\"");
            int exit = p.awaitExit(Duration.ofSeconds(30));
            assertThat(exit).as(p.logText()).isIn(0, 143);
            assertThat(p.logText()).contains("\"msg\":\"draining\"").containsPattern("\"msg\":\"stopped\"[^\\n]*\"drained\":true");
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void concurrencyIsBoundedAndExcessWaitsUntilTheTimeoutThen503(RuntimeKind kind) throws Exception {
        try (FunctionProcess p = FunctionProcess.start(kind, RuntimeKind.Function.CONTRACT, "single-slot-fn",
                Map.of("FUNCTION_CONCURRENCY", "1", "FUNCTION_TIMEOUT_MS", "1000"))) {
            // holds the only slot for 3 s (ignoring interruption): answered 504 at 1 s, slot busy until 3 s
            CompletableFuture<Response> holder = CompletableFuture.supplyAsync(() ->
                    to(p).contentType("application/json").body("{\"action\":\"hold\",\"ms\":3000}").post("/"));
            await().atMost(Duration.ofSeconds(10)).until(() -> metric(p, "klambda_function_in_flight") >= 1);

            long start = System.nanoTime();
            Response waiting = to(p).contentType("application/json").body("{\"action\":\"echo\"}").post("/");
            long waitedMs = (System.nanoTime() - start) / 1_000_000;

            assertPlainError(waiting, 503, "Overloaded");
            assertThat(waitedMs).as("the excess request waited for a slot until its timeout").isGreaterThanOrEqualTo(500);
            assertPlainError(holder.get(), 504, "Timeout");

            // once the slot is free again, requests are served
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    to(p).contentType("application/json").body("{\"action\":\"echo\"}").post("/").statusCode() == 200);
        }
    }

    @Test
    void javaOnTheEventLoopServesTheSameContract() {
        try (FunctionProcess p = FunctionProcess.start(RuntimeKind.JAVA, RuntimeKind.Function.CONTRACT, "event-loop-fn",
                Map.of("FUNCTION_EXECUTION", "event-loop", "FUNCTION_TIMEOUT_MS", "1000"))) {
            Response plain = to(p).contentType("application/json").body("{\"action\":\"echo\",\"n\":1}").post("/");
            assertThat(plain.statusCode()).isEqualTo(200);
            assertThat(plain.asString()).isEqualTo("{\"echo\":{\"action\":\"echo\",\"n\":1}}");

            Response binary = ContractIT.binary(p, "el-1").body("{\"action\":\"invalid\",\"why\":\"no\"}").post("/");
            assertThat(binary.statusCode()).isEqualTo(400);
            assertThat(binary.header("ce-type")).isEqualTo("io.knative.lambda.response.error");

            assertPlainError(to(p).contentType("application/json").body("{\"action\":\"sleep\",\"ms\":1500}").post("/"), 504, "Timeout");
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aFunctionThatCannotLoadExitsNonZeroWithAJsonReasonAndIsNeverReady(RuntimeKind kind) throws Exception {
        try (FunctionProcess p = FunctionProcess.launch(kind, RuntimeKind.Function.BROKEN, "broken-fn", Map.of())) {
            int exit = p.awaitExit(Duration.ofSeconds(60));

            assertThat(exit).as(p.logText()).isNotZero();
            assertThat(p.logText()).contains("\"msg\":\"cannot load the function\"");
            assertThat(p.status("/health/ready")).isNotEqualTo(200);
        }
    }
}
