package io.knative.lambda.runtime;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Closes connections that waited for the client longer than FUNCTION_IDLE_TIMEOUT_MS: between requests, or while a
 * request's head and body arrive. One thread for all of them, so that a read blocks without a timeout (a timed read
 * costs a non-blocking read, a poll and a second read: a third of the throughput here); it sleeps while no
 * connection is open.
 */
final class IdleConnections {

    private final long idleNanos;
    private final long periodNanos;
    private final Set<HttpConnection> open = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean parked;

    IdleConnections(long idleMs) {
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMs);
        this.periodNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(10, Math.min(1000, idleMs / 10)));
        this.thread = new Thread(this::watch, "klambda-idle");
        thread.setDaemon(true);
        thread.start();
    }

    void add(HttpConnection connection) {
        open.add(connection);
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    void remove(HttpConnection connection) {
        open.remove(connection);
    }

    private void watch() {
        while (!Thread.currentThread().isInterrupted()) {
            if (open.isEmpty()) {
                parked = true; // add() unparks when it sees the flag; the second look closes the gap
                if (open.isEmpty()) {
                    LockSupport.park(this);
                }
                parked = false;
                continue;
            }
            LockSupport.parkNanos(this, periodNanos);
            long now = System.nanoTime();
            for (HttpConnection connection : open) {
                long since = connection.waitingSince();
                if (since != 0 && now - since > idleNanos) {
                    connection.closeIdle();
                }
            }
        }
    }
}
