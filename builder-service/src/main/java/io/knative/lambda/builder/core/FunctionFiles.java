package io.knative.lambda.builder.core;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A function's files as uploaded: relative paths ({@code main.py}, {@code lib/util.py}) to bytes, sorted. A single-file
 * upload is one entry; an archive is every regular file it holds.
 *
 * @param files relative path (no leading {@code /}, no {@code ..}) to content
 */
public record FunctionFiles(SortedMap<String, byte[]> files) {

    public FunctionFiles {
        files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    }

    /** The files at the top level (no {@code /} in the path) whose name ends with {@code suffix}, sorted. */
    public List<String> topLevel(String suffix) {
        return files.keySet().stream().filter(p -> p.indexOf('/') < 0 && p.endsWith(suffix)).toList();
    }

    /** Every file (at any depth) whose name ends with {@code suffix}, sorted. */
    public List<String> all(String suffix) {
        return files.keySet().stream().filter(p -> p.endsWith(suffix)).toList();
    }

    public boolean contains(String path) {
        return files.containsKey(path);
    }

    /** The file's content as UTF-8 text (malformed bytes replaced), or {@code null} when absent. */
    public String text(String path) {
        byte[] bytes = files.get(path);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
