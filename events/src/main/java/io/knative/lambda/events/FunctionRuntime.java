package io.knative.lambda.events;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The languages a function can be written in, with the file extensions that select each. */
public enum FunctionRuntime {
    PYTHON("python", "py"),
    JAVA("java", "java"),
    NODE("node", "js", "mjs", "cjs");

    private final String id;
    private final List<String> extensions;

    FunctionRuntime(String id, String... extensions) {
        this.id = id;
        this.extensions = List.of(extensions);
    }

    /** The runtime's name as it appears in events, metadata and configuration ({@code python}). */
    public String id() {
        return id;
    }

    /** The main file extension, without the dot, that selects this runtime. */
    public String extension() {
        return extensions.get(0);
    }

    /** Every file extension, without the dot, that selects this runtime ({@code js}, {@code mjs}, {@code cjs}). */
    public List<String> extensions() {
        return extensions;
    }

    /** The runtime named {@code name} (case-insensitive), if any. */
    public static Optional<FunctionRuntime> byName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(r -> r.id.equals(wanted)).findFirst();
    }

    /** The runtime selected by a file extension (without the dot), if any. */
    public static Optional<FunctionRuntime> byExtension(String extension) {
        if (extension == null) {
            return Optional.empty();
        }
        return Arrays.stream(values()).filter(r -> r.extensions.contains(extension)).findFirst();
    }

    /**
     * The runtime of a function: by extension, else by the object's {@code runtime}
     * metadata, else Python (the guide uploads {@code parser.py} with no extension).
     *
     * @param extension       the key's extension without the dot, or {@code null}
     * @param metadataRuntime the S3 object's {@code runtime} metadata, or {@code null}
     */
    public static FunctionRuntime select(String extension, String metadataRuntime) throws UnsupportedRuntimeException {
        if (extension != null) {
            return byExtension(extension.toLowerCase(Locale.ROOT)).orElseThrow(() -> new UnsupportedRuntimeException(
                    "extension '." + extension + "' selects no runtime; supported: " + supported()));
        }
        if (metadataRuntime != null && !metadataRuntime.isBlank()) {
            return byName(metadataRuntime).orElseThrow(() -> new UnsupportedRuntimeException(
                    "object metadata runtime='" + metadataRuntime + "' names no runtime; supported: " + supported()));
        }
        return PYTHON;
    }

    private static String supported() {
        StringBuilder sb = new StringBuilder();
        for (FunctionRuntime r : values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(r.id).append(" (.").append(String.join(", .", r.extensions)).append(')');
        }
        return sb.toString();
    }
}
