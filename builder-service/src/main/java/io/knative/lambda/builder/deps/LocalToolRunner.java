package io.knative.lambda.builder.deps;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs tools as processes of this host (local mode, the default): each tool name maps to the command that starts it
 * ({@code pip} to {@code python3 -m pip}); the process gets the builder's environment less every {@code PIP_*},
 * {@code PYTHON*}, {@code NODE_*} and {@code npm_*} variable (which could redirect an index or preload code), plus the
 * command's own, no input, its output in a temporary log read back bounded.
 */
public final class LocalToolRunner implements ToolRunner {

    private final Map<String, List<String>> commands;

    /** @param commands per tool name, the command that runs it, e.g. {@code "pip" -> [python3, -m, pip]} */
    public LocalToolRunner(Map<String, List<String>> commands) {
        this.commands = Map.copyOf(commands);
    }

    /** One tool whose command is {@code command} split on spaces. */
    public static LocalToolRunner of(String tool, String command) {
        return new LocalToolRunner(Map.of(tool, List.of(command.trim().split("\\s+"))));
    }

    @Override
    public ToolRun run(ToolCommand command) throws IOException, InterruptedException {
        List<String> prefix = commands.get(command.tool());
        if (prefix == null) {
            throw new ToolUnavailableException(command.tool(), false, "no command configured for " + command.tool(), null);
        }
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(command.args());
        Path log = Files.createTempFile("klambda-" + command.tool() + "-", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(argv).directory(command.dir().toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(k -> k.startsWith("PIP_") || k.startsWith("PYTHON") || k.startsWith("NODE_")
                    || k.toLowerCase(Locale.ROOT).startsWith("npm_"));
            env.putAll(command.env());
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new ToolUnavailableException(command.tool(), false, "'" + prefix.get(0) + "': " + e.getMessage(), e);
            }
            return ToolRun.await(process, log, command.timeout(), command.maxOutput());
        } finally {
            Files.deleteIfExists(log);
        }
    }

    @Override
    public String describe() {
        return "local";
    }
}
