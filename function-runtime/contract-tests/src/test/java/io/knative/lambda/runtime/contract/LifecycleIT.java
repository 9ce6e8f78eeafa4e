package io.knative.lambda.runtime.contract;

import static io.knative.lambda.runtime.contract.ContractIT.assertPlainError;
import static io.knative.lambda.runtime.contract.ContractIT.metric;
import static io.knative.lambda.runtime.contract.ContractIT.to;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.restassured.response.Response;

/** Start, overload and stop of every runtime, each test with its own process. */
class LifecycleIT {

    @ParameterizedTest
    @EnumSource(value = RuntimeKind.class, mode = EnumSource.Mode.EXCLUDE, names = "PYTHON_EVENT_LOOP") // workers only
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
    @EnumSource(value = RuntimeKind.class, mode = EnumSource.Mode.EXCLUDE, names = "PYTHON_EVENT_LOOP") // workers only
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

    @ParameterizedTest
    @EnumSource(value = RuntimeKind.class, mode = EnumSource.Mode.EXCLUDE, names = "PYTHON_EVENT_LOOP") // workers only
    void aFunctionThatSatIdleStillAnswersASlowHandler504OnTime(RuntimeKind kind) throws Exception {
        try (FunctionProcess p = FunctionProcess.start(kind, RuntimeKind.Function.CONTRACT, "idle-then-slow-fn",
                Map.of("FUNCTION_TIMEOUT_MS", "1000"))) {
            assertThat(to(p).contentType("application/json").body("{\"action\":\"echo\"}").post("/").statusCode()).isEqualTo(200);
            // the scenario itself, not a wait for a result: no request for longer than the quiet second after which
            // the runtime's timeout watchdog stops ticking and sleeps until the next invocation
            Thread.sleep(1500);

            long start = System.nanoTime();
            Response slow = to(p).contentType("application/json").body("{\"action\":\"sleep\",\"ms\":4000}").post("/");
            long tookMs = (System.nanoTime() - start) / 1_000_000;

            assertPlainError(slow, 504, "Timeout");
            assertThat(tookMs).as("answered at the timeout, not when the handler ended").isBetween(1000L, 2500L);
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anIdleKeepAliveConnectionIsClosedByTheServerAfterTheIdleTimeout(RuntimeKind kind) throws Exception {
        try (FunctionProcess p = FunctionProcess.start(kind, RuntimeKind.Function.CONTRACT, "idle-fn",
                Map.of("FUNCTION_IDLE_TIMEOUT_MS", "1000"));
                Socket idle = new Socket("127.0.0.1", Integer.parseInt(p.url().substring(p.url().lastIndexOf(':') + 1)))) {
            idle.setSoTimeout(15_000);
            byte[] body = "{\"action\":\"echo\"}".getBytes(StandardCharsets.UTF_8);
            idle.getOutputStream().write(("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            idle.getOutputStream().write(body);
            InputStream in = idle.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(head).isEqualTo("HTTP/1.1 200");

            // idle means no request in progress: a handler slower than the idle timeout is answered
            Response slow = to(p).contentType("application/json").body("{\"action\":\"sleep\",\"ms\":2500}").post("/");
            assertThat(slow.statusCode()).as(slow.asString()).isEqualTo(200);

            long start = System.nanoTime();
            while (in.read() != -1) {
                // the rest of the first answer, then the end of the stream once the server closes the idle connection
            }
            long closedAfterMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(closedAfterMs).as("the server closed the idle connection itself").isLessThan(15_000);
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void readyOnlyAfterTheHandlerLoaded(RuntimeKind kind) {
        try (FunctionProcess p = FunctionProcess.launch(kind, RuntimeKind.Function.SLOW, "slow-fn", Map.of())) {
            List<Integer> postsBeforeLoaded = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
                int post = postStatus(p);
                int ready = p.status("/health/ready");
                if (post == 200) {
                    assertThat(ready).as("a POST succeeded, so the runtime must be ready").isEqualTo(200);
                    return true;
                }
                if (post != -1) {
                    postsBeforeLoaded.add(post);
                }
                return false;
            });

            // every runtime listens while it loads the function, and answers 503 until it is loaded
            assertThat(postsBeforeLoaded).as("answers while the handler loads").isNotEmpty()
                    .allSatisfy(status -> assertThat(status).isEqualTo(503));
            await().atMost(Duration.ofSeconds(5)).until(() -> p.logText().contains("\"msg\":\"ready\""));
            String readyLine = p.logText().lines().filter(l -> l.contains("\"msg\":\"ready\"")).findFirst().orElseThrow();
            assertThat(Double.parseDouble(readyLine.replaceAll(".*\"coldStartMs\":([0-9.]+).*", "$1")))
                    .as("the cold start includes the 1.5 s load").isGreaterThanOrEqualTo(1500);
        }
    }

    private static int postStatus(FunctionProcess p) {
        try {
            java.net.http.HttpResponse<Void> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(p.url() + "/")).timeout(Duration.ofSeconds(5))
                            .header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            return r.statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
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
            assertThat(p.logText()).containsPattern("\"msg\":\"ready\"[^\\n]*\"execution\":\"event-loop\"");
        }
    }

    @Test
    void pythonOnTheEventLoopAnswersATimeoutWhenTheHandlerReturnsAndDrainsOnSigterm() throws Exception {
        try (FunctionProcess p = FunctionProcess.start(RuntimeKind.PYTHON_EVENT_LOOP, RuntimeKind.Function.CONTRACT,
                "python-event-loop-fn", Map.of("FUNCTION_TIMEOUT_MS", "1000"))) {
            long start = System.nanoTime();
            Response late = to(p).contentType("application/json").body("{\"action\":\"sleep\",\"ms\":1500}").post("/");
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertPlainError(late, 504, "Timeout");
            assertThat(tookMs).as("answered when the handler returned").isGreaterThanOrEqualTo(1500);
            assertThat(to(p).contentType("application/json").body("{\"action\":\"echo\"}").post("/").statusCode()).isEqualTo(200);
            assertThat(p.logText()).containsPattern("\"msg\":\"ready\"[^\\n]*\"execution\":\"event-loop\"");

            CompletableFuture<Response> inFlight = CompletableFuture.supplyAsync(() ->
                    to(p).contentType("application/json").body("{\"action\":\"sleep\",\"ms\":800}").post("/"));
            // the handler holds the loop: until it returns, nothing else on the port is answered
            await().atMost(Duration.ofSeconds(10)).until(() -> !answersWithin(p, Duration.ofMillis(300)));
            p.terminate();

            Response r = inFlight.get();
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
            assertThat(r.asString()).contains("\"slept\"");
            assertThat(p.awaitExit(Duration.ofSeconds(30))).as(p.logText()).isIn(0, 143);
            assertThat(p.logText()).contains("\"msg\":\"draining\"").containsPattern("\"msg\":\"stopped\"[^\\n]*\"drained\":true");
        }
    }

    private static boolean answersWithin(FunctionProcess p, Duration timeout) {
        try {
            java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(p.url() + "/health/live")).timeout(timeout).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
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
