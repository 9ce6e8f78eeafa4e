package io.knative.lambda.builder.core;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.knative.lambda.events.FailureReason;
import io.knative.lambda.events.FunctionKey;
import io.knative.lambda.events.FunctionRuntime;
import io.knative.lambda.events.UnsupportedRuntimeException;

/**
 * The runtime of an upload. A single file: its extension, else the {@code runtime} object metadata, else Python. An
 * archive: the {@code runtime} object metadata, else {@code function.yaml}'s {@code runtime}, else its files: only
 * {@code .py} files is Python, only {@code .java} files is Java, only {@code .js}/{@code .mjs}/{@code .cjs} files (with
 * a {@code package.json}) is Node.js; several languages or none is refused, never guessed.
 */
final class RuntimeSelector {

    private RuntimeSelector() {
    }

    static FunctionRuntime select(FunctionKey key, FunctionSource source, Map<String, String> metadata) throws BuildException {
        String fromMetadata = metadata.get("runtime");
        try {
            if (!source.archive()) {
                return FunctionRuntime.select(key.extension(), fromMetadata);
            }
            if (fromMetadata != null && !fromMetadata.isBlank()) {
                return FunctionRuntime.select(null, fromMetadata);
            }
        } catch (UnsupportedRuntimeException e) {
            throw new BuildException(e.reason(), e.getMessage());
        }
        if (source.manifest().runtime() != null) {
            return FunctionRuntime.byName(source.manifest().runtime()).orElseThrow();
        }
        Map<FunctionRuntime, List<String>> found = new EnumMap<>(FunctionRuntime.class);
        for (FunctionRuntime runtime : FunctionRuntime.values()) {
            List<String> sources = sources(source.files(), runtime);
            if (!sources.isEmpty()) {
                found.put(runtime, sources);
            }
        }
        if (found.size() == 1) {
            return found.keySet().iterator().next();
        }
        if (found.isEmpty()) {
            throw new BuildException(FailureReason.ENTRY_POINT_NOT_FOUND, key.fileName() + " holds no .py, .java, .js or .mjs"
                    + " file (found: " + sample(source.files().files().keySet().stream().toList()) + ")");
        }
        StringBuilder both = new StringBuilder();
        found.forEach((runtime, names) -> both.append(both.length() == 0 ? "" : " and ").append(runtime.id()).append(" (")
                .append(sample(names)).append(')'));
        throw new BuildException(FailureReason.AMBIGUOUS_ENTRY_POINT, key.fileName() + " holds files of several runtimes: "
                + both + "; say which runtime in function.yaml (runtime: python|java|node)");
    }

    /** The files of {@code runtime}'s languages; a Node package's installed {@code node_modules/} is not the function's. */
    static List<String> sources(FunctionFiles files, FunctionRuntime runtime) {
        return files.files().keySet().stream()
                .filter(p -> runtime.extensions().stream().anyMatch(e -> p.endsWith("." + e)))
                .filter(p -> !p.startsWith("node_modules/") && !p.contains("/node_modules/")).toList();
    }

    /** Up to ten names, then how many more. */
    static String sample(List<String> names) {
        if (names.isEmpty()) {
            return "nothing";
        }
        String shown = String.join(", ", names.subList(0, Math.min(10, names.size())));
        return names.size() > 10 ? shown + " and " + (names.size() - 10) + " more" : shown;
    }
}
