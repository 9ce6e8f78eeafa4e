package io.knative.lambda.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The repository's own files as text: its Markdown, its poms, its Java sources (build output and tools left out). */
final class RepositoryText {

    /** Folders that are not sources: build output, installed tools, local-mode state, VCS. */
    private static final Set<String> NOT_SOURCES = Set.of("target", "node_modules", ".tools", ".run", ".git");
    private static final Pattern MODULE = Pattern.compile("<module>\\s*([^<\\s]+)\\s*</module>");

    private RepositoryText() {
    }

    static Path root() {
        return Manifests.project();
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Every file below the root whose name ends with {@code suffix}, outside build output and tools. */
    static List<Path> files(String suffix) {
        try (Stream<Path> all = Files.walk(root())) {
            return all.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .filter(p -> Stream.of(root().relativize(p).toString().split("/")).noneMatch(NOT_SOURCES::contains))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Maven modules of the root pom, recursively, as paths relative to the root ({@code function-runtime/java}). */
    static List<String> mavenModules() {
        List<String> modules = new ArrayList<>();
        collectModules("", modules);
        return modules;
    }

    private static void collectModules(String dir, List<String> into) {
        Matcher m = MODULE.matcher(read(root().resolve(dir).resolve("pom.xml")));
        while (m.find()) {
            String module = dir + m.group(1);
            into.add(module);
            if (Files.isRegularFile(root().resolve(module).resolve("pom.xml"))) {
                collectModules(module + "/", into);
            }
        }
    }

    /** The text with fenced code blocks blanked out (their backticks and links are not the document's). */
    static String withoutCodeBlocks(String markdown) {
        return markdown.replaceAll("(?ms)^[ \\t]*```.*?^[ \\t]*```", "");
    }
}
