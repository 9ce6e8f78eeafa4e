package io.knative.lambda.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One client connection on its own thread: reads a request, answers it in one write (Nagle off), and the next, in
 * order, until the client closes, idles past FUNCTION_IDLE_TIMEOUT_MS or a request asks to close. POST / is an
 * invocation ({@link SocketInvocation}); GET /health/live, /health/ready and /metrics are answered here. Whatever
 * cannot be framed is answered 400 (414, 431) with the JSON body of every other error, then the connection closes.
 */
final class HttpConnection implements Runnable {

    /** After a refused body: at most this much more than the body limit is read and dropped before closing. */
    private static final long DRAIN_EXTRA_BYTES = 8L * 1024 * 1024;
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] OK_JSON = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            .getBytes(StandardCharsets.ISO_8859_1);

    private final Socket socket;
    private final Invoker invoker;
    private final FunctionConfig config;
    private final HttpInput input;
    private final OutputStream out;
    private final IdleConnections idle;
    /** System.nanoTime() since when this connection waits for the client (a request, or the rest of one); 0 while not. */
    private volatile long waitingSince;
    /** Set by an answer that closes the connection (from whichever thread wrote it); read after the answer. */
    private volatile boolean closing;
    /** Whether the current request's body was read whole: if not, the rest is drained before closing. */
    private boolean bodyRead;

    HttpConnection(Socket socket, Invoker invoker, FunctionConfig config, IdleConnections idle) throws IOException {
        this.socket = socket;
        this.invoker = invoker;
        this.config = config;
        this.input = new HttpInput(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.idle = idle;
    }

    @Override
    public void run() {
        idle.add(this);
        try (socket) {
            socket.setTcpNoDelay(true);
            while (!closing && serveOne()) {
                // the next request on this connection
            }
            if (!bodyRead) {
                socket.shutdownOutput(); // the answer is complete; the client's unread rest must not reset it
                input.drain(config.maxBodyBytes() + DRAIN_EXTRA_BYTES, System.nanoTime() + DRAIN_NANOS, socket);
            }
        } catch (IOException | RuntimeException gone) {
            // the client went away (or idled out): nothing to answer
        } finally {
            idle.remove(this);
        }
    }

    /** Since when this connection waits for the client, or 0 (the function has the request, or an answer is written). */
    long waitingSince() {
        return waitingSince;
    }

    /** Closes a connection that waited for its client too long: its thread's read ends at once. */
    void closeIdle() {
        closing = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed already
        }
    }

    /** The request is complete: the function or an answer has it, not the client. */
    void received() {
        waitingSince = 0;
    }

    /** Reads and answers one request; false once the connection is to close. */
    private boolean serveOne() throws IOException {
        HttpHead head;
        bodyRead = true;
        waitingSince = System.nanoTime();
        try {
            head = HttpHead.read(input);
        } catch (HttpInput.MalformedException cutOff) {
            return false;
        } catch (HttpHead.Refused refused) {
            bodyRead = false;
            received();
            answer(refused.status, CloudEvents.JSON, null, Json.errorBody("BadRequest", refused.getMessage()), true);
            return false;
        }
        if (head == null) {
            return false;
        }
        if (!head.keepAlive()) {
            closing = true;
        }
        String route = head.route();
        if (route.equals("/") && head.method.equals("POST")) {
            SocketInvocation.receive(this, head, invoker);
            return !closing;
        }
        byte[] ignored = body(head, config.maxBodyBytes());
        received();
        if (ignored == null) {
            return false; // answered already
        }
        if (head.method.equals("GET") && route.equals("/health/live")) {
            answer(200, CloudEvents.JSON, null, "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8), false);
        } else if (head.method.equals("GET") && route.equals("/health/ready")) {
            boolean up = invoker.ready && !invoker.draining;
            answer(up ? 200 : 503, CloudEvents.JSON, null,
                    (up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}").getBytes(StandardCharsets.UTF_8), false);
        } else if (head.method.equals("GET") && route.equals("/metrics")) {
            answer(200, "text/plain; version=0.0.4; charset=utf-8", null, invoker.metrics.render().getBytes(StandardCharsets.UTF_8), false);
        } else if (route.equals("/") || !head.method.equals("GET") && !head.method.equals("POST")) {
            answer(405, CloudEvents.JSON, null, Json.errorBody("MethodNotAllowed", "invoke the function with POST /"), true);
        } else {
            answer(404, CloudEvents.JSON, null, Json.errorBody("NotFound", "no such path"), true);
        }
        return !closing;
    }

    /**
     * The body of a request that is not an invocation (read so that the next request starts where it should); null
     * after answering 400 or 413 when it cannot be read.
     */
    private byte[] body(HttpHead head, int limit) throws IOException {
        try {
            byte[] body = readBody(head, limit);
            if (body == null) {
                answer(413, CloudEvents.JSON, null, Json.errorBody("PayloadTooLarge", "the body is over the limit of " + limit
                        + " bytes (FUNCTION_MAX_BODY_BYTES)"), true);
            }
            return body;
        } catch (HttpError e) {
            answer(e.status, CloudEvents.JSON, null, Json.errorBody(e.code, e.getMessage()), true);
            return null;
        }
    }

    /**
     * Checks the framing, answers Expect: 100-continue and reads the body (empty without one); null when it is over
     * {@code limit} (with the rest unread); HttpError 400 for framing that is refused or a body cut off.
     */
    byte[] readBody(HttpHead head, int limit) throws IOException {
        bodyRead = false;
        String coding = head.header("transfer-encoding");
        String length = head.header("content-length");
        long n = 0;
        if (coding != null) {
            if (length != null) { // a proxy in front could frame it the other way: a smuggled request
                throw new HttpError(400, "BadRequest", "Transfer-Encoding together with Content-Length", true);
            }
            if (!coding.equalsIgnoreCase("chunked")) {
                throw new HttpError(400, "BadRequest", "unsupported Transfer-Encoding (only chunked)", true);
            }
        } else if (length != null) {
            n = contentLength(length);
            if (n < 0) {
                throw new HttpError(400, "BadRequest", "invalid Content-Length", true);
            }
            if (n > limit) {
                return null;
            }
        }
        if (coding == null && n == 0) {
            bodyRead = true;
            return new byte[0];
        }
        String expect = head.header("expect");
        if (expect != null && expect.equalsIgnoreCase("100-continue")) {
            out.write(CONTINUE);
        }
        try {
            byte[] body = coding != null ? input.chunked(limit) : input.bytes((int) n);
            bodyRead = body != null;
            return body;
        } catch (HttpInput.MalformedException e) {
            throw new HttpError(400, "BadRequest", e.getMessage(), true);
        }
    }

    /** A Content-Length value: digits only (no sign, no space, no list), else -1; past 10^15, Long.MAX_VALUE. */
    static long contentLength(String raw) {
        if (raw.isEmpty()) {
            return -1;
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        return raw.length() > 15 ? Long.MAX_VALUE : Long.parseLong(raw);
    }

    /** Marks the current request's body as unread (answered before it was read): drained before closing. */
    void bodyUnread() {
        bodyRead = false;
    }

    /** Closes the connection after this request (an answer that never came). */
    void close() {
        closing = true;
    }

    /**
     * Writes one whole answer (head and body in one write, so no delayed-ACK stall on keep-alive): status,
     * Content-Type, {@code headers} (name, value, ... or null), the body; with Connection: close when {@code close}.
     * May run on a worker or the watchdog while this connection's thread waits for the answer.
     */
    void answer(int status, String contentType, String[] headers, byte[] body, boolean close) {
        if (close || invoker.draining) {
            closing = true;
        }
        byte[] headBytes;
        if (status == 200 && headers == null && !closing && contentType.equals(CloudEvents.JSON)) {
            byte[] digits = (body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            headBytes = new byte[OK_JSON.length + digits.length];
            System.arraycopy(OK_JSON, 0, headBytes, 0, OK_JSON.length);
            System.arraycopy(digits, 0, headBytes, OK_JSON.length, digits.length);
        } else {
            StringBuilder head = new StringBuilder(256).append("HTTP/1.1 ").append(status).append(' ').append(reason(status))
                    .append("\r\nContent-Type: ").append(contentType).append("\r\nContent-Length: ").append(body.length).append("\r\n");
            if (headers != null) {
                for (int i = 0; i < headers.length; i += 2) {
                    head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
                }
            }
            if (closing) {
                head.append("Connection: close\r\n");
            }
            headBytes = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        }
        byte[] whole = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, whole, 0, headBytes.length);
        System.arraycopy(body, 0, whole, headBytes.length, body.length);
        try {
            out.write(whole);
        } catch (IOException gone) {
            closing = true;
        }
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 413 -> "Payload Too Large";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Error";
        };
    }
}
