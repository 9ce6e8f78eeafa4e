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
 * this deployer's child, started on first use and again if it dies; {@link #close()} stops it. A sandboxed server
 * ({@code --sandbox}) starts with an empty environment (a forked function's memory is a copy of the server's) and
 * builds each function's sandbox from the bwrap options it is sent ({@code klambda_sandbox.py}).
 */
public final class PythonForkServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> command;
    private final boolean sandboxed;
    private final Path socket;
    private final Path log;
    private Process server;

    /**
     * @param pythonCommand the Python runtime's command ({@code python3 -u .../klambda_local.py})
     * @param workDir       where the socket and the server's own log go
     */
    public PythonForkServer(List<String> pythonCommand, Path workDir) {
        this(pythonCommand, workDir, false);
    }

    /** As above; {@code sandboxed}: every function forked in a sandbox of its own ({@link #spawn(Map, Path, List)}). */
    public PythonForkServer(List<String> pythonCommand, Path workDir, boolean sandboxed) {
        this.command = List.copyOf(pythonCommand);
        this.sandboxed = sandboxed;
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

    /** The sandboxed fork server could not build a function's sandbox (as opposed to being unreachable). */
    public static final class SandboxFailedException extends IOException {
        SandboxFailedException(String message) {
            super(message);
        }
    }

    /**
     * Forks a function process with exactly {@code environment}, its stdout and stderr appended to {@code functionLog}.
     *
     * @return the new process
     * @throws UnavailableException when the server cannot be started or reached
     * @throws IOException          when it refuses the request
     */
    public ProcessHandle spawn(Map<String, String> environment, Path functionLog) throws IOException {
        return spawn(environment, functionLog, null);
    }

    /**
     * As {@link #spawn(Map, Path)}, in the sandbox bwrap's {@code sandboxOptions} describe (a sandboxed server only);
     * the process returned is the sandbox's init (its PID 1, seen from outside), the function its only child.
     *
     * @throws SandboxFailedException when the sandbox could not be built (the reason from the server)
     */
    public synchronized ProcessHandle spawn(Map<String, String> environment, Path functionLog, List<String> sandboxOptions)
            throws IOException {
        if (sandboxed != (sandboxOptions != null)) {
            throw new IllegalArgumentException(sandboxed ? "a sandboxed fork server needs the sandbox's options"
                    : "this fork server does not sandbox");
        }
        Map<String, Object> fields = new java.util.LinkedHashMap<>(Map.of("env", environment, "log", functionLog.toString()));
        if (sandboxed) {
            fields.put("sandbox", sandboxOptions);
        }
        byte[] request = (JSON.writeValueAsString(fields) + "\n").getBytes(StandardCharsets.UTF_8);
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
        if (!reply.hasNonNull("pid") && sandboxed) {
            throw new SandboxFailedException("the Python fork server could not start the function in its sandbox: "
                    + reply.path("error").asText());
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
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (sandboxed) { // nothing of the local cluster's environment (its credentials) in the functions' memory
            cmd.add("--sandbox");
            cmd.set(0, Sandbox.executable(cmd.get(0)).toString());
            builder.command(cmd).environment().clear();
            builder.environment().put("PATH", "/usr/bin:/bin");
        }
        server = builder.start();
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
