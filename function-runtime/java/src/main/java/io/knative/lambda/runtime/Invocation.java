package io.knative.lambda.runtime;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * One POST /: its state machine (receiving, queued, running, answered) shared by the transport, a worker and the
 * watchdog; decodes the event, calls the handler and answers in the request's mode. An HTTP transport subclasses it
 * with the three methods that touch the wire ({@link SocketInvocation}).
 */
abstract class Invocation {
    static final int RECEIVING = 0;
    static final int QUEUED = 1;
    static final int RUNNING = 2;
    static final int ANSWERED = 3;

    final AtomicInteger state = new AtomicInteger(RECEIVING);
    final Invoker invoker;
    final long start;
    volatile long deadline = Long.MAX_VALUE;
    /** The thread running the handler (the watchdog interrupts it past the deadline), or null. */
    volatile Thread runner;
    byte[] body;
    String mode = "plain";
    Map<String, Object> attributes;

    Invocation(Invoker invoker, long start) {
        this.invoker = invoker;
        this.start = start;
    }

    /** The request header {@code name} (any case), or null. */
    abstract String header(String name);

    /** Every request header (for the ce-* attributes of a binary event). */
    abstract Iterable<Map.Entry<String, String>> headers();

    /**
     * Writes the answer: status, Content-Type, {@code headers} (name, value, ... or null), the body; with
     * Connection: close and the connection closed after it when {@code close} (or while draining).
     */
    abstract void respond(int status, String contentType, String[] headers, byte[] body, boolean close);

    /** Runs on a worker (or the event loop): decode, call the handler, answer (unless the watchdog answered already). */
    void run() {
        if (!state.compareAndSet(QUEUED, RUNNING)) {
            return;
        }
        FunctionConfig config = invoker.config;
        byte[] payload;
        try {
            Map<String, Object> data = CloudEvents.decode(this);
            Object result;
            try {
                result = invoker.handler.invoke(data, attributes == null ? new LinkedHashMap<>() : new LinkedHashMap<>(attributes));
            } catch (IllegalArgumentException e) {
                throw new HttpError(400, "InvalidInput", e.getMessage() == null ? "invalid input" : e.getMessage());
            } catch (Throwable e) {
                if (state.get() == RUNNING) {
                    Map<String, Object> line = JsonLog.record("error", "function threw");
                    line.put("function", config.functionId());
                    line.put("eventId", attributes == null ? null : attributes.get("id"));
                    line.put("exception", e.getClass().getName());
                    line.put("trace", JsonLog.trace(e));
                    JsonLog.log(line);
                }
                throw new HttpError(500, "FunctionError", "the function threw " + e.getClass().getName());
            }
            try {
                payload = Json.write(result);
            } catch (IOException | RuntimeException e) {
                Map<String, Object> line = JsonLog.record("error", "result not JSON");
                line.put("function", config.functionId());
                line.put("exception", e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage());
                JsonLog.log(line);
                throw e instanceof Json.NotJsonException notJson
                        ? new HttpError(500, "FunctionError", "the function returned a value that is not JSON: " + notJson.getMessage())
                        : new HttpError(500, "FunctionError", "the function returned a value that is not JSON-serialisable");
            }
        } catch (HttpError e) {
            if (!timedOutOnEventLoop() && state.compareAndSet(RUNNING, ANSWERED)) {
                send(e);
            }
            return;
        } catch (RuntimeException e) {
            if (!timedOutOnEventLoop() && state.compareAndSet(RUNNING, ANSWERED)) {
                Map<String, Object> line = JsonLog.record("error", "runtime failure");
                line.put("trace", JsonLog.trace(e));
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
        if (!invoker.config.eventLoop() || System.nanoTime() - deadline < 0) {
            return false;
        }
        if (state.compareAndSet(RUNNING, ANSWERED)) {
            send(invoker.timeout());
        }
        return true;
    }

    private void sendSuccess(byte[] payload) {
        if (mode.equals("binary")) {
            finish(200, CloudEvents.JSON, CloudEvents.binaryHeaders(invoker.config, CloudEvents.SUCCESS_TYPE, attributes), payload, null, false);
        } else if (mode.equals("structured")) {
            finish(200, CloudEvents.CE_JSON, null,
                    CloudEvents.structured(CloudEvents.SUCCESS_TYPE, payload, invoker.sourceJson, invoker.subjectJson, attributes), null, false);
        } else {
            finish(200, CloudEvents.JSON, null, payload, null, false);
        }
    }

    /** A valid CloudEvent gets an error CloudEvent in its mode; anything else plain JSON {error, message}. */
    void send(HttpError error) {
        byte[] payload = Json.errorBody(error.code, error.getMessage());
        boolean validEvent = attributes != null && CloudEvents.missing(attributes).isEmpty();
        if (validEvent && mode.equals("binary")) {
            finish(error.status, CloudEvents.JSON, CloudEvents.binaryHeaders(invoker.config, CloudEvents.ERROR_TYPE, attributes), payload,
                    error.code, error.close);
        } else if (validEvent && mode.equals("structured")) {
            finish(error.status, CloudEvents.CE_JSON, null,
                    CloudEvents.structured(CloudEvents.ERROR_TYPE, payload, invoker.sourceJson, invoker.subjectJson, attributes), error.code, error.close);
        } else {
            finish(error.status, CloudEvents.JSON, null, payload, error.code, error.close);
        }
    }

    /** Answers from the transport at once: for errors found before the body is complete. */
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

    private void finish(int status, String contentType, String[] headers, byte[] out, String errorCode, boolean close) {
        invoker.watchdog.untrack(this);
        respond(status, contentType, headers, out, close || invoker.draining);
        invoker.completed(this, status, errorCode);
    }
}
