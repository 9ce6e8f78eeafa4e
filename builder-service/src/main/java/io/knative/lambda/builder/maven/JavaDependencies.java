package io.knative.lambda.builder.maven;

import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.knative.lambda.builder.core.FunctionSource;
import io.knative.lambda.builder.core.InvalidManifestException;

/**
 * The Maven coordinates a Java function declares: {@code //DEPS group:artifact:version} lines in its {@code .java}
 * files, as JBang reads them (several per line, separated by spaces or commas), and {@code function.yaml}'s
 * {@code dependencies}. Sorted and without duplicates: the dependency cache's key.
 */
final class JavaDependencies {

    private static final Pattern DEPS = Pattern.compile("^\\s*//DEPS\\s+(.*)$");
    private static final Pattern COORDINATE = Pattern.compile("[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+){1,3}");

    private JavaDependencies() {
    }

    static List<String> of(FunctionSource source) throws InvalidManifestException {
        TreeSet<String> coordinates = new TreeSet<>(source.manifest().dependencies());
        for (String file : source.files().all(".java")) {
            String[] lines = source.files().text(file).split("\\R");
            for (int i = 0; i < lines.length; i++) {
                Matcher m = DEPS.matcher(lines[i]);
                if (!m.matches()) {
                    continue;
                }
                for (String c : m.group(1).trim().split("[\\s,]+")) {
                    if (!COORDINATE.matcher(c).matches()) {
                        throw new InvalidManifestException(file, file + ":" + (i + 1), "'" + c
                                + "' is not a Maven coordinate group:artifact:version");
                    }
                    coordinates.add(c);
                }
            }
        }
        return List.copyOf(coordinates);
    }
}
