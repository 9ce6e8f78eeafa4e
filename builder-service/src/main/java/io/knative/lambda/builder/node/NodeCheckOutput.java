package io.knative.lambda.builder.node;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what {@code node --check} printed for a file that does not parse: the {@code <path>:<line>} it starts with, the
 * source line and the caret under it, and the {@code SyntaxError: ...} line, as {@code file:line: SyntaxError: ...} with
 * the builder's temporary folder taken out.
 */
final class NodeCheckOutput {

    private static final Pattern LOCATION = Pattern.compile("^(.+):(\\d+)$");
    private static final Pattern ERROR = Pattern.compile("^[A-Za-z]*Error\\b.*");
    private static final int MAX_LINE = 300;

    private NodeCheckOutput() {
    }

    static String message(String source, Path dir, String output) {
        String prefix = dir.toString() + "/";
        List<String> lines = output.replace(prefix, "").lines().toList();
        String file = source;
        String line = null;
        int at = -1;
        for (int i = 0; i < lines.size() && line == null; i++) {
            Matcher m = LOCATION.matcher(lines.get(i));
            if (m.matches()) {
                file = m.group(1);
                line = m.group(2);
                at = i;
            }
        }
        String error = lines.stream().filter(l -> ERROR.matcher(l).matches()).findFirst().orElse(null);
        StringBuilder message = new StringBuilder(file);
        if (line != null) {
            message.append(':').append(line);
        }
        message.append(": ").append(error != null ? cut(error) : "node --check failed: " + cut(String.join(" ", lines)));
        if (at >= 0 && at + 2 < lines.size() && lines.get(at + 2).trim().startsWith("^")) {
            message.append('\n').append(cut(lines.get(at + 1))).append('\n').append(cut(lines.get(at + 2)));
        }
        return message.toString();
    }

    private static String cut(String s) {
        return s.length() > MAX_LINE ? s.substring(0, MAX_LINE) + "..." : s;
    }
}
