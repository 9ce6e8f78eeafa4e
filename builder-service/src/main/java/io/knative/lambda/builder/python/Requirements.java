package io.knative.lambda.builder.python;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.knative.lambda.builder.core.InvalidManifestException;

/**
 * A function's {@code requirements.txt}, checked and normalised. Only package requirements from the index are
 * allowed ({@code name[extras] specifiers ; markers}, with {@code --hash} options): options that change the index or
 * pull in other files ({@code -r}, {@code -e}, {@code --index-url}, ...), URLs, VCS links and local paths are refused,
 * as they would reach past the platform's index or read the builder's disk. The normalised form (comments and blank
 * lines gone, names lower-cased with {@code -} for {@code _} and {@code .}, spaces removed, lines sorted) is what the
 * dependency cache is keyed by.
 *
 * @param lines    the normalised requirement lines, sorted
 * @param projects the normalised project names, for reading the index's pages
 */
public record Requirements(List<String> lines, List<String> projects) {

    /** The file name in an archive's root. */
    public static final String FILE_NAME = "requirements.txt";
    private static final Pattern REQUIREMENT = Pattern.compile(
            "([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(\\[[A-Za-z0-9._,\\s-]*\\])?\\s*([^;@]*?)\\s*(;.*)?");
    private static final Pattern HASH = Pattern.compile("--hash[=\\s]+sha(256|384|512):[0-9a-fA-F]+");

    /** Parses {@code text}; a line that is not a plain requirement is refused naming the line. */
    public static Requirements parse(String text) throws InvalidManifestException {
        TreeSet<String> lines = new TreeSet<>();
        TreeSet<String> projects = new TreeSet<>();
        String[] raw = text.replace("\\\r\n", " ").replace("\\\n", " ").split("\\R");
        for (int i = 0; i < raw.length; i++) {
            String line = raw[i];
            int comment = line.indexOf(" #");
            line = (line.startsWith("#") ? "" : comment >= 0 ? line.substring(0, comment) : line).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = FILE_NAME + ":" + (i + 1);
            List<String> hashes = new ArrayList<>();
            Matcher h = HASH.matcher(line);
            while (h.find()) {
                hashes.add(h.group().replaceAll("--hash[=\\s]+", "--hash=").toLowerCase(Locale.ROOT));
            }
            String requirement = HASH.matcher(line).replaceAll("").strip();
            if (requirement.startsWith("-")) {
                throw new InvalidManifestException(FILE_NAME, where, "'" + requirement.split("\\s")[0]
                        + "' is not allowed: only package requirements (the index is the platform's)");
            }
            if (requirement.contains("://") || requirement.startsWith(".") || requirement.startsWith("/")
                    || requirement.contains(" @ ") || requirement.contains("@")) {
                throw new InvalidManifestException(FILE_NAME, where, "'" + requirement
                        + "' is a URL, VCS link or path: only packages from the index can be installed");
            }
            Matcher m = REQUIREMENT.matcher(requirement);
            if (!m.matches()) {
                throw new InvalidManifestException(FILE_NAME, where, "'" + requirement + "' is not a requirement such as"
                        + " requests==2.32.3");
            }
            String name = normalise(m.group(1));
            String extras = m.group(2) == null ? "" : m.group(2).replaceAll("\\s", "").toLowerCase(Locale.ROOT);
            String spec = m.group(3).replaceAll("\\s", "");
            String marker = m.group(4) == null ? "" : " " + m.group(4).strip();
            lines.add(name + extras + spec + marker + (hashes.isEmpty() ? "" : " " + String.join(" ", hashes)));
            projects.add(name);
        }
        return new Requirements(List.copyOf(lines), List.copyOf(projects));
    }

    /** PEP 503's normal form of a project name: lower case, runs of {@code -_.} as one {@code -}. */
    public static String normalise(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
    }

    /** The requirements as pip reads them, one per line. */
    public String text() {
        return String.join("\n", lines) + "\n";
    }

    public boolean isEmpty() {
        return lines.isEmpty();
    }
}
