package io.knative.lambda.builder.core;

import java.util.List;
import java.util.Map;

import io.knative.lambda.events.FailureReason;
import io.knative.lambda.events.FunctionKey;
import io.knative.lambda.events.FunctionRuntime;
import io.knative.lambda.events.UnsupportedRuntimeException;

/**
 * The runtime of an upload. A single file: its extension, else the {@code runtime} object metadata, else Python. An
 * archive: the {@code runtime} object metadata, else {@code function.yaml}'s {@code runtime}, else its files: only
 * {@code .py} files is Python, only {@code .java} files is Java; both or neither is refused, never guessed.
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
        List<String> python = source.files().all(".py");
        List<String> java = source.files().all(".java");
        if (!python.isEmpty() && java.isEmpty()) {
            return FunctionRuntime.PYTHON;
        }
        if (python.isEmpty() && !java.isEmpty()) {
            return FunctionRuntime.JAVA;
        }
        if (python.isEmpty()) {
            throw new BuildException(FailureReason.ENTRY_POINT_NOT_FOUND, key.fileName() + " holds no .py and no .java file"
                    + " (found: " + sample(source.files().files().keySet().stream().toList()) + ")");
        }
        throw new BuildException(FailureReason.AMBIGUOUS_ENTRY_POINT, key.fileName() + " holds both .py ("
                + sample(python) + ") and .java (" + sample(java) + ") files: say which runtime in function.yaml"
                + " (runtime: python|java)");
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
