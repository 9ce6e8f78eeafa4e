package io.knative.lambda.platform;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a code map (ARCHITECTURE.md) names that the repository does not have: backticked Java types without a
 * source file, backticked paths that do not exist, module rows that are not modules, modules without a row.
 */
final class ArchitectureMap {

    /** {@code Deployer}, or package-qualified {@code k8s.Fabric8FunctionCluster}. */
    static final Pattern JAVA_TYPE = Pattern.compile("((?:[a-z][a-z0-9]*\\.)*)([A-Z][a-z0-9][A-Za-z0-9]*)");
    /** A repository path: relative, no spaces, no placeholders. */
    static final Pattern PATH = Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.\\-]*(/[A-Za-z0-9_.\\-]+)*/?");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern MODULE_ROW = Pattern.compile("(?m)^\\|\\s*`([^`]+)`\\s*\\|");

    private final String text;
    private final Path root;
    private final Collection<Path> javaFiles;
    private final Set<String> knownFolders;

    /**
     * @param text         the map
     * @param root         the repository root
     * @param javaFiles    every Java source of the repository
     * @param knownFolders folders that may have a row without being Maven modules ({@code eventing/})
     */
    ArchitectureMap(String text, Path root, Collection<Path> javaFiles, Set<String> knownFolders) {
        this.text = RepositoryText.withoutCodeBlocks(text);
        this.root = root;
        this.javaFiles = javaFiles;
        this.knownFolders = knownFolders;
    }

    /** Every named thing that does not exist, each with what was looked for. */
    List<String> missing() {
        Set<String> missing = new LinkedHashSet<>();
        Matcher m = BACKTICKED.matcher(text);
        while (m.find()) {
            String token = m.group(1).trim();
            Matcher type = JAVA_TYPE.matcher(token);
            if (type.matches()) {
                String relative = type.group(1).replace('.', '/') + type.group(2) + ".java";
                if (javaFiles.stream().noneMatch(f -> f.toString().endsWith("/" + relative))) {
                    missing.add("class `" + token + "`: no " + relative + " in the repository");
                }
            } else if (token.contains("/") && PATH.matcher(token).matches() && !Files.exists(root.resolve(token))) {
                missing.add("path `" + token + "`: does not exist");
            }
        }
        return new ArrayList<>(missing);
    }

    /** Rows of the Modules table that are folders neither holding a pom nor known as non-Maven folders. */
    List<String> rowsThatAreNotModules() {
        List<String> wrong = new ArrayList<>();
        for (String row : moduleRows()) {
            Path path = root.resolve(row);
            if (row.endsWith("/") && Files.isDirectory(path) && !Files.isRegularFile(path.resolve("pom.xml"))
                    && !knownFolders.contains(row)) {
                wrong.add("row `" + row + "`: a folder without pom.xml that is not one of " + knownFolders);
            }
        }
        return wrong;
    }

    /** Modules (relative paths, no trailing slash) without a row of their own in the Modules table. */
    List<String> modulesWithoutRow(List<String> modules) {
        Set<String> rows = new LinkedHashSet<>(moduleRows());
        return modules.stream().filter(module -> !rows.contains(module + "/")).map(module -> module + "/").toList();
    }

    private List<String> moduleRows() {
        int start = text.indexOf("## Modules");
        if (start < 0) {
            return List.of();
        }
        int end = text.indexOf("\n## ", start + 1);
        Matcher m = MODULE_ROW.matcher(text.substring(start, end < 0 ? text.length() : end));
        List<String> rows = new ArrayList<>();
        while (m.find()) {
            rows.add(m.group(1).trim());
        }
        return rows;
    }
}
