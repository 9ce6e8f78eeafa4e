package io.knative.lambda.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The runtime's settings from the environment, the same variables and defaults as the Python runtime. */
public record FunctionConfig(Path functionDir, String functionId, String className, String handlerName,
                             long timeoutMs, int maxBodyBytes, int concurrency, long drainMs, boolean eventLoop,
                             String host, int port, long idleMs, Path depsDir, int maxConnections) {

    /** Reads the settings; throws IllegalStateException with a plain message when one is unusable. */
    public static FunctionConfig from(Map<String, String> env) {
        Path dir = Path.of(value(env, "FUNCTION_DIR", "/function"));
        String id = value(env, "FUNCTION_ID", "function");
        if (id.chars().anyMatch(c -> c == '\r' || c == '\n' || c == '"' || c == '\\')) {
            throw new IllegalStateException("FUNCTION_ID contains characters that cannot appear in a header");
        }
        String className = env.get("FUNCTION_CLASS");
        if (className == null || className.isBlank()) {
            className = guessClassName(dir);
        }
        long timeoutMs = number(env, "FUNCTION_TIMEOUT_MS", 30000, 1);
        String execution = value(env, "FUNCTION_EXECUTION", "worker");
        if (!execution.equals("worker") && !execution.equals("event-loop")) {
            throw new IllegalStateException("FUNCTION_EXECUTION must be worker or event-loop, got '" + execution + "'");
        }
        return new FunctionConfig(dir, id, className.strip(), value(env, "FUNCTION_HANDLER", "handler"), timeoutMs,
                (int) number(env, "FUNCTION_MAX_BODY_BYTES", 6 * 1024 * 1024, 1),
                (int) number(env, "FUNCTION_CONCURRENCY", 16, 1),
                number(env, "FUNCTION_DRAIN_TIMEOUT_MS", timeoutMs + 5000, 1), execution.equals("event-loop"),
                value(env, "HOST", "0.0.0.0"), (int) number(env, "PORT", 8080, 0), number(env, "FUNCTION_IDLE_TIMEOUT_MS", 600000, 1),
                depsDir(env), (int) number(env, "FUNCTION_MAX_CONNECTIONS", 1024, 1));
    }

    /** FUNCTION_DEPS_DIR: the folder of the function's dependency jars (the builder's dependency layer), or null. */
    private static Path depsDir(Map<String, String> env) {
        String v = env.get("FUNCTION_DEPS_DIR");
        return v == null || v.isBlank() ? null : Path.of(v);
    }

    /** The CloudEvent source of the function's responses. */
    public String source() {
        return "/knative-lambda/functions/" + functionId;
    }

    /** Without FUNCTION_CLASS: the single top-level class file under classes/, if there is exactly one. */
    private static String guessClassName(Path dir) {
        Path classes = dir.resolve("classes");
        if (!Files.isDirectory(classes)) {
            throw new IllegalStateException("FUNCTION_CLASS is not set and " + classes + " is not a folder");
        }
        try (var files = Files.walk(classes)) {
            var candidates = files.filter(p -> p.toString().endsWith(".class") && !p.getFileName().toString().contains("$"))
                    .map(p -> classes.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", ""))
                    .toList();
            if (candidates.size() != 1) {
                throw new IllegalStateException("FUNCTION_CLASS is not set and " + classes + " holds " + candidates.size()
                        + " top-level classes " + candidates + "; set FUNCTION_CLASS");
            }
            return candidates.get(0);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read " + classes + ": " + e.getMessage(), e);
        }
    }

    private static String value(Map<String, String> env, String name, String fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static long number(Map<String, String> env, String name, long fallback, long min) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        long n;
        try {
            n = Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalStateException(name + " must be an integer, got '" + v + "'");
        }
        if (n < min || n > Integer.MAX_VALUE) {
            throw new IllegalStateException(name + " must be between " + min + " and " + Integer.MAX_VALUE + ", got " + n);
        }
        return n;
    }
}
