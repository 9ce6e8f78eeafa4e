package io.knative.lambda.builder.core;

import java.util.List;
import java.util.regex.Pattern;

import io.knative.lambda.events.FailureReason;

/**
 * Which file of a Python archive holds the handler: {@code function.yaml}'s {@code entry.file}; else {@code main.py}
 * at the top level; else the only top-level {@code *.py} that defines the handler ({@code def handler(} or
 * {@code handler =} at the start of a line). Several or none is refused, listing what was found. Reads text, runs
 * nothing.
 */
final class PythonEntryPoint {

    static final String MAIN = "main.py";

    private PythonEntryPoint() {
    }

    static String file(String archive, FunctionSource source, String handler) throws BuildException {
        String declared = source.manifest().entryFile();
        if (declared != null) {
            if (!source.files().contains(declared) || !declared.endsWith(".py")) {
                throw new InvalidManifestException(FunctionManifest.FILE_NAME, "entry.file",
                        "'" + declared + "' is not a .py file in " + archive);
            }
            return declared;
        }
        if (source.files().contains(MAIN)) {
            return MAIN;
        }
        List<String> top = source.files().topLevel(".py");
        Pattern defines = Pattern.compile("(?m)^(async\\s+)?def\\s+" + Pattern.quote(handler) + "\\s*\\(|^" + Pattern.quote(handler)
                + "\\s*=");
        List<String> candidates = top.stream().filter(f -> defines.matcher(source.files().text(f)).find()).toList();
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        if (candidates.isEmpty()) {
            throw new BuildException(FailureReason.ENTRY_POINT_NOT_FOUND, archive + ": no main.py, and no top-level .py file"
                    + " defines " + handler + "() (top-level .py files: " + RuntimeSelector.sample(top)
                    + "); add main.py or set entry.file in function.yaml");
        }
        throw new BuildException(FailureReason.AMBIGUOUS_ENTRY_POINT, archive + ": no main.py, and " + candidates.size()
                + " top-level .py files define " + handler + "(): " + RuntimeSelector.sample(candidates)
                + "; set entry.file in function.yaml");
    }
}
