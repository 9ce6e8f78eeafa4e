package io.knative.lambda.builder.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.FunctionFiles;
import io.knative.lambda.builder.core.JavaScriptSyntaxChecker;
import io.knative.lambda.builder.deps.LocalToolRunner;
import io.knative.lambda.builder.deps.ToolCommand;
import io.knative.lambda.builder.deps.ToolRefusedException;
import io.knative.lambda.builder.deps.ToolRun;
import io.knative.lambda.builder.deps.ToolRunner;
import io.knative.lambda.builder.deps.ToolUnavailableException;
import io.knative.lambda.events.FailureReason;

/**
 * The syntax check of Node.js functions with {@code node --check}, which parses a file and runs none of it: the sources
 * and every {@code package.json} (Node reads its {@code "type"}) are written to a temporary folder, each source checked
 * there in its own process (through a {@link ToolRunner}: on this host or in the node tool sidecar) with an environment
 * that holds no {@code NODE_OPTIONS} (which could preload code). The first
 * failure is a {@code CompileError} with the file, the line and Node's message; no {@code node} is
 * {@code UnsupportedRuntime} naming {@code klambda.node.executable}.
 */
public final class NodeSyntaxChecker implements JavaScriptSyntaxChecker {

    private static final int MAX_OUTPUT = 16 * 1024;

    private final ToolRunner tools;
    private final Path workRoot;
    private final Duration timeout;

    /**
     * @param tools    what runs {@code node} (tool {@code node}): this host's {@code klambda.node.executable}, or the
     *                 node tool sidecar
     * @param workRoot where the files to check are written (in the sidecar's shared work directory)
     * @param timeout  how long one file's check may take
     */
    public NodeSyntaxChecker(ToolRunner tools, Path workRoot, Duration timeout) {
        this.tools = tools;
        this.workRoot = workRoot;
        this.timeout = timeout;
    }

    /** This host's {@code node}, its files in the system's temporary folder. */
    public NodeSyntaxChecker(String node, Duration timeout) {
        this(new LocalToolRunner(Map.of("node", List.of(node))), Path.of(System.getProperty("java.io.tmpdir"),
                "klambda-node-check"), timeout);
    }

    /** {@code node --version}, or a sentence saying why there is none: logged when the builder starts. */
    public String version() {
        try {
            Files.createDirectories(workRoot);
            ToolRun ran = tools.run(new ToolCommand("node", List.of("--version"), workRoot, Map.of(), Duration.ofSeconds(10), 200));
            return ran.succeeded() ? ran.output().trim() : "unusable (" + ran.output().trim() + ")";
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
            root = Files.createTempDirectory(Files.createDirectories(workRoot), "check-");
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
                checkOne(dir, source);
            }
        } catch (IOException e) {
            throw new BuildException(FailureReason.INTERNAL_ERROR, "the syntax check could not prepare its files: "
                    + e.getMessage(), e);
        } finally {
            delete(root);
        }
    }

    private void checkOne(Path dir, String source) throws BuildException, IOException {
        ToolRun ran;
        try {
            ran = tools.run(new ToolCommand("node", List.of("--check", source), dir, Map.of(), timeout, MAX_OUTPUT));
        } catch (ToolUnavailableException e) {
            if (e.transientFailure()) {
                throw new BuildException(FailureReason.INTERNAL_ERROR, "cannot check " + source + " now: " + e.getMessage(), e);
            }
            throw new BuildException(FailureReason.UNSUPPORTED_RUNTIME, "this builder cannot run Node.js to check "
                    + source + " (" + e.getMessage() + "); install Node.js 20 or later on the builder, set"
                    + " klambda.node.executable or klambda.tools.node-url", e);
        } catch (ToolRefusedException e) {
            throw new BuildException(FailureReason.INTERNAL_ERROR, "the syntax check of " + source + " was not run: "
                    + e.getMessage(), e);
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
