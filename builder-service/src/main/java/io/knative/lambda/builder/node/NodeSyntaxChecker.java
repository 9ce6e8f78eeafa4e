package io.knative.lambda.builder.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.FunctionFiles;
import io.knative.lambda.builder.core.JavaScriptSyntaxChecker;
import io.knative.lambda.builder.deps.ToolRun;
import io.knative.lambda.events.FailureReason;

/**
 * The syntax check of Node.js functions with {@code node --check}, which parses a file and runs none of it: the sources
 * and every {@code package.json} (Node reads its {@code "type"}) are written to a temporary folder, each source checked
 * there in its own process with an environment that holds no {@code NODE_OPTIONS} (which could preload code). The first
 * failure is a {@code CompileError} with the file, the line and Node's message; no {@code node} is
 * {@code UnsupportedRuntime} naming {@code klambda.node.executable}.
 */
public final class NodeSyntaxChecker implements JavaScriptSyntaxChecker {

    private static final int MAX_OUTPUT = 16 * 1024;

    private final String node;
    private final Duration timeout;

    /**
     * @param node    the {@code node} executable ({@code klambda.node.executable})
     * @param timeout how long one file's check may take
     */
    public NodeSyntaxChecker(String node, Duration timeout) {
        this.node = node;
        this.timeout = timeout;
    }

    /** {@code node --version}, or a sentence saying why there is none: logged when the builder starts. */
    public String version() {
        try {
            Process p = new ProcessBuilder(node, "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readNBytes(200), StandardCharsets.UTF_8).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "unusable (" + out + ")";
        } catch (IOException e) {
            return "missing (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    @Override
    public void check(FunctionFiles files, List<String> sources) throws BuildException {
        if (sources.isEmpty()) {
            return;
        }
        Path root = null;
        try {
            root = Files.createTempDirectory("klambda-node-check-");
            Path dir = Files.createDirectories(root.resolve("src"));
            for (Map.Entry<String, byte[]> e : files.files().entrySet()) {
                if (sources.contains(e.getKey()) || e.getKey().equals("package.json") || e.getKey().endsWith("/package.json")) {
                    Path target = dir.resolve(e.getKey()).normalize();
                    if (!target.startsWith(dir)) {
                        throw new IOException("a path escapes the check folder: " + e.getKey());
                    }
                    Files.createDirectories(target.getParent());
                    Files.write(target, e.getValue());
                }
            }
            for (String source : sources) {
                checkOne(dir, source, root.resolve("node.log"));
            }
        } catch (IOException e) {
            throw new BuildException(FailureReason.INTERNAL_ERROR, "the syntax check could not prepare its files: "
                    + e.getMessage(), e);
        } finally {
            delete(root);
        }
    }

    private void checkOne(Path dir, String source, Path log) throws BuildException, IOException {
        List<String> command = new ArrayList<>(List.of(node, "--check", source));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().keySet().removeIf(k -> k.startsWith("NODE_") || k.startsWith("npm_"));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new BuildException(FailureReason.UNSUPPORTED_RUNTIME, "this builder cannot run Node.js to check "
                    + source + " ('" + node + "': " + e.getMessage() + "); install Node.js 20 or later on the builder or"
                    + " set klambda.node.executable", e);
        }
        ToolRun ran;
        try {
            ran = ToolRun.await(process, log, timeout, MAX_OUTPUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException(FailureReason.INTERNAL_ERROR, "interrupted while checking " + source, e);
        }
        if (!ran.finished()) {
            throw new BuildException(FailureReason.COMPILE_ERROR, source + ": node --check did not finish within "
                    + timeout.toSeconds() + " s");
        }
        if (!ran.succeeded()) {
            throw new BuildException(FailureReason.COMPILE_ERROR, NodeCheckOutput.message(source, dir, ran.output()));
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder; the system's cleaner removes what is left
        }
    }
}
