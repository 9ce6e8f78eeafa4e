package io.knative.lambda.deployer.local;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
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

    private FunctionProcess(String revision, String image, int port, ProcessHandle process, Path dir) {
        this.revision = revision;
        this.image = image;
        this.port = port;
        this.process = process;
        this.dir = dir;
    }

    /**
     * Starts {@code command} with {@code environment} plus {@code PORT}, {@code HOST} and {@code FUNCTION_DIR}, and
     * waits until {@code /health/ready} answers 200.
     *
     * @throws IOException when it cannot start or is not ready in time; the message has the end of its log
     */
    public static FunctionProcess start(String revision, String image, List<String> command, Map<String, String> environment,
            Path functionDir, Path log, Duration readyTimeout) throws IOException {
        int port = freePort();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        builder.environment().put("PORT", Integer.toString(port));
        builder.environment().put("HOST", "127.0.0.1");
        builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        builder.environment().put("FUNCTION_DIR", functionDir.toString());
        Process process = builder.start();
        return awaitReady(new FunctionProcess(revision, image, port, process.toHandle(), functionDir), log, readyTimeout,
                () -> "the runtime exited with " + process.exitValue());
    }

    /**
     * As {@link #start}, but forked by the Python runtime's fork server (no exec, no interpreter start): the
     * environment is this process's own plus {@code environment} and the same PORT, HOST and FUNCTION_DIR.
     */
    public static FunctionProcess startForked(String revision, String image, PythonForkServer forkServer,
            Map<String, String> environment, Path functionDir, Path log, Duration readyTimeout) throws IOException {
        int port = freePort();
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.putAll(environment);
        env.put("PORT", Integer.toString(port));
        env.put("HOST", "127.0.0.1");
        env.put("FUNCTION_DIR", functionDir.toString());
        ProcessHandle process = forkServer.spawn(env, log);
        return awaitReady(new FunctionProcess(revision, image, port, process, functionDir), log, readyTimeout,
                () -> "the runtime exited");
    }

    private static FunctionProcess awaitReady(FunctionProcess started, Path log, Duration readyTimeout,
            java.util.function.Supplier<String> exited) throws IOException {
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!started.process.isAlive()) {
                throw new IOException(exited.get() + ": " + tail(log));
            }
            if (started.ready()) {
                return started;
            }
            try {
                Thread.sleep(20);
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

    public Path functionDir() {
        return dir;
    }

    /** SIGTERM (the runtime drains in-flight requests), then SIGKILL after 10 s. */
    public void stop() {
        process.destroy();
        try {
            process.onExit().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            process.destroyForcibly();
            try {
                process.onExit().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException ignored) {
                // reported by alive() from now on
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
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
