package io.knative.lambda.runtime;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;


/**
 * JSON lines to stdout, written in batches by one daemon thread (a write per request would cost throughput); never
 * payloads. At most {@link #MAX_QUEUED} lines wait: past that, the thread that adds one writes them itself, and waits
 * while stdout is full (a log reader that stalls slows the function down; it neither loses lines nor fills the heap).
 */
final class JsonLog {

    static final int MAX_QUEUED = 16_384;
    private static final ConcurrentLinkedQueue<String> LINES = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger QUEUED = new AtomicInteger();
    private static final OutputStream OUT = new java.io.BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);

    private static volatile boolean writerIdle;
    private static final Thread WRITER = new Thread(JsonLog::write, "klambda-log");

    static {
        WRITER.setDaemon(true);
        WRITER.start();
    }

    /** Every 50 ms while lines come in; parked while none do (an idle function costs no CPU). */
    private static void write() {
        while (!Thread.currentThread().isInterrupted()) {
            if (LINES.isEmpty()) {
                writerIdle = true;
                if (LINES.isEmpty()) { // a second look after raising the flag: add() unparks when it sees it
                    LockSupport.park();
                }
                writerIdle = false;
                continue;
            }
            LockSupport.parkNanos(50_000_000L); // gather the lines of the next moment into one write
            flush();
        }
    }

    private static void add(String line) {
        LINES.add(line);
        if (QUEUED.incrementAndGet() > MAX_QUEUED) {
            flush();
        } else if (writerIdle) {
            LockSupport.unpark(WRITER);
        }
    }

    private JsonLog() {
    }

    /** A log record to fill: level and msg first, in the order they are put. */
    static Map<String, Object> record(String level, String msg) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("level", level);
        m.put("msg", msg);
        return m;
    }

    /** The stack trace of {@code t}, for the log (never for a response). */
    static String trace(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    /** Queues one line; the record's insertion order is kept, {@code ts} is added last. */
    static void log(Map<String, Object> record) {
        record.put("ts", timestamp());
        try {
            add(Json.writeString(record) + "\n");
        } catch (IOException | RuntimeException e) {
            add("{\"level\":\"error\",\"msg\":\"unloggable record\"}\n");
        }
    }

    /** Queues a line built by the caller (a JSON object without its closing brace); adds {@code ts} and closes it. */
    static void logRaw(StringBuilder open) {
        appendTimestamp(open.append(",\"ts\":\"")).append("\"}\n");
        add(open.toString());
    }

    /** Appends {@code value} as a JSON string (or null). */
    static void appendString(StringBuilder b, Object value) {
        if (value == null) {
            b.append("null");
            return;
        }
        String s = value.toString();
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }

    /** A formatted second, cached for the timestamps within it. */
    private record Second(long epochSecond, String text) {
    }

    private static volatile Second cached = new Second(-1, "");

    /** RFC 3339 UTC with milliseconds; the formatted second is cached (a formatter per line is costly). */
    static String timestamp() {
        return appendTimestamp(new StringBuilder(24)).toString();
    }

    /** Appends {@link #timestamp()} to {@code b}, without a String of its own. */
    static StringBuilder appendTimestamp(StringBuilder b) {
        long now = System.currentTimeMillis();
        long second = now / 1000;
        Second s = cached;
        if (s.epochSecond() != second) {
            s = new Second(second, java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
                    .withZone(java.time.ZoneOffset.UTC).format(Instant.ofEpochSecond(second)));
            cached = s;
        }
        int millis = (int) (now % 1000);
        return b.append(s.text()).append('.').append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10))
                .append((char) ('0' + millis % 10)).append('Z');
    }

    /** Writes what is queued now (at shutdown, and every 50 ms), through one buffer: a write call per 64 KiB. */
    static synchronized void flush() {
        boolean wrote = false;
        try {
            for (String line; (line = LINES.poll()) != null; ) {
                QUEUED.decrementAndGet();
                OUT.write(line.getBytes(StandardCharsets.UTF_8));
                wrote = true;
            }
            if (wrote) {
                OUT.flush();
            }
        } catch (IOException ignored) {
            // stdout is gone: nothing better to do
        }
    }
}
