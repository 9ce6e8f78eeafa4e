package io.knative.lambda.localcluster.process;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One revision of a function running as a host process with its runtime, on a loopback port. */
public final class FunctionProcess {


    private final String revision;
    private final String image;
    private final int port;
    private final ProcessHandle process;
    private final Path dir;
    private final Process child;

    private FunctionProcess(String revision, String image, int port, ProcessHandle process, Path dir, Process child) {
        this.revision = revision;
        this.image = image;
        this.port = port;
        this.process = process;
        this.dir = dir;
        this.child = child;
    }

    /**
     * A function process an earlier run of the local cluster started (found through its pid file), taken over when it
     * still answers its readiness probe on {@code port}; empty otherwise.
     */
    public static java.util.Optional<FunctionProcess> adopt(String revision, String image, int port, ProcessHandle process,
            Path functionDir) {
        FunctionProcess adopted = new FunctionProcess(revision, image, port, process, functionDir, null);
        return process.isAlive() && adopted.ready() ? java.util.Optional.of(adopted) : java.util.Optional.empty();
    }

    /**
     * Starts {@code command} with exactly {@code environment} plus {@code PORT}, {@code HOST} and {@code FUNCTION_DIR}
     * (nothing of this process's own environment), and waits until {@code /health/ready} answers 200.
     *
     * @throws IOException when it cannot start or is not ready in time; the message has the end of its log
     */
    public static FunctionProcess start(String revision, String image, int port, List<String> command,
            Map<String, String> environment, Path functionDir, Path log, Duration readyTimeout) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().clear();
        builder.environment().putAll(environment);
        builder.environment().putAll(placement(port, functionDir));
        Process process = builder.start();
        return awaitReady(new FunctionProcess(revision, image, port, process.toHandle(), functionDir, process), log, readyTimeout,
                () -> exitOf(process));
    }

    /**
     * As {@link #start}, but forked by the Python runtime's fork server (no exec, no interpreter start), with exactly
     * {@code environment} and the same placement variables.
     */
    public static FunctionProcess startForked(String revision, String image, int port, PythonForkServer forkServer,
            Map<String, String> environment, Path functionDir, Path log, Duration readyTimeout) throws IOException {
        return startForked(revision, image, port, forkServer, environment, functionDir, log, readyTimeout, null);
    }

    /** As above, in the sandbox bwrap's {@code sandboxOptions} describe, when not null (a sandboxed fork server). */
    static FunctionProcess startForked(String revision, String image, int port, PythonForkServer forkServer,
            Map<String, String> environment, Path functionDir, Path log, Duration readyTimeout, List<String> sandboxOptions)
            throws IOException {
        Map<String, String> env = new java.util.HashMap<>(environment);
        env.putAll(placement(port, functionDir));
        ProcessHandle process = forkServer.spawn(env, log, sandboxOptions);
        return awaitReady(new FunctionProcess(revision, image, port, process, functionDir, null), log, readyTimeout,
                () -> "the runtime exited");
    }

    /**
     * As {@link #start}, but by a {@link SpareSandbox}: the function's files (unpacked in {@code functionDir}) are handed
     * over to it, then its environment with the same placement variables.
     */
    static FunctionProcess startSpare(String revision, String image, int port, SpareSandbox spare,
            Map<String, String> environment, Path functionDir, Path log, Duration readyTimeout) throws IOException {
        Map<String, String> env = new java.util.HashMap<>(environment);
        try {
            env.putAll(placement(port, spare.handOver(functionDir, log)));
            spare.become(env);
        } catch (IOException e) {
            spare.discard();
            throw new IOException("cannot hand " + revision + " to a spare sandbox: " + e.getMessage(), e);
        }
        Process process = spare.process();
        return awaitReady(new FunctionProcess(revision, image, port, process.toHandle(), functionDir, process), log, readyTimeout,
                () -> exitOf(process));
    }

    /** "the runtime exited with N", once the JDK has reaped it (its handle may report the exit first). */
    private static String exitOf(Process process) {
        try {
            process.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.isAlive() ? "the runtime exited" : "the runtime exited with " + process.exitValue();
    }

    /**
     * Where a runtime listens and finds its function: loopback, the given port (over the image's PORT=8080), the
     * unpacked function layer.
     */
    private static Map<String, String> placement(int port, Path functionDir) {
        return Map.of("PORT", Integer.toString(port), "HOST", "127.0.0.1", "FUNCTION_DIR", functionDir.toString());
    }

    private static FunctionProcess awaitReady(FunctionProcess started, Path log, Duration readyTimeout,
            java.util.function.Supplier<String> exited) throws IOException {
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        long pause = 2; // ms: doubled up to 20, so a function ready in 60 ms is seen within a few ms, not up to 20
        while (System.nanoTime() < deadline) {
            if (!started.process.isAlive()) {
                String tail = tail(log);
                if (tail.contains("Address already in use") || tail.contains("EADDRINUSE")) {
                    tail += " (port " + started.port + " held by: " + FunctionPorts.holders(started.port) + ")";
                }
                throw new IOException(exited.get() + ": " + tail);
            }
            if (started.ready()) {
                return started;
            }
            try {
                Thread.sleep(pause);
                pause = Math.min(20, pause * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                started.stop();
                throw new IOException("interrupted while starting " + started.revision, e);
            }
        }
        started.stop();
        throw new IOException("not ready within " + readyTimeout.toSeconds() + " s: " + tail(log));
    }

    private boolean ready() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url() + "health/ready").toURL().openConnection();
            c.setConnectTimeout(200);
            c.setReadTimeout(1000);
            int status = c.getResponseCode();
            c.disconnect();
            return status == 200;
        } catch (IOException e) {
            return false;
        }
    }

    public String revision() {
        return revision;
    }

    public String image() {
        return image;
    }

    /** {@code http://127.0.0.1:<port>/}. */
    public String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    /** The operating system's id of the function's process. */
    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The process, for its pid file and to watch its exit. */
    public ProcessHandle handle() {
        return process;
    }

    /** Its loopback port. */
    public int port() {
        return port;
    }

    /** How it ended, once it has: its exit code when it is this process's child, else only that it exited. */
    public String exitDescription() {
        return child != null && !child.isAlive() ? "exit code " + child.exitValue() : "the process exited";
    }

    public Path functionDir() {
        return dir;
    }

    /**
     * SIGTERM (the runtime drains in-flight requests), then SIGKILL after 10 s. In the sandbox the signal goes to the
     * processes bwrap started (bwrap does not pass it on), and bwrap ends with them.
     */
    public void stop() {
        List<ProcessHandle> inside = process.descendants().toList();
        if (inside.isEmpty()) {
            process.destroy();
        } else {
            inside.forEach(ProcessHandle::destroy);
        }
        if (!exited(10)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            exited(5);
        }
    }

    /** Waits up to {@code seconds} for the process to end; false if it still runs (or the wait was interrupted). */
    private boolean exited(long seconds) {
        try {
            process.onExit().get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String tail(Path log) {
        try {
            String text = java.nio.file.Files.readString(log);
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
