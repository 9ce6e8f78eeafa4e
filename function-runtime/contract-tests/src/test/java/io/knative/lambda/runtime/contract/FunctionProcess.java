package io.knative.lambda.runtime.contract;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** One runtime serving one test function as a real process on a free 127.0.0.1 port; output in a log file. */
final class FunctionProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final RuntimeKind kind;
    final String functionId;
    final Path functionDir;
    final int port;
    private final Path workDir;
    private final Path log;
    private final Process process;

    private FunctionProcess(RuntimeKind kind, String functionId, Path workDir, Path functionDir, int port, Process process) {
        this.kind = kind;
        this.functionId = functionId;
        this.workDir = workDir;
        this.functionDir = functionDir;
        this.port = port;
        this.process = process;
        this.log = workDir.resolve("runtime.log");
    }

    /** Lays the function out, starts the runtime and returns at once (see {@link #awaitReady()}). */
    static FunctionProcess launch(RuntimeKind kind, RuntimeKind.Function function, String functionId, Map<String, String> extraEnv) {
        return launch(kind, function, functionId, extraEnv, false);
    }

    /** As {@link #launch}; with {@code piped}, the output goes to a pipe the test reads ({@link #process()}), not a file. */
    static FunctionProcess launch(RuntimeKind kind, RuntimeKind.Function function, String functionId,
            Map<String, String> extraEnv, boolean piped) {
        try {
            Path work = Files.createTempDirectory("klambda-contract-" + kind.name().toLowerCase() + "-");
            Path dir = Files.createDirectories(work.resolve("function"));
            Map<String, String> env = new HashMap<>(kind.layOut(function, dir));
            int port = freePort();
            env.put("FUNCTION_DIR", dir.toString());
            env.put("FUNCTION_ID", functionId);
            env.put("HOST", "127.0.0.1");
            env.put("PORT", String.valueOf(port));
            env.putAll(extraEnv);
            ProcessBuilder builder = new ProcessBuilder(kind.command()).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(piped ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.to(work.resolve("runtime.log").toFile()));
            builder.environment().putAll(env);
            return new FunctionProcess(kind, functionId, work, dir, port, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the runtime and waits until /health/ready answers 200. */
    static FunctionProcess start(RuntimeKind kind, RuntimeKind.Function function, String functionId, Map<String, String> extraEnv) {
        return start(kind, function, functionId, extraEnv, false);
    }

    /** As {@link #start}; with {@code piped}, the output goes to a pipe the test reads ({@link #process()}). */
    static FunctionProcess start(RuntimeKind kind, RuntimeKind.Function function, String functionId,
            Map<String, String> extraEnv, boolean piped) {
        FunctionProcess p = launch(kind, function, functionId, extraEnv, piped);
        try {
            p.awaitReady();
        } catch (RuntimeException | AssertionError e) {
            String text = p.logText();
            p.close();
            throw new IllegalStateException(kind + " runtime did not become ready:\n" + text, e);
        }
        return p;
    }

    void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("exited with " + process.exitValue());
            }
            return status("/health/ready") == 200;
        });
    }

    /** The status of GET path, or -1 when nothing answers. */
    int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    Process process() {
        return process;
    }

    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    Path workDir() {
        return workDir;
    }

    /** Sends SIGTERM, as Kubernetes does. */
    void terminate() {
        process.destroy();
    }

    /** Waits for the exit and returns its code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(kind + " runtime did not exit within " + timeout + ":\n" + logText());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> paths = Files.walk(workDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
