package io.knative.lambda.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;

/**
 * The Quarkus adapter of the Java runtime: loads the function at start-up, then listens ({@link HttpTransport}),
 * drains at shutdown, and serves the HTTP surface on plain Vert.x routes: POST / invokes the function
 * ({@link VertxInvocation}), GET /health/live, /health/ready and /metrics.
 */
@ApplicationScoped
public class FunctionServer {

    private final Invoker invoker = new Invoker(System.getenv().getOrDefault("FUNCTION_ID", "function"));
    private volatile Router router;

    void onStart(@Observes StartupEvent event, Vertx vertx) {
        FunctionConfig cfg;
        FunctionHandler handler;
        try {
            cfg = FunctionConfig.from(System.getenv());
            handler = FunctionHandler.load(cfg);
        } catch (IllegalStateException e) {
            Map<String, Object> line = JsonLog.record("error", "cannot load the function");
            line.put("function", System.getenv().getOrDefault("FUNCTION_ID", "function"));
            line.put("message", e.getMessage());
            if (e.getCause() != null) {
                line.put("trace", JsonLog.trace(e.getCause()));
            }
            JsonLog.log(line);
            JsonLog.flush();
            throw e;
        }
        // runs beside Quarkus' own shutdown hook: not ready, and Connection: close, from the moment SIGTERM arrives
        Runtime.getRuntime().addShutdownHook(new Thread(() -> invoker.draining = true, "klambda-drain"));
        invoker.start(cfg, handler);
        if (router == null) {
            throw new IllegalStateException("Quarkus registered no routes: the runtime has nothing to serve");
        }
        try {
            HttpTransport.listen(vertx, cfg, router);
        } catch (ExecutionException | TimeoutException e) {
            Map<String, Object> line = JsonLog.record("error", "cannot listen");
            line.put("function", cfg.functionId());
            line.put("message", cfg.host() + ":" + cfg.port() + ": " + (e.getCause() == null ? e : e.getCause()));
            JsonLog.log(line);
            JsonLog.flush();
            throw new IllegalStateException("cannot listen on " + cfg.host() + ":" + cfg.port(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting to listen", e);
        }
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

    void onStop(@Observes ShutdownEvent event) {
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

    void routes(@Observes Router router) {
        this.router = router;
        router.post("/").handler(ctx -> VertxInvocation.receive(ctx, invoker));
        router.get("/health/live").handler(ctx -> json(ctx.response(), 200, "{\"status\":\"UP\"}"));
        router.get("/health/ready").handler(ctx -> {
            boolean up = invoker.ready && !invoker.draining;
            json(ctx.response(), up ? 200 : 503, up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
        });
        router.get("/metrics").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(invoker.metrics.render()));
        router.route("/").last().handler(ctx -> closing(ctx.response(), 405,
                "{\"error\":\"MethodNotAllowed\",\"message\":\"invoke the function with POST /\"}"));
        router.route().last().handler(ctx -> closing(ctx.response(), 404,
                "{\"error\":\"NotFound\",\"message\":\"no such path\"}"));
    }

    private static void json(HttpServerResponse response, int status, String body) {
        response.setStatusCode(status).putHeader("Content-Type", CloudEvents.JSON).end(body);
    }

    private static void closing(HttpServerResponse response, int status, String body) {
        response.setStatusCode(status).putHeader("Content-Type", CloudEvents.JSON).putHeader("Connection", "close").end(body);
    }
}
