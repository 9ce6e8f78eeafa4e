package io.knative.lambda.platform.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service's environment in local mode, as declared once in {@code scripts/dev/env/<service>.env} and read the same
 * way by {@code scripts/dev/local-env.sh} ({@code make run}): one {@code KEY=value} per line, {@code #} comments,
 * {@code ${NAME}} and {@code ${NAME:-default}} filled in from the given variables; a missing one is an error.
 */
final class ServiceEnv {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\\}");

    private ServiceEnv() {
    }

    /** The environment of {@code service} with {@code variables} filled in. */
    static Map<String, String> of(Path project, String service, Map<String, String> variables) {
        Path file = project.resolve("scripts/dev/env").resolve(service + ".env");
        Map<String, String> env = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int eq = line.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalStateException(file + ": not KEY=value: " + line);
                }
                env.put(line.substring(0, eq), fill(file, line.substring(eq + 1), variables));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return env;
    }

    private static String fill(Path file, String value, Map<String, String> variables) {
        Matcher m = PLACEHOLDER.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String replacement = variables.containsKey(name) ? variables.get(name) : m.group(2) != null ? m.group(3) : null;
            if (replacement == null) {
                throw new IllegalStateException(file + ": ${" + name + "} is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        return m.appendTail(out).toString();
    }
}
