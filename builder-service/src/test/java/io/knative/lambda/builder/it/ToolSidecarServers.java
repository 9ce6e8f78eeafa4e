package io.knative.lambda.builder.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.knative.lambda.builder.deps.ToolServer;

/**
 * {@link NodeBuildServers} plus the two tool servers of {@code k8s/tools/} as the builder pod's sidecars run them: the
 * builder's work directory (its cache dir) inside theirs, their token files in a folder of their own, the builder
 * pointed at them with {@code klambda.tools.*} and its host tools set to paths that do not exist, so that a build that
 * still ran pip, npm or node on the host would fail.
 */
public class ToolSidecarServers extends NodeBuildServers {

    static ToolServer python;
    static ToolServer node;
    private Path work;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        try {
            work = Files.createTempDirectory("klambda-tools-work-");
            Path tokens = Files.createTempDirectory("klambda-tools-tokens-");
            python = ToolServer.python(work, tokens.resolve("python.token"));
            node = ToolServer.node(work, tokens.resolve("node.token"));
            config.put("klambda.build.cache-dir", Files.createDirectories(work.resolve("cache")).toString());
            config.put("klambda.tools.python-url", python.url().toString());
            config.put("klambda.tools.node-url", node.url().toString());
            config.put("klambda.tools.token-dir", tokens.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.put("klambda.python.pip-command", "/nonexistent/python3 -m pip");
        config.put("klambda.npm.command", "/nonexistent/npm");
        config.put("klambda.node.executable", "/nonexistent/node");
        return config;
    }

    @Override
    public void stop() {
        if (python != null) {
            python.close();
        }
        if (node != null) {
            node.close();
        }
        super.stop();
    }
}
