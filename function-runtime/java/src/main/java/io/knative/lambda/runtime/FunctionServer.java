package io.knative.lambda.runtime;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The HTTP surface of the Java runtime on plain Vert.x routes: POST / invokes the function (binary or structured
 * CloudEvent, or plain JSON) on a bounded worker pool; GET /health/live, /health/ready and /metrics.
 */
@ApplicationScoped
public class FunctionServer {

    static final String SUCCESS_TYPE = "io.knative.lambda.response.success";
    static final String ERROR_TYPE = "io.knative.lambda.response.error";
    static final List<String> REQUIRED = List.of("id", "source", "specversion", "type");
    private static final String JSON = "application/json";
    private static final String CE_JSON = "application/cloudevents+json";
    private static final long IDLE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long DRAIN_EXTRA_BYTES = 8L * 1024 * 1024;

    private final AtomicInteger active = new AtomicInteger();
    private final Set<Invocation> running = ConcurrentHashMap.newKeySet();
    private final Metrics metrics;
    private volatile FunctionConfig config;
    private volatile FunctionHandler handler;
    private volatile ThreadPoolExecutor workers;
    private volatile Thread watchdogThread;
    private volatile boolean watchdogIdle;
    private volatile boolean ready;
    private volatile boolean draining;
    private String sourceJson;
    private String subjectJson;

    public FunctionServer() {
        this.metrics = new Metrics(System.getenv().getOrDefault("FUNCTION_ID", "function"), active::get);
    }

