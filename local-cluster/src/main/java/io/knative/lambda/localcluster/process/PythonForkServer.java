package io.knative.lambda.localcluster.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Starts Python functions by asking the runtime's fork server ({@code klambda_local.py --fork-server}, beside the runtime package) to fork
 * an already-initialised interpreter: no exec, no interpreter start, no imports per function. The server is
 * this deployer's child, started on first use and again if it dies; {@link #close()} stops it.
 */
public final class PythonForkServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> command;
    private final Path socket;
    private final Path log;
    private Process server;

    /**
     * @param pythonCommand the Python runtime's command ({@code python3 -u .../klambda_local.py})
     * @param workDir       where the socket and the server's own log go
     */
    public PythonForkServer(List<String> pythonCommand, Path workDir) {
        this.command = List.copyOf(pythonCommand);
        this.socket = workDir.resolve("python-fork-server.sock");
        this.log = workDir.resolve("python-fork-server.log");
        // a fork server of an earlier run whose cluster was SIGKILLed: stopped at once, never left unowned (the
        // functions it forked run in their own sessions and are adopted or stopped one by one)
        OwnedProcess.read(pidFile()).ifPresent(earlier -> earlier.stop(5));
    }

    /** The fork server cannot be started or reached (as opposed to refusing one function): start functions without it. */
    public static final class UnavailableException extends IOException {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Forks a function process with exactly {@code environment}, its stdout and stderr appended to {@code functionLog}.
     *
     * @return the new process
     * @throws UnavailableException when the server cannot be started or reached
     * @throws IOException          when it refuses the request
     */
    public synchronized ProcessHandle spawn(Map<String, String> environment, Path functionLog) throws IOException {
        byte[] request = (JSON.writeValueAsString(Map.of("env", environment, "log", functionLog.toString())) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        JsonNode reply;
        try {
            reply = call(request);
        } catch (IOException first) { // the server died: one restart
            stopServer();
            try {
                reply = call(request);
            } catch (IOException second) {
                throw new UnavailableException("the Python fork server is unavailable (" + second.getMessage() + "); see " + log,
                        second);
            }
        }
        if (!reply.hasNonNull("pid")) {
            throw new IOException("the Python fork server refused to start the function: " + reply.path("error").asText());
        }
        long pid = reply.get("pid").asLong();
        return ProcessHandle.of(pid).orElseThrow(() -> new IOException("the forked function " + pid + " exited at once"));
    }

    private JsonNode call(byte[] request) throws IOException {
        ensureStarted();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(request));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null) {
                throw new IOException("the Python fork server closed the connection without an answer; see " + log);
            }
            return JSON.readTree(line);
        }
    }

    private void ensureStarted() throws IOException {
        if (server != null && server.isAlive()) {
            return;
        }
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        List<String> cmd = new ArrayList<>(command);
        cmd.add("--fork-server");
        cmd.add(socket.toString());
        server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        OwnedProcess.of(server.toHandle(), 0).write(pidFile());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(socket)) {
            if (!server.isAlive() || System.nanoTime() > deadline) {
                stopServer();
                throw new IOException("the Python fork server did not start; see " + log);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting the Python fork server", e);
            }
        }
    }

    private void stopServer() {
        if (server != null) {
            server.destroy();
            try {
                if (!server.waitFor(5, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                server.destroyForcibly();
            }
            server = null;
            try {
                Files.deleteIfExists(pidFile());
            } catch (IOException e) {
                // a stale pid file never matches another process (start time)
            }
        }
    }

    /** Where the server's pid and start time are kept ({@link OwnedProcess}), beside its socket. */
    private Path pidFile() {
        return socket.resolveSibling("python-fork-server.pid");
    }

    /** Stops the server (the functions it forked are stopped one by one by their owners). */
    @Override
    public synchronized void close() {
        stopServer();
    }
}
