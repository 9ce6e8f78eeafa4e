package io.knative.lambda.runtime;

import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The function and what its invocations share: settings, the handler, the worker pool (or the event loop), the
 * in-flight count, metrics, the watchdog and the log line of every invocation. No HTTP here.
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
    private volatile ThreadPoolExecutor workers;
    /** FUNCTION_EXECUTION=event-loop: the FUNCTION_CONCURRENCY slots of handlers run on connection threads. */
    private volatile Semaphore slots;

    Invoker(String functionId) {
        this.metrics = new Metrics(functionId, active::get);
    }

    /** Serves {@code handler} from now on: the worker pool, the watchdog, ready. */
    void start(FunctionConfig cfg, FunctionHandler loaded) {
        try {
            sourceJson = Json.writeString(cfg.source());
            subjectJson = Json.writeString(cfg.functionId());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        AtomicInteger n = new AtomicInteger();
        workers = new ThreadPoolExecutor(cfg.concurrency(), cfg.concurrency(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(Math.max(1024, cfg.concurrency() * 64)), r -> {
                    Thread t = new Thread(r, "klambda-fn-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        slots = new Semaphore(cfg.concurrency(), true);
        handler = loaded;
        config = cfg;
        watchdog.start(cfg);
        ready = true;
    }

    /** Hands a received invocation to a worker, or (FUNCTION_EXECUTION=event-loop) runs it on this thread. */
    void submit(Invocation inv) {
        if (config.eventLoop()) {
            // FUNCTION_EXECUTION=event-loop: no hand-off, for handlers that never block (README): the connection's
            // thread runs it once a slot is free. Its deadline is checked when it returns: no watchdog.
            if (!acquireSlot(inv)) {
                if (inv.state.compareAndSet(Invocation.QUEUED, Invocation.ANSWERED)) {
                    inv.send(new HttpError(503, "Overloaded", "all " + config.concurrency()
                            + " invocation slots stayed busy for " + config.timeoutMs() + " ms"));
                }
                return;
            }
            try {
                inv.run();
            } finally {
                slots.release();
            }
            return;
        }
        watchdog.track(inv);
        try {
            inv.future = workers.submit(inv::run);
        } catch (RejectedExecutionException e) {
            if (inv.state.compareAndSet(Invocation.QUEUED, Invocation.ANSWERED)) {
                inv.send(new HttpError(503, "Overloaded", "the invocation queue is full"));
            }
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
