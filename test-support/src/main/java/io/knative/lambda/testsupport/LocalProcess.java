package io.knative.lambda.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.stream.Stream;

/** A server started as a child process on loopback, its output in a log file, stopped with its children. */
public class LocalProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;
    private final Path workDir;

    protected LocalProcess(String name, List<String> command, Path workDir) {
        this(name, command, workDir, java.util.Map.of());
    }

    /** Starts {@code command} in {@code workDir} with extra environment; output goes to {@code <name>.log} there. */
    protected LocalProcess(String name, List<String> command, Path workDir, java.util.Map<String, String> environment) {
        this.name = name;
        this.workDir = workDir;
        this.log = workDir.resolve(name + ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            this.process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + " (" + String.join(" ", command) + "): " + e.getMessage()
                    + ". Run `make tools` to install what the integration tests need.", e);
        }
    }

    private static final int FIRST_PORT = 10_000;
    private static final int PORTS = 10_000;
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT =
            new java.util.concurrent.atomic.AtomicInteger(java.util.concurrent.ThreadLocalRandom.current().nextInt(PORTS));

    /**
     * A TCP port that was free a moment ago on 127.0.0.1, from 10000 to 19999: below the kernel's ephemeral range, so
     * that no outgoing connection takes it before the server binds it (a port 0 bind picks from that range, and a
     * server started seconds later found its port taken: "Address already in use"), and below the ports the local
     * cluster gives functions (from 20000). Handed out in turn, never the same one twice in a row. Where the ephemeral
     * range starts lower than 20000, a port 0 bind as before.
     */
    public static int freePort() {
        if (ephemeralStart() >= FIRST_PORT + PORTS) {
            for (int tried = 0; tried < PORTS; tried++) {
                int port = FIRST_PORT + Math.floorMod(NEXT_PORT.getAndIncrement(), PORTS);
                try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException taken) {
                    // bound by something else: the next one
                }
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int ephemeralStart() {
        try (var in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            return Integer.parseInt(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim()
                    .split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 0; // not Linux: a port 0 bind
        }
    }

    /** A new temporary folder for one server. */
    protected static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first of {@code candidates} that is an executable file, or fails saying how to install it. */
    protected static String executable(String what, String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && new File(candidate).canExecute()) {
                return candidate;
            }
        }
        throw new IllegalStateException(what + " is not installed (looked at " + String.join(", ", candidates)
                + "). Run `make tools` to install what the integration tests need.");
    }

    /** Waits until {@code url} answers with a status the predicate accepts, or fails with the server's log. */
    protected void awaitHttp(String url, IntPredicate ready, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + logText());
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
                c.setConnectTimeout(200);
                c.setReadTimeout(1000);
                int status = c.getResponseCode();
                c.disconnect();
                if (ready.test(status)) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
        }
        throw new IllegalStateException(name + " did not answer " + url + " within " + timeout + ":\n" + logText());
    }

    /** What the server printed so far. */
    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** The operating system's id of the process. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The server's own folder (data, config, log). */
    public Path workDir() {
        return workDir;
    }

    /** Stops the server and its children; keeps the data folder (see {@link #deleteWorkDir()}). */
    public void stop() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILLs the process itself (not its children, which must notice on their own), as a crash would. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes the server's folder. */
    public void deleteWorkDir() {
        deleteTree(workDir);
    }

    /** Deletes a folder and everything in it, best effort. */
    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: it is a temporary folder
        }
    }

    @Override
    public void close() {
        stop();
        deleteWorkDir();
    }
}
