package io.knative.lambda.runtime;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP transport of an invocation on a socket connection: receives POST /'s body within FUNCTION_MAX_BODY_BYTES,
 * hands the invocation over, and holds the connection until it is answered (by a worker, the watchdog or at once).
 * Everything else is in {@link Invocation}.
 */
final class SocketInvocation extends Invocation {

    /** Beyond its timeout, how long a connection waits for an answer that never comes before it closes. */
    private static final long ANSWER_GRACE_MS = 10_000;

    private final HttpConnection connection;
    private final HttpHead head;
    private final CountDownLatch answered = new CountDownLatch(1);

    private SocketInvocation(HttpConnection connection, HttpHead head, Invoker invoker, long start) {
        super(invoker, start);
        this.connection = connection;
        this.head = head;
    }

    /** POST /: checks the framing, reads the body (413 past the limit), hands the invocation over, waits for its answer. */
    static void receive(HttpConnection connection, HttpHead head, Invoker invoker) throws IOException {
        SocketInvocation inv = new SocketInvocation(connection, head, invoker, System.nanoTime());
        invoker.active.incrementAndGet();
        FunctionConfig cfg = invoker.config;
        if (!invoker.ready || cfg == null) {
            connection.received();
            connection.bodyUnread();
            inv.answerError(new HttpError(503, "NotReady", "the function is still loading", true));
            return;
        }
        inv.deadline = inv.start + TimeUnit.MILLISECONDS.toNanos(cfg.timeoutMs());
        byte[] body;
        try {
            body = connection.readBody(head, cfg.maxBodyBytes());
        } catch (HttpError e) {
            connection.received();
            inv.answerError(e);
            return;
        }
        connection.received();
        if (body == null) {
            String length = head.header("content-length");
            long n = length == null ? -1 : HttpConnection.contentLength(length);
            inv.answerError(invoker.tooLarge(n > cfg.maxBodyBytes() && n != Long.MAX_VALUE
                    ? "the body has " + n + " bytes" : "the body is over the limit"));
            return;
        }
        inv.body = body;
        if (inv.state.compareAndSet(RECEIVING, QUEUED)) {
            invoker.submit(inv);
        }
        inv.awaitAnswer(cfg.timeoutMs() + ANSWER_GRACE_MS);
    }

    private void awaitAnswer(long ms) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        try {
            while (true) {
                try {
                    if (!answered.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                        connection.close(); // a runtime failure left it unanswered: the client sees the connection end
                    }
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    String header(String name) {
        return head.header(name);
    }

    @Override
    Iterable<Map.Entry<String, String>> headers() {
        return head.headers();
    }

    @Override
    void respond(int status, String contentType, String[] headers, byte[] out, boolean close) {
        try {
            connection.answer(status, contentType, headers, out, close);
        } finally {
            answered.countDown();
        }
    }
}
