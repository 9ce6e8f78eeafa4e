package io.knative.lambda.builder.archive;

import java.util.ArrayDeque;
import java.util.Deque;

/** An archive entry's name made safe: relative, no {@code ..}, no {@code .}, {@code /} separators, or refused. */
final class EntryPath {

    private EntryPath() {
    }

    /**
     * The normalised relative path of {@code name}, or {@code null} for the archive's root ({@code ./}).
     *
     * @throws IllegalArgumentException with the reason, when the name is absolute, climbs out or is unreadable
     */
    static String normalise(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("has an empty name");
        }
        if (name.indexOf('\0') >= 0 || name.chars().anyMatch(c -> c < 0x20)) {
            throw new IllegalArgumentException("has control characters in its name");
        }
        if (name.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("has a backslash in its name (archive paths use '/')");
        }
        if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
            throw new IllegalArgumentException("is an absolute path");
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                throw new IllegalArgumentException("has '..' in its path");
            }
        }
        return resolve("", name);
    }

    /**
     * {@code target} resolved against the folder {@code base} (a normalised path or ""), or {@code null} for the root.
     *
     * @throws IllegalArgumentException when it leaves the archive's root
     */
    static String resolve(String base, String target) {
        Deque<String> parts = new ArrayDeque<>();
        if (!base.isEmpty()) {
            for (String p : base.split("/")) {
                parts.addLast(p);
            }
        }
        for (String p : target.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (parts.isEmpty()) {
                    throw new IllegalArgumentException("leads outside the archive ('..')");
                }
                parts.removeLast();
            } else {
                parts.addLast(p);
            }
        }
        return parts.isEmpty() ? null : String.join("/", parts);
    }

    /** The folder of a normalised path, "" at the top. */
    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }
}
