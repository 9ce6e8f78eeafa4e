package io.knative.lambda.runtime;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON lines to stdout, written in batches by one daemon thread (a write per request would cost throughput); never payloads. */
final class JsonLog {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ConcurrentLinkedQueue<String> LINES = new ConcurrentLinkedQueue<>();
    private static final OutputStream OUT = new FileOutputStream(FileDescriptor.out);

    static {
        Thread writer = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
                flush();
            }
        }, "klambda-log");
        writer.setDaemon(true);
        writer.start();
    }

    private JsonLog() {
    }

    /** Queues one line; the record's insertion order is kept, {@code ts} is added last. */
    static void log(Map<String, Object> record) {
        record.put("ts", Instant.now().toString());
        try {
            LINES.add(MAPPER.writeValueAsString(record) + "\n");
        } catch (JsonProcessingException e) {
            LINES.add("{\"level\":\"error\",\"msg\":\"unloggable record\"}\n");
        }
    }

    /** Writes what is queued now (at shutdown, and every 50 ms). */
    static synchronized void flush() {
        StringBuilder batch = new StringBuilder();
        for (String line; (line = LINES.poll()) != null; ) {
            batch.append(line);
            if (batch.length() > 1 << 20) {
                break;
            }
        }
        if (batch.length() == 0) {
            return;
        }
        try {
            OUT.write(batch.toString().getBytes(StandardCharsets.UTF_8));
            OUT.flush();
        } catch (IOException ignored) {
            // stdout is gone: nothing better to do
        }
    }
}
