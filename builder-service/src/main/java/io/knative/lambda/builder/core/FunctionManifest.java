package io.knative.lambda.builder.core;

import java.util.List;
import java.util.Map;

/**
 * What {@code function.yaml} says, already checked for unknown keys, types and ranges. Every field is optional.
 *
 * @param runtime       {@code python} or {@code java}, or {@code null}
 * @param entryFile     Python: the file holding the handler, relative to the archive's root
 * @param entryFunction Python: the handler's name
 * @param entryClass    Java: the fully-qualified class holding the handler
 * @param entryMethod   Java: the handler method's name
 * @param environment   the function's own environment variables
 * @param settings      the deployment settings, as object metadata carries them ({@code max-scale} to {@code "5"})
 * @param dependencies  Java: Maven coordinates {@code group:artifact:version}
 */
public record FunctionManifest(String runtime, String entryFile, String entryFunction, String entryClass, String entryMethod,
        Map<String, String> environment, Map<String, String> settings, List<String> dependencies) {

    /** The file name the manifest has in an archive's root. */
    public static final String FILE_NAME = "function.yaml";

    public FunctionManifest {
        environment = environment == null ? Map.of() : Map.copyOf(environment);
        settings = settings == null ? Map.of() : Map.copyOf(settings);
        dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
    }

    /** No manifest: every field empty. */
    public static FunctionManifest none() {
        return new FunctionManifest(null, null, null, null, null, Map.of(), Map.of(), List.of());
    }
}
