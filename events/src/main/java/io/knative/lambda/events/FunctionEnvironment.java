package io.knative.lambda.events;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules of a function's own environment variables ({@code function.yaml}'s {@code environment}, carried by
 * {@code build.completed}): shell-safe names, bounded sizes, and none of the names the platform sets itself
 * ({@code FUNCTION_*}, {@code K_*}, {@code KLAMBDA_*}, {@code PORT}, {@code HOST}). The builder and the deployer
 * both apply them.
 */
public final class FunctionEnvironment {

    /** Most variables a function may set. */
    public static final int MAX_VARIABLES = 64;
    /** Longest value, in characters. */
    public static final int MAX_VALUE_LENGTH = 4096;

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    private FunctionEnvironment() {
    }

    /** What is wrong with the variable, or empty when it may be set. */
    public static Optional<String> problem(String name, String value) {
        if (name == null || !NAME.matcher(name).matches()) {
            return Optional.of("is not a variable name (a letter or '_', then letters, digits, '_'; at most 128)");
        }
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        if (upper.startsWith("FUNCTION_") || upper.startsWith("K_") || upper.startsWith("KLAMBDA_") || upper.equals("PORT")
                || upper.equals("HOST")) {
            return Optional.of("is set by the platform (FUNCTION_*, K_*, KLAMBDA_*, PORT and HOST cannot be overridden)");
        }
        if (value == null) {
            return Optional.of("has no value");
        }
        if (value.length() > MAX_VALUE_LENGTH) {
            return Optional.of("is longer than " + MAX_VALUE_LENGTH + " characters");
        }
        return Optional.empty();
    }

    /** The first problem of a whole environment as {@code NAME: problem}, or empty when every variable may be set. */
    public static Optional<String> problem(Map<String, String> environment) {
        if (environment == null) {
            return Optional.empty();
        }
        if (environment.size() > MAX_VARIABLES) {
            return Optional.of("more than " + MAX_VARIABLES + " variables");
        }
        return environment.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .flatMap(e -> problem(e.getKey(), e.getValue()).map(p -> e.getKey() + " " + p).stream()).findFirst();
    }
}
