package io.knative.lambda.builder.core;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import io.knative.lambda.events.FailureReason;
import io.knative.lambda.events.FunctionRuntime;

/**
 * The deployment settings a build passes on in {@code build.completed}, key by key: the S3 object's metadata over
 * {@code function.yaml} (an operator can change a setting at upload time without repacking), over nothing (the
 * deployer's defaults). The handler's name likewise: metadata {@code handler}, else {@code entry.function} (Python) or
 * {@code entry.method} (Java), else {@code handler}.
 */
final class SettingsPrecedence {

    /** The settings keys object metadata and {@code function.yaml} both carry. */
    static final Set<String> KEYS = Set.of("min-scale", "max-scale", "container-concurrency", "timeout-seconds", "cpu",
            "memory", "handler", "execution");
    static final String DEFAULT_HANDLER = "handler";
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private SettingsPrecedence() {
    }

    /** The settings for the deployer, sorted by key. */
    static Map<String, String> settings(FunctionManifest manifest, Map<String, String> metadata, FunctionRuntime runtime) {
        Map<String, String> settings = new TreeMap<>(manifest.settings());
        String entry = runtime == FunctionRuntime.JAVA ? manifest.entryMethod() : manifest.entryFunction();
        if (entry != null) {
            settings.put("handler", entry);
        }
        metadata.forEach((key, value) -> {
            if (KEYS.contains(key)) {
                settings.put(key, value);
            }
        });
        return settings;
    }

    /** The handler's name from merged settings; metadata that is not a name is refused as {@code InvalidEvent}. */
    static String handler(Map<String, String> settings) throws BuildException {
        String handler = settings.getOrDefault("handler", DEFAULT_HANDLER);
        if (!IDENTIFIER.matcher(handler).matches()) {
            throw new BuildException(FailureReason.INVALID_EVENT,
                    "object metadata handler='" + handler + "' is not a function name (letters, digits, '_')");
        }
        return handler;
    }
}
