package io.knative.lambda.runtime;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Answers 503 for invocations still queued at their deadline and 504 for handlers still running (and interrupts
 * them). It ticks while invocations come in, and sleeps until the next one once none has come for a second: an idle
 * function costs no CPU, and a busy one no wake-up per request.
 */
final class Watchdog {

    private static final long IDLE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Invoker invoker;
    private final Set<Invocation> running = ConcurrentHashMap.newKeySet();
    private volatile Thread thread;
    private volatile boolean idle;

    Watchdog(Invoker invoker) {
        this.invoker = invoker;
    }

    void start(FunctionConfig config) {
        Thread t = new Thread(() -> watch(config), "klambda-watchdog");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Watches an invocation from its hand-over (waiting for a slot, then running) until it is answered. */
    void track(Invocation inv) {
        running.add(inv);
        if (idle) { // only after a quiet second: waking it on every request would cost a context switch each
            LockSupport.unpark(thread);
        }
    }

    void untrack(Invocation inv) {
        running.remove(inv);
    }

    private void watch(FunctionConfig config) {
        long periodNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(5, Math.min(50, config.timeoutMs() / 20)));
        long seen = -1;
        long quietSince = System.nanoTime();
        while (true) {
            long count = invoker.metrics.invocations() + invoker.active.get();
            if (count != seen || !running.isEmpty()) {
                seen = count;
                quietSince = System.nanoTime();
            }
            if (running.isEmpty() && System.nanoTime() - quietSince > IDLE_AFTER_NANOS) {
                // track() unparks when it sees the flag; the second look at `running` after raising it closes the gap
                idle = true;
                if (running.isEmpty()) {
                    LockSupport.park(this);
                }
                idle = false;
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
                    inv.send(new HttpError(503, "Overloaded", "all " + config.concurrency()
                            + " invocation slots stayed busy for " + config.timeoutMs() + " ms"));
                } else if (inv.state.compareAndSet(Invocation.RUNNING, Invocation.ANSWERED)) {
                    interrupt(inv);
                    inv.send(invoker.timeout());
                }
            }
        }
    }

    private static void interrupt(Invocation inv) {
        Thread runner = inv.runner;
        if (runner != null) {
            runner.interrupt();
        }
    }
}
