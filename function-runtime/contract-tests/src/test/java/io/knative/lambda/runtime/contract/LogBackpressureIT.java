package io.knative.lambda.runtime.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A runtime whose stdout nobody reads (a log collector that stalls) holds its requests back instead of queueing
 * log lines without end, and loses none of them once its stdout is read again.
 */
class LogBackpressureIT {

    /** Far more invocation lines than a pipe (64 KiB) and any runtime's log queue (16,384 lines at most) hold. */
    private static final int REQUESTS = 40_000;
    private static final int CLIENTS = 8;
    private static final byte[] INVOCATION = "\"msg\":\"invocation\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REQUEST = ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: 17\r\n\r\n{\"action\":\"echo\"}").getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aStalledStdoutHoldsRequestsBackAndLosesNoLogLine(RuntimeKind kind) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS, r -> {
            Thread t = new Thread(r, "backpressure-client");
            t.setDaemon(true);
            return t;
        });
        try (FunctionProcess fn = FunctionProcess.start(kind, RuntimeKind.Function.CONTRACT, "backpressure-fn", Map.of(), true)) {
            AtomicInteger answered = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            AtomicReference<String> firstFailure = new AtomicReference<>();
            CountDownLatch finished = new CountDownLatch(CLIENTS);
            for (int c = 0; c < CLIENTS; c++) {
                clients.submit(() -> {
                    try (Socket socket = new Socket("127.0.0.1", fn.port)) {
                        OutputStream out = socket.getOutputStream();
                        InputStream in = new BufferedInputStream(socket.getInputStream());
                        for (int i = 0; i < REQUESTS / CLIENTS; i++) {
                            out.write(REQUEST);
                            int status = answerStatus(in);
                            if (status == 200) {
                                answered.incrementAndGet();
                            } else {
                                firstFailure.compareAndSet(null, "status " + status);
                                failed.incrementAndGet();
                            }
                        }
                    } catch (IOException e) {
                        firstFailure.compareAndSet(null, e.toString());
                        failed.incrementAndGet();
                    } finally {
                        finished.countDown();
                    }
                });
            }

            int held = stalled(answered);
            assertThat(held).as("answered while nobody read stdout").isLessThan(REQUESTS);

            CountingReader out = new CountingReader(fn.process().getInputStream());
            out.start();
            assertThat(finished.await(90, TimeUnit.SECONDS)).as("every client done once stdout is read").isTrue();
            assertThat(failed.get()).as("failed, the first: %s", firstFailure.get()).isZero();
            assertThat(answered.get()).isEqualTo(REQUESTS);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(
                    () -> assertThat(out.invocations.get()).as("invocation lines").isEqualTo(REQUESTS));
        } finally {
            clients.shutdownNow();
        }
    }

    /** Reads one answer on a keep-alive connection: its status; the body is skipped by its Content-Length. */
    private static int answerStatus(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after " + head.length() + " bytes of an answer");
            }
            head.append((char) b);
        }
        String text = head.toString().toLowerCase(java.util.Locale.ROOT);
        int at = text.indexOf("content-length:");
        int length = Integer.parseInt(text.substring(at + 15, text.indexOf('\r', at)).trim());
        if (in.readNBytes(length).length != length) {
            throw new IOException("closed inside an answer's body");
        }
        return Integer.parseInt(text.substring(9, 12));
    }

    /** The number answered once it has not moved for 2 s (the clients are held back), at most 90 s from now. */
    private static int stalled(AtomicInteger answered) {
        int[] last = {-1};
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    int now = answered.get();
                    boolean still = now == last[0];
                    last[0] = now;
                    return still;
                });
        return answered.get();
    }

    /** Reads the runtime's stdout to its end, counting invocation lines. */
    private static final class CountingReader extends Thread {
        final AtomicInteger invocations = new AtomicInteger();
        private final InputStream in;

        CountingReader(InputStream in) {
            super("backpressure-stdout");
            setDaemon(true);
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buf = new byte[1 << 16];
            int matched = 0; // bytes of INVOCATION matched so far, across reads
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    for (int i = 0; i < n; i++) {
                        matched = buf[i] == INVOCATION[matched] ? matched + 1 : (buf[i] == INVOCATION[0] ? 1 : 0);
                        if (matched == INVOCATION.length) {
                            invocations.incrementAndGet();
                            matched = 0;
                        }
                    }
                }
            } catch (IOException closed) {
                // the process ended
            }
        }
    }
}
