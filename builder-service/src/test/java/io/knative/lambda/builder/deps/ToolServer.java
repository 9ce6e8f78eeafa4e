package io.knative.lambda.builder.deps;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.knative.lambda.testsupport.LocalProcess;

/**
 * One of the real tool servers of {@code k8s/tools/} started as the sidecar starts it, with this host's python3 or node,
 * on a free loopback port, its work directory and token file given; its port read from the line it prints when ready.
 */
public final class ToolServer extends LocalProcess {

    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private final Path tokenFile;
    private final int port;

    private ToolServer(String name, List<String> command, Path workRoot, Path tokenFile) {
        super(name, command, tempDir(name + "-"), Map.of("KLAMBDA_TOOLS_WORK_DIR", workRoot.toString(),
                "KLAMBDA_TOOLS_TOKEN_FILE", tokenFile.toString(), "KLAMBDA_TOOLS_PORT", "0"));
        this.tokenFile = tokenFile;
        try {
            this.port = await().atMost(Duration.ofSeconds(20)).until(() -> {
                if (!isAlive()) {
                    throw new IllegalStateException(name + " exited:\n" + logText());
                }
                Matcher m = LISTENING.matcher(logText());
                return m.find() ? Integer.parseInt(m.group(1)) : 0;
            }, p -> p > 0);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The tools the server runs now (its child processes). */
    public List<ProcessHandle> children() {
        return ProcessHandle.of(pid()).map(h -> h.descendants().toList()).orElse(List.of());
    }

    /** The python sidecar's server, run by this host's python3. */
    public static ToolServer python(Path workRoot, Path tokenFile) {
        return new ToolServer("python-tool-server", List.of("python3", script("python-tool-server.py")), workRoot, tokenFile);
    }

    /** The node sidecar's server, run by this host's node. */
    public static ToolServer node(Path workRoot, Path tokenFile) {
        return new ToolServer("node-tool-server", List.of("node", script("node-tool-server.js")), workRoot, tokenFile);
    }

    private static String script(String name) {
        Path script = Path.of("..", "k8s", "tools", name).toAbsolutePath().normalize();
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("no " + script + ": run the tests from the builder-service module");
        }
        return script.toString();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The file the server keeps its token in. */
    public Path tokenFile() {
        return tokenFile;
    }

    /** The token the server wrote. */
    public String token() {
        try {
            return Files.readString(tokenFile).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
