package io.knative.lambda.localcluster.process;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One spare: a Python interpreter started ({@code klambda_local.py --spare}) in a sandbox of its own beside an empty
 * function folder, the runtime imported, waiting on its stdin for the environment of the function it becomes. The
 * function's files are moved into that folder ({@link #handOver}): the sandbox sees them and nothing else.
 */
final class SpareSandbox {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path root;

    private SpareSandbox(Process process, Path root) {
        this.process = process;
        this.root = root;
    }

    /**
     * Starts a spare in {@code root} ({@code function/} is the folder its sandbox sees, {@code function.log} its output),
     * with only {@link FunctionLauncher#BASE} for an environment until it is handed a function.
     */
    static SpareSandbox start(List<String> sparePythonCommand, Sandbox sandbox, Path root) throws IOException {
        Path functionDir = root.resolve("function");
        Files.createDirectories(functionDir);
        ProcessBuilder builder = new ProcessBuilder(sandbox.wrap(sparePythonCommand, functionDir)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("function.log").toFile()));
        builder.environment().clear();
        builder.environment().putAll(FunctionLauncher.BASE);
        return new SpareSandbox(builder.start(), root);
    }

    /** Still waiting (not exited). */
    boolean alive() {
        return process.isAlive();
    }

    /**
     * Its sandbox is set up and the runtime imported: it said so ({@code spare ready}, its first output). Before that
     * its folder must not move: bwrap has not bound it yet.
     */
    boolean ready() {
        try {
            return process.isAlive() && Files.size(root.resolve("function.log")) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** The sandbox's process (bwrap's). */
    Process process() {
        return process;
    }

    /**
     * Makes this spare's sandbox hold the function unpacked in {@code functionDir}: its entries move into the spare's
     * folder, which then takes {@code functionDir}'s place (a rename: the sandbox's bind mount follows the folder), and
     * the spare's output file, emptied of its {@code spare ready}, becomes {@code log} (the spare appends to it: its next
     * line starts the file). Returns the folder's path as the sandbox sees it (its
     * {@code FUNCTION_DIR}).
     */
    Path handOver(Path functionDir, Path log) throws IOException {
        Path own = root.resolve("function");
        Files.newByteChannel(root.resolve("function.log"), java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING).close();
        try (var entries = Files.list(functionDir)) {
            for (Path entry : entries.toList()) {
                Files.move(entry, own.resolve(entry.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        Files.delete(functionDir);
        Files.move(own, functionDir, StandardCopyOption.ATOMIC_MOVE);
        Files.move(root.resolve("function.log"), log, StandardCopyOption.ATOMIC_MOVE);
        Files.delete(root);
        return own;
    }

    /** What it wrote (the start of its output file), to say why it ended. */
    String output() {
        try {
            String text = Files.readString(root.resolve("function.log"));
            return text.length() > 1000 ? text.substring(0, 1000) : text;
        } catch (IOException e) {
            return "(no output)";
        }
    }

    /** Hands the spare its function's environment: it loads the function and serves. */
    void become(Map<String, String> environment) throws IOException {
        try (OutputStream in = process.getOutputStream()) {
            in.write((JSON.writeValueAsString(Map.of("env", environment)) + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Stops an unused spare (end of its input: it exits; killed if it does not) and deletes its folder. */
    void discard() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // it has gone already
        }
        try {
            if (!process.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        delete(root);
    }

    private void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Deletes a spare's folder (its empty function folder and its log), as left by a discarded or an earlier run's spare. */
    static void delete(Path root) {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // left for the next start's clean-up
        }
    }
}