    void onStart(@Observes StartupEvent event) {
        FunctionConfig cfg;
        try {
            cfg = FunctionConfig.from(System.getenv());
            handler = FunctionHandler.load(cfg);
        } catch (IllegalStateException e) {
            Map<String, Object> line = record("error", "cannot load the function");
            line.put("function", System.getenv().getOrDefault("FUNCTION_ID", "function"));
            line.put("message", e.getMessage());
            if (e.getCause() != null) {
                line.put("trace", trace(e.getCause()));
            }
            JsonLog.log(line);
            JsonLog.flush();
            throw e;
        }
        try {
            sourceJson = Json.writeString(cfg.source());
            subjectJson = Json.writeString(cfg.functionId());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(cfg.concurrency(), cfg.concurrency(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(Math.max(1024, cfg.concurrency() * 64)), r -> {
                    Thread t = new Thread(r, "klambda-fn-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        workers = pool;
        config = cfg;
        // runs beside Quarkus' own shutdown hook: not ready, and Connection: close, from the moment SIGTERM arrives
        Runtime.getRuntime().addShutdownHook(new Thread(() -> draining = true, "klambda-drain"));
        Thread watchdog = new Thread(this::watchdog, "klambda-watchdog");
        watchdog.setDaemon(true);
        watchdogThread = watchdog;
        watchdog.start();
        double coldStart = ProcessHandle.current().info().startInstant()
                .map(start -> Duration.between(start, Instant.now()).toNanos() / 1e9).orElse(0.0);
        metrics.coldStart(coldStart);
        ready = true;
        Map<String, Object> line = record("info", "ready");
        line.put("function", cfg.functionId());
        line.put("runtime", "java");
        line.put("class", cfg.className());
        line.put("execution", cfg.eventLoop() ? "event-loop" : "worker");
        line.put("coldStartMs", Math.round(coldStart * 10000) / 10.0);
        JsonLog.log(line);
        JsonLog.flush();
    }

    void onStop(@Observes ShutdownEvent event) {
        draining = true;
        FunctionConfig cfg = config;
        Map<String, Object> line = record("info", "draining");
        line.put("inFlight", active.get());
        JsonLog.log(line);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(cfg == null ? 0 : cfg.drainMs());
        while (active.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Map<String, Object> stopped = record(active.get() == 0 ? "info" : "warn", "stopped");
        stopped.put("drained", active.get() == 0);
        stopped.put("inFlight", active.get());
        JsonLog.log(stopped);
        JsonLog.flush();
    }

    void routes(@Observes Router router) {
        router.post("/").handler(this::invoke);
        router.get("/health/live").handler(ctx -> json(ctx.response(), 200, "{\"status\":\"UP\"}"));
        router.get("/health/ready").handler(ctx -> {
            boolean up = ready && !draining;
            json(ctx.response(), up ? 200 : 503, up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
        });
        router.get("/metrics").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(metrics.render()));
        router.route("/").last().handler(ctx -> closing(ctx.response(), 405,
                "{\"error\":\"MethodNotAllowed\",\"message\":\"invoke the function with POST /\"}"));
        router.route().last().handler(ctx -> closing(ctx.response(), 404,
                "{\"error\":\"NotFound\",\"message\":\"no such path\"}"));
    }

    private static void json(HttpServerResponse response, int status, String body) {
        response.setStatusCode(status).putHeader("Content-Type", JSON).end(body);
    }

    private static void closing(HttpServerResponse response, int status, String body) {
        response.setStatusCode(status).putHeader("Content-Type", JSON).putHeader("Connection", "close").end(body);
    }

    // ---- POST / ----

    private void invoke(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        Invocation inv = new Invocation(ctx, System.nanoTime());
        active.incrementAndGet();
        FunctionConfig cfg = config;
        if (!ready || cfg == null) {
            inv.answerError(new HttpError(503, "NotReady", "the function is still loading", true));
            return;
        }
        inv.deadline = inv.start + TimeUnit.MILLISECONDS.toNanos(cfg.timeoutMs());
        String length = request.getHeader("Content-Length");
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0) {
                inv.answerError(new HttpError(400, "BadRequest", "invalid Content-Length", true));
                return;
            }
            if (n > cfg.maxBodyBytes()) {
                inv.answerError(tooLarge(cfg, "the body has " + n + " bytes"));
                return;
            }
        }
        Buffer body = Buffer.buffer(length != null ? Integer.parseInt(length.strip()) : 1024);
        request.handler(chunk -> {
            if (inv.state.get() != Invocation.RECEIVING) {
                return;
            }
            if (body.length() + chunk.length() > cfg.maxBodyBytes()) {
                inv.answerError(tooLarge(cfg, "the body is over the limit"));
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(e -> inv.answerError(new HttpError(400, "BadRequest", "the request broke off", true)));
        request.endHandler(v -> {
            if (inv.state.compareAndSet(Invocation.RECEIVING, Invocation.QUEUED)) {
                inv.body = body;
                submit(inv);
            }
        });
        request.resume();
    }

    private static HttpError tooLarge(FunctionConfig cfg, String what) {
        return new HttpError(413, "PayloadTooLarge", what + "; the limit is " + cfg.maxBodyBytes() + " bytes (FUNCTION_MAX_BODY_BYTES)", true);
    }

    private void submit(Invocation inv) {
        if (config.eventLoop()) {
            // FUNCTION_EXECUTION=event-loop: no hand-off, for handlers that never block (README). Nothing can answer
            // while the handler holds the event loop, so its deadline is checked when it returns: no watchdog.
            inv.run();
            return;
        }
        running.add(inv);
        if (watchdogIdle) { // only after a quiet second: waking it on every request would cost a context switch each
            LockSupport.unpark(watchdogThread);
        }
        try {
            inv.future = workers.submit(inv::run);
        } catch (RejectedExecutionException e) {
            if (inv.state.compareAndSet(Invocation.QUEUED, Invocation.ANSWERED)) {
                inv.send(new HttpError(503, "Overloaded", "the invocation queue is full"));
            }
        }
    }

    /**
     * Answers 503 for invocations still queued at their deadline and 504 for handlers still running (and interrupts
     * them). It ticks while invocations come in, and sleeps until the next one once none has come for a second: an
     * idle function costs no CPU, and a busy one no wake-up per request.
     */
    private void watchdog() {
        long periodNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(5, Math.min(50, config.timeoutMs() / 20)));
        long seen = -1;
        long quietSince = System.nanoTime();
        while (true) {
            long count = metrics.invocations() + active.get();
            if (count != seen || !running.isEmpty()) {
                seen = count;
                quietSince = System.nanoTime();
            }
            if (running.isEmpty() && System.nanoTime() - quietSince > IDLE_AFTER_NANOS) {
                // submit() unparks when it sees the flag; the second look at `running` after raising it closes the gap
                watchdogIdle = true;
                if (running.isEmpty()) {
                    LockSupport.park(this);
                }
                watchdogIdle = false;
                quietSince = System.nanoTime();
            } else {
                LockSupport.parkNanos(this, periodNanos);
            }
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            long now = System.nanoTime();
            for (Invocation inv : running) {
                if (now - inv.deadline < 0) {
                    continue;
                }
                if (inv.state.compareAndSet(Invocation.QUEUED, Invocation.ANSWERED)) {
                    cancel(inv, false);
                    inv.send(new HttpError(503, "Overloaded", "all " + config.concurrency()
                            + " invocation slots stayed busy for " + config.timeoutMs() + " ms"));
                } else if (inv.state.compareAndSet(Invocation.RUNNING, Invocation.ANSWERED)) {
                    cancel(inv, true);
                    inv.send(timeout());
                }
            }
        }
    }

    private HttpError timeout() {
        return new HttpError(504, "Timeout", "the function ran longer than " + config.timeoutMs() + " ms (FUNCTION_TIMEOUT_MS)", true);
    }

    private static void cancel(Invocation inv, boolean interrupt) {
        Future<?> future = inv.future;
        if (future != null) {
            future.cancel(interrupt);
        }
    }

    private static Map<String, Object> record(String level, String msg) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("level", level);
        m.put("msg", msg);
        return m;
    }

    private static String trace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    private static String uuid() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
    }

    /** One POST /: its state machine (receiving, queued, running, answered) shared by event loop, worker and watchdog. */
    final class Invocation {
        static final int RECEIVING = 0;
        static final int QUEUED = 1;
        static final int RUNNING = 2;
        static final int ANSWERED = 3;

        final AtomicInteger state = new AtomicInteger(RECEIVING);
        final RoutingContext ctx;
        final long start;
        volatile long deadline = Long.MAX_VALUE;
        volatile Future<?> future;
        Buffer body;
        String mode = "plain";
        Map<String, Object> attributes;

        Invocation(RoutingContext ctx, long start) {
            this.ctx = ctx;
            this.start = start;
        }

        /** Runs on a worker: parse, call the handler, answer (unless the watchdog answered already). */
        void run() {
            if (!state.compareAndSet(QUEUED, RUNNING)) {
                return;
            }
            byte[] payload;
            try {
                Map<String, Object> data = parse();
                Object result;
                try {
                    result = handler.invoke(data, attributes == null ? new LinkedHashMap<>() : new LinkedHashMap<>(attributes));
                } catch (IllegalArgumentException e) {
                    throw new HttpError(400, "InvalidInput", e.getMessage() == null ? "invalid input" : e.getMessage());
                } catch (Throwable e) {
                    if (state.get() == RUNNING) {
                        Map<String, Object> line = record("error", "function threw");
                        line.put("function", config.functionId());
                        line.put("eventId", attributes == null ? null : attributes.get("id"));
                        line.put("exception", e.getClass().getName());
                        line.put("trace", trace(e));
                        JsonLog.log(line);
                    }
                    throw new HttpError(500, "FunctionError", "the function threw " + e.getClass().getName());
                }
                try {
                    payload = Json.write(result);
                } catch (IOException | RuntimeException e) {
                    Map<String, Object> line = record("error", "result not JSON");
                    line.put("function", config.functionId());
                    line.put("exception", e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage());
                    JsonLog.log(line);
                    throw new HttpError(500, "FunctionError", "the function returned a value that is not JSON-serialisable");
                }
            } catch (HttpError e) {
                if (!timedOutOnEventLoop() && state.compareAndSet(RUNNING, ANSWERED)) {
                    send(e);
                }
                return;
            } catch (RuntimeException e) {
                if (!timedOutOnEventLoop() && state.compareAndSet(RUNNING, ANSWERED)) {
                    Map<String, Object> line = record("error", "runtime failure");
                    line.put("trace", trace(e));
                    JsonLog.log(line);
                    send(new HttpError(500, "RuntimeError", "the runtime failed; see its log"));
                }
                return;
            }
            if (!timedOutOnEventLoop() && state.compareAndSet(RUNNING, ANSWERED)) {
                sendSuccess(payload);
            }
        }

        /** FUNCTION_EXECUTION=event-loop: a handler that returned after its deadline is answered 504, as a worker's would be. */
        private boolean timedOutOnEventLoop() {
            if (!config.eventLoop() || System.nanoTime() - deadline < 0) {
                return false;
            }
            if (state.compareAndSet(RUNNING, ANSWERED)) {
                send(timeout());
            }
            return true;
        }

        @SuppressWarnings("unchecked")
        private Map<String, Object> parse() {
            HttpServerRequest request = ctx.request();
            String contentType = request.getHeader("Content-Type");
            String lower = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT);
            Object data;
            if (lower.startsWith("application/cloudevents-batch")) {
                throw new HttpError(400, "InvalidEvent", "batched CloudEvents are not supported");
            } else if (lower.startsWith("application/cloudevents")) {
                mode = "structured";
                Object envelope = readJson(body.getBytes());
                if (!(envelope instanceof Map)) {
                    throw new HttpError(400, "InvalidEvent", "a structured CloudEvent must be a JSON object");
                }
                Map<String, Object> attrs = new LinkedHashMap<>((Map<String, Object>) envelope);
                Object rawData = attrs.remove("data");
                Object base64 = attrs.remove("data_base64");
                attributes = attrs;
                validate(attrs);
                if (base64 != null) {
                    try {
                        data = readJson(Base64.getDecoder().decode(String.valueOf(base64)));
                    } catch (IllegalArgumentException e) {
                        throw new HttpError(400, "InvalidJson", "data_base64 is not base64-encoded JSON");
                    }
                } else if (rawData instanceof String s) {
                    data = readJson(s.getBytes(StandardCharsets.UTF_8));
                } else {
                    data = rawData == null ? new LinkedHashMap<>() : rawData;
                }
            } else {
                Map<String, Object> ce = null;
                for (Map.Entry<String, String> h : request.headers()) {
                    String name = h.getKey();
                    if (name.length() > 3 && name.regionMatches(true, 0, "ce-", 0, 3)) {
                        if (ce == null) {
                            ce = new LinkedHashMap<>();
                        }
                        String value = h.getValue();
                        ce.put(name.substring(3).toLowerCase(java.util.Locale.ROOT),
                                value.indexOf('%') >= 0 ? java.net.URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8) : value);
                    }
                }
                if (ce != null) {
                    mode = "binary";
                    if (contentType != null) {
                        ce.put("datacontenttype", contentType);
                    }
                    attributes = ce;
                    validate(ce);
                    data = body.length() == 0 || body.toString(StandardCharsets.UTF_8).isBlank() ? new LinkedHashMap<>() : readJson(body.getBytes());
                } else {
                    data = readJson(body.getBytes());
                }
            }
            if (!(data instanceof Map)) {
                throw new HttpError(400, "InvalidEvent", "the event data must be a JSON object, got " + kind(data));
            }
            return (Map<String, Object>) data;
        }

        private Object readJson(byte[] bytes) {
            try {
                return Json.parse(bytes);
            } catch (DecodeException e) {
                String message = e.getCause() instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
                throw new HttpError(400, "InvalidJson", "the body is not valid JSON: "
                        + (message == null ? "" : message.substring(0, Math.min(200, message.length()))));
            }
        }

        private void sendSuccess(byte[] payload) {
            HttpServerResponse response = ctx.response();
            if (mode.equals("binary")) {
                ceHeaders(response, SUCCESS_TYPE).putHeader("Content-Type", JSON);
                finish(response, 200, wrap(payload), null, false);
            } else if (mode.equals("structured")) {
                response.putHeader("Content-Type", CE_JSON);
                finish(response, 200, structured(SUCCESS_TYPE, payload), null, false);
            } else {
                response.putHeader("Content-Type", JSON);
                finish(response, 200, wrap(payload), null, false);
            }
        }

        /** The result's bytes as a Buffer, without the copy Buffer.buffer(byte[]) makes. */
        private static Buffer wrap(byte[] payload) {
            return Buffer.buffer(io.netty.buffer.Unpooled.wrappedBuffer(payload));
        }

        /** A valid CloudEvent gets an error CloudEvent in its mode; anything else plain JSON {error, message}. */
        void send(HttpError error) {
            byte[] payload;
            try {
                Map<String, String> body = new LinkedHashMap<>();
                body.put("error", error.code);
                body.put("message", error.getMessage());
                payload = Json.write(body);
            } catch (IOException | RuntimeException e) {
                payload = "{\"error\":\"RuntimeError\",\"message\":\"\"}".getBytes(StandardCharsets.UTF_8);
            }
            HttpServerResponse response = ctx.response();
            boolean validEvent = attributes != null && missing(attributes).isEmpty();
            Buffer out;
            if (validEvent && mode.equals("binary")) {
                ceHeaders(response, ERROR_TYPE).putHeader("Content-Type", JSON);
                out = Buffer.buffer(payload);
            } else if (validEvent && mode.equals("structured")) {
                response.putHeader("Content-Type", CE_JSON);
                out = structured(ERROR_TYPE, payload);
            } else {
                response.putHeader("Content-Type", JSON);
                out = Buffer.buffer(payload);
            }
            finish(response, error.status, out, error.code, error.close);
        }

        /** Answers from the event loop: immediately, for errors found before the body is complete. */
        void answerError(HttpError error) {
            int s = state.get();
            while (s != ANSWERED) {
                if (state.compareAndSet(s, ANSWERED)) {
                    send(error);
                    return;
                }
                s = state.get();
            }
        }

        private HttpServerResponse ceHeaders(HttpServerResponse response, String type) {
            return response.putHeader("ce-specversion", "1.0").putHeader("ce-id", uuid())
                    .putHeader("ce-source", config.source()).putHeader("ce-type", type)
                    .putHeader("ce-subject", config.functionId()).putHeader("ce-time", Instant.now().toString());
        }

        private Buffer structured(String type, byte[] payload) {
            String head = "{\"specversion\":\"1.0\",\"id\":\"" + uuid() + "\",\"source\":" + sourceJson + ",\"type\":\"" + type
                    + "\",\"subject\":" + subjectJson + ",\"time\":\"" + Instant.now() + "\",\"datacontenttype\":\"application/json\",\"data\":";
            return Buffer.buffer(payload.length + head.length() + 1).appendString(head).appendBytes(payload).appendString("}");
        }

        private void finish(HttpServerResponse response, int status, Buffer out, String errorCode, boolean close) {
            running.remove(this);
            boolean closeNow = close || draining;
            response.setStatusCode(status);
            if (closeNow) {
                response.putHeader("Connection", "close");
            }
            if (closeNow) {
                HttpServerRequest request = ctx.request();
                response.end(out).onComplete(x -> closeAfterBody(ctx, request));
            } else {
                response.end(out);
            }
            active.decrementAndGet();
            double seconds = (System.nanoTime() - start) / 1e9;
            boolean cold = metrics.record(seconds, errorCode);
            // hand-built (no map, no data binding): this line is written for every request
            StringBuilder line = new StringBuilder(256).append("{\"level\":\"info\",\"msg\":\"invocation\",\"function\":")
                    .append(subjectJson == null ? "null" : subjectJson).append(",\"mode\":\"").append(mode).append("\",\"eventId\":");
            JsonLog.appendString(line, attributes == null ? null : attributes.get("id"));
            line.append(",\"eventType\":");
            JsonLog.appendString(line, attributes == null ? null : attributes.get("type"));
            line.append(",\"status\":").append(status).append(",\"durationMs\":").append(Math.round(seconds * 1e6) / 1000.0)
                    .append(",\"coldStart\":").append(cold);
            if (errorCode != null) {
                line.append(",\"error\":\"").append(errorCode).append('"');
            }
            JsonLog.logRaw(line);
        }
    }

    /**
     * Closes the connection once the client has sent the rest of its request (say, a body answered 413): closing with
     * bytes unread would reset the connection, and the client could lose the answer. At most 2 s and the body limit
     * plus 8 MiB are read and dropped.
     */
    private void closeAfterBody(RoutingContext ctx, HttpServerRequest request) {
        if (request.isEnded()) {
            request.connection().close();
            return;
        }
        long bound = (config == null ? 0 : config.maxBodyBytes()) + DRAIN_EXTRA_BYTES;
        long[] dropped = {0};
        long timer = ctx.vertx().setTimer(2000, id -> request.connection().close());
        request.handler(chunk -> {
            dropped[0] += chunk.length();
            if (dropped[0] > bound) {
                request.connection().close();
            }
        });
        request.exceptionHandler(e -> request.connection().close());
        request.endHandler(v -> {
            ctx.vertx().cancelTimer(timer);
            request.connection().close();
        });
        request.resume();
    }

    static List<String> missing(Map<String, Object> attrs) {
        return REQUIRED.stream().filter(a -> !(attrs.get(a) instanceof String s) || s.isEmpty()).toList();
    }

    static void validate(Map<String, Object> attrs) {
        List<String> missing = missing(attrs);
        if (!missing.isEmpty()) {
            throw new HttpError(400, "InvalidEvent", "the CloudEvent lacks the required attribute(s): " + String.join(", ", missing));
        }
        if (!"1.0".equals(attrs.get("specversion"))) {
            throw new HttpError(400, "InvalidEvent", "unsupported CloudEvents specversion '" + attrs.get("specversion") + "' (want 1.0)");
        }
    }

    private static String kind(Object data) {
        if (data instanceof List) {
            return "an array";
        } else if (data instanceof String) {
            return "a string";
        } else if (data instanceof Boolean) {
            return "a boolean";
        } else if (data == null) {
            return "null";
        }
        return "a number";
    }
}
