package io.knative.lambda.builder.core;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.events.FailureReason;
import io.knative.lambda.events.FunctionRuntime;

/**
 * Which file of a Node.js archive holds the handler: {@code function.yaml}'s {@code entry.file}; else the {@code main}
 * of the top-level {@code package.json}; else a top-level {@code index.js} / {@code index.mjs} / {@code index.cjs};
 * else the only top-level {@code .js}/{@code .mjs}/{@code .cjs} file that exports the handler ({@code exports.handler =},
 * {@code export function handler}, {@code export const handler}, {@code export { handler }}, or a
 * {@code module.exports =} / {@code export default} naming it). Several or none is refused, listing what was found.
 * Reads text, runs nothing.
 */
final class NodeEntryPoint {

    static final String PACKAGE_JSON = "package.json";
    private static final List<String> INDEX = List.of("index.js", "index.mjs", "index.cjs");
    private static final ObjectMapper JSON = new ObjectMapper();

    private NodeEntryPoint() {
    }

    static String file(String archive, FunctionSource source, String handler) throws BuildException {
        String declared = source.manifest().entryFile();
        if (declared != null) {
            if (!source.files().contains(declared) || !isSource(declared)) {
                throw new InvalidManifestException(FunctionManifest.FILE_NAME, "entry.file",
                        "'" + declared + "' is not a .js, .mjs or .cjs file in " + archive);
            }
            return declared;
        }
        Optional<String> main = packageMain(archive, source.files());
        if (main.isPresent()) {
            return main.get();
        }
        List<String> index = INDEX.stream().filter(source.files()::contains).toList();
        if (index.size() == 1) {
            return index.get(0);
        }
        if (index.size() > 1) {
            throw new BuildException(FailureReason.AMBIGUOUS_ENTRY_POINT, archive + " holds " + String.join(" and ", index)
                    + "; set main in package.json or entry.file in function.yaml");
        }
        List<String> top = RuntimeSelector.sources(source.files(), FunctionRuntime.NODE).stream()
                .filter(p -> p.indexOf('/') < 0).toList();
        List<String> candidates = top.stream().filter(f -> exports(source.files().text(f), handler)).toList();
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        if (candidates.isEmpty()) {
            throw new BuildException(FailureReason.ENTRY_POINT_NOT_FOUND, archive + ": no package.json main, no index.js,"
                    + " and no top-level .js/.mjs/.cjs file exports " + handler + " (top-level files: "
                    + RuntimeSelector.sample(top) + "); add index.js or set entry.file in function.yaml");
        }
        throw new BuildException(FailureReason.AMBIGUOUS_ENTRY_POINT, archive + ": no package.json main, no index.js, and "
                + candidates.size() + " top-level files export " + handler + ": " + RuntimeSelector.sample(candidates)
                + "; set main in package.json or entry.file in function.yaml");
    }

    static boolean isSource(String path) {
        return FunctionRuntime.NODE.extensions().stream().anyMatch(e -> path.endsWith("." + e));
    }

    /** The file {@code package.json}'s {@code main} names, resolved as Node resolves it; a main naming no file is refused. */
    private static Optional<String> packageMain(String archive, FunctionFiles files) throws BuildException {
        String text = files.text(PACKAGE_JSON);
        if (text == null) {
            return Optional.empty();
        }
        JsonNode main;
        try {
            main = JSON.readTree(text).path("main");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidManifestException(PACKAGE_JSON, "(file)", "is not valid JSON: " + e.getOriginalMessage());
        }
        if (!main.isTextual() || main.asText().isBlank()) {
            return Optional.empty();
        }
        String path = main.asText().trim().replaceFirst("^(\\./)+", "");
        for (String candidate : List.of(path, path + ".js", path + ".mjs", path + ".cjs", path + "/index.js")) {
            if (files.contains(candidate) && isSource(candidate)) {
                return Optional.of(candidate);
            }
        }
        throw new BuildException(FailureReason.ENTRY_POINT_NOT_FOUND, archive + ": package.json's main '" + main.asText()
                + "' names no .js, .mjs or .cjs file in the archive");
    }

    /** Whether the text of a module visibly exports {@code handler}. */
    static boolean exports(String text, String handler) {
        String h = Pattern.quote(handler);
        Pattern named = Pattern.compile("(?m)(\\bexports\\s*\\.\\s*" + h + "\\s*=|\\bexports\\s*\\[\\s*['\"]" + h
                + "['\"]\\s*]\\s*=|^\\s*export\\s+(async\\s+)?function\\s*\\*?\\s*" + h + "\\s*\\(|^\\s*export\\s+(const|let|var)\\s+"
                + h + "\\b|^\\s*export\\s*\\{[^}]*\\b" + h + "\\b)");
        if (named.matcher(text).find()) {
            return true;
        }
        boolean whole = Pattern.compile("(?m)(\\bmodule\\.exports\\s*=|^\\s*export\\s+default\\b)").matcher(text).find();
        return whole && ("handler".equals(handler) || Pattern.compile("\\b" + h + "\\b").matcher(text).find());
    }
}
