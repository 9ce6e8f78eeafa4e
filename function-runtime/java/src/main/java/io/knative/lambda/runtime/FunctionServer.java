package io.knative.lambda.runtime;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Java runtime's entry point: reads the settings, listens ({@link HttpTransport}; POST / answers 503 NotReady
 * until the function is loaded), loads the function, logs ready with the cold start, and on SIGTERM drains: not
 * ready, Connection: close, and in-flight invocations finish within FUNCTION_DRAIN_TIMEOUT_MS.
 */
public final class FunctionServer {

    private FunctionServer() {
    }

    public static void main(String[] args) {
        String functionId = System.getenv().getOrDefault("FUNCTION_ID", "function");
        Invoker invoker = new Invoker(functionId);
        FunctionConfig cfg;
        try {
            cfg = FunctionConfig.from(System.getenv());
        } catch (IllegalStateException e) {
            throw exit(cannotLoad(functionId, e));
        }
        HttpTransport transport;
        try {
            transport = HttpTransport.listen(cfg, invoker);
        } catch (IOException | RuntimeException e) {
            Map<String, Object> line = JsonLog.record("error", "cannot listen");
            line.put("function", cfg.functionId());
            line.put("message", cfg.host() + ":" + cfg.port() + ": " + e);
            JsonLog.log(line);
            throw exit(1);
        }
        Thread acceptor = new Thread(transport, "klambda-accept");
        acceptor.start();
        FunctionHandler handler;
        try {
            handler = FunctionHandler.load(cfg);
        } catch (IllegalStateException e) {
            throw exit(cannotLoad(functionId, e));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> drain(invoker), "klambda-drain"));
        invoker.start(cfg, handler);
        double coldStart = ProcessHandle.current().info().startInstant()
                .map(start -> Duration.between(start, Instant.now()).toNanos() / 1e9).orElse(0.0);
        invoker.metrics.coldStart(coldStart);
        Map<String, Object> line = JsonLog.record("info", "ready");
        line.put("function", cfg.functionId());
        line.put("runtime", "java");
        line.put("class", cfg.className());
        line.put("execution", cfg.eventLoop() ? "event-loop" : "worker");
        line.put("coldStartMs", Math.round(coldStart * 10000) / 10.0);
        JsonLog.log(line);
        JsonLog.flush();
    }

    private static int cannotLoad(String functionId, IllegalStateException e) {
        Map<String, Object> line = JsonLog.record("error", "cannot load the function");
        line.put("function", functionId);
        line.put("message", e.getMessage());
        if (e.getCause() != null) {
            line.put("trace", JsonLog.trace(e.getCause()));
        }
        JsonLog.log(line);
        return 1;
    }

    private static IllegalStateException exit(int status) {
        JsonLog.flush();
        System.exit(status);
        return new IllegalStateException("unreachable");
    }

    /** SIGTERM: not ready, Connection: close from now on; waits for in-flight invocations up to the drain timeout. */
    private static void drain(Invoker invoker) {
        invoker.draining = true;
        FunctionConfig cfg = invoker.config;
        Map<String, Object> line = JsonLog.record("info", "draining");
        line.put("inFlight", invoker.active.get());
        JsonLog.log(line);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(cfg == null ? 0 : cfg.drainMs());
        while (invoker.active.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Map<String, Object> stopped = JsonLog.record(invoker.active.get() == 0 ? "info" : "warn", "stopped");
        stopped.put("drained", invoker.active.get() == 0);
        stopped.put("inFlight", invoker.active.get());
        JsonLog.log(stopped);
        JsonLog.flush();
    }
}
