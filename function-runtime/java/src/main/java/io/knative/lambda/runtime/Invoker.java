package io.knative.lambda.runtime;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The function and what its invocations share: settings, the handler, the concurrency slots, the in-flight count,
 * metrics, the watchdog and the log line of every invocation. No HTTP here.
 */
final class Invoker {

    final AtomicInteger active = new AtomicInteger();
    final Metrics metrics;
    final Watchdog watchdog = new Watchdog(this);
    volatile FunctionConfig config;
    volatile FunctionHandler handler;
    volatile boolean ready;
    volatile boolean draining;
    String sourceJson;
    String subjectJson;
    /** The FUNCTION_CONCURRENCY slots: handlers running at once. */
    private volatile Semaphore slots;

    Invoker(String functionId) {
        this.metrics = new Metrics(functionId, active::get);
    }

    /** Serves {@code handler} from now on: the slots, the watchdog, ready. */
    void start(FunctionConfig cfg, FunctionHandler loaded) {
        try {
            sourceJson = Json.writeString(cfg.source());
            subjectJson = Json.writeString(cfg.functionId());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        slots = new Semaphore(cfg.concurrency(), true);
        handler = loaded;
        config = cfg;
        watchdog.start(cfg);
        ready = true;
    }

    /**
     * Runs a received invocation on this thread (the connection's: no hand-off) once one of the FUNCTION_CONCURRENCY
     * slots is free, in arrival order, waiting until its deadline at most (then 503). In the default worker mode the
     * watchdog answers 503 or 504 at the deadline and interrupts a handler still running; with
     * FUNCTION_EXECUTION=event-loop, for handlers that never block, its deadline is checked when it returns.
     */
    void submit(Invocation inv) {
        if (!config.eventLoop()) {
            watchdog.track(inv);
        }
        if (!acquireSlot(inv)) {
            if (inv.state.compareAndSet(Invocation.QUEUED, Invocation.ANSWERED)) {
                inv.send(new HttpError(503, "Overloaded", "all " + config.concurrency()
                        + " invocation slots stayed busy for " + config.timeoutMs() + " ms"));
            }
            return;
        }
        inv.runner = Thread.currentThread();
        try {
            inv.run();
        } finally {
            inv.runner = null;
            slots.release();
            Thread.interrupted(); // the watchdog's interrupt of a handler past its deadline ends with it
        }
    }

    /** One of the FUNCTION_CONCURRENCY slots, waiting for it until the invocation's deadline at most. */
    private boolean acquireSlot(Invocation inv) {
        if (slots.tryAcquire()) {
            return true;
        }
        try {
            return slots.tryAcquire(Math.max(0, inv.deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    HttpError timeout() {
        return new HttpError(504, "Timeout", "the function ran longer than " + config.timeoutMs() + " ms (FUNCTION_TIMEOUT_MS)", true);
    }

    HttpError tooLarge(String what) {
        return new HttpError(413, "PayloadTooLarge", what + "; the limit is " + config.maxBodyBytes() + " bytes (FUNCTION_MAX_BODY_BYTES)", true);
    }

    /** After the answer went out: the in-flight count, metrics and the invocation's log line. */
    void completed(Invocation inv, int status, String errorCode) {
        active.decrementAndGet();
        double seconds = (System.nanoTime() - inv.start) / 1e9;
        boolean cold = metrics.record(seconds, errorCode);
        // hand-built (no map, no data binding): this line is written for every request
        StringBuilder line = new StringBuilder(256).append("{\"level\":\"info\",\"msg\":\"invocation\",\"function\":")
                .append(subjectJson == null ? "null" : subjectJson).append(",\"mode\":\"").append(inv.mode).append("\",\"eventId\":");
        JsonLog.appendString(line, inv.attributes == null ? null : inv.attributes.get("id"));
        line.append(",\"eventType\":");
        JsonLog.appendString(line, inv.attributes == null ? null : inv.attributes.get("type"));
        line.append(",\"status\":").append(status).append(",\"durationMs\":").append(Math.round(seconds * 1e6) / 1000.0)
                .append(",\"coldStart\":").append(cold);
        if (errorCode != null) {
            line.append(",\"error\":\"").append(errorCode).append('"');
        }
        JsonLog.logRaw(line);
    }
}
