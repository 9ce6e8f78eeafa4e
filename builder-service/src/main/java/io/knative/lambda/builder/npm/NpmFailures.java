package io.knative.lambda.builder.npm;

import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.knative.lambda.builder.core.DependencyException;
import io.knative.lambda.events.FailureReason;

/**
 * Why npm failed, in the platform's reasons, from the {@code code} npm prints: the registry unreachable or failing
 * (connection errors, timeouts, 5xx, 429) is the retryable {@code DependencyIndexUnavailable}; an unknown package
 * ({@code E404}), no matching version ({@code ETARGET}), a lock out of step with {@code package.json}
 * ({@code EUSAGE}), conflicting peers ({@code ERESOLVE}), a tarball other than the lock names ({@code EINTEGRITY}) or
 * refused credentials are {@code DependencyResolutionFailed}.
 */
final class NpmFailures {

    private static final Pattern CODE = Pattern.compile("(?m)^npm (?:error|ERR!) code (\\S+)");
    private static final Pattern NOT_IN_REGISTRY = Pattern.compile("'(\\S+?)@?[^@'\\s]*' is not in this registry");
    private static final Pattern NOT_FOUND_URL = Pattern.compile("404 Not Found - GET \\S+/((?:@[^/\\s]+/)?[^/\\s]+)\\s");
    private static final Pattern NO_VERSION = Pattern.compile("No matching version found for (\\S+?)\\.?\\s*$", Pattern.MULTILINE);
    private static final Set<String> UNAVAILABLE = Set.of("ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ESOCKETTIMEDOUT",
            "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ERR_SOCKET_TIMEOUT", "E429", "E500", "E502",
            "E503", "E504");
    private static final int MAX_MESSAGE = 2000;

    private NpmFailures() {
    }

    /** The failure for npm's exit with {@code output} (already masked). */
    static DependencyException classify(String output, String registry) {
        Matcher m = CODE.matcher(output);
        String code = m.find() ? m.group(1) : "";
        String errors = lastErrors(output);
        if (UNAVAILABLE.contains(code) || output.contains("FetchError") && code.isEmpty()) {
            return new DependencyException(FailureReason.DEPENDENCY_INDEX_UNAVAILABLE, null, "npm could not reach the"
                    + " registry " + registry + " (" + code + "): " + errors, null);
        }
        return switch (code) {
            case "E404" -> {
                String name = first(output, NOT_IN_REGISTRY, NOT_FOUND_URL);
                yield resolution(name, "no package '" + name + "' on the registry " + registry + ": " + errors);
            }
            case "ETARGET" -> {
                String wanted = first(output, NO_VERSION);
                yield resolution(wanted, "no version of " + wanted + " on the registry " + registry + ": " + errors);
            }
            case "EUSAGE" -> resolution(null, "package.json and package-lock.json are not in sync (run npm install and"
                    + " upload the new lock): " + errors);
            case "EINTEGRITY" -> resolution(null, "a package's tarball is not what package-lock.json's integrity names: "
                    + errors);
            case "E401", "E403", "ENEEDAUTH" -> resolution(null, "the registry " + registry + " refused the credentials"
                    + " (klambda.npm.token): " + errors);
            default -> resolution(null, "npm could not install the dependencies (" + (code.isEmpty() ? "no code" : code)
                    + "): " + errors);
        };
    }

    private static DependencyException resolution(String dependency, String message) {
        return new DependencyException(FailureReason.DEPENDENCY_RESOLUTION_FAILED, dependency, message, null);
    }

    private static String first(String output, Pattern... patterns) {
        for (Pattern p : patterns) {
            Matcher m = p.matcher(output);
            if (m.find()) {
                return m.group(1);
            }
        }
        return "(unknown)";
    }

    /** npm's error lines (without the pointer to its log file), bounded. */
    static String lastErrors(String output) {
        List<String> errors = output.lines().filter(l -> l.startsWith("npm error") || l.startsWith("npm ERR!"))
                .map(l -> l.replaceFirst("^npm (error|ERR!) ?", "").strip())
                .filter(l -> !l.isEmpty() && !l.startsWith("A complete log of this run") && !l.contains("/_logs/")).toList();
        String text = String.join("; ", errors.isEmpty() ? output.lines().toList() : errors).strip();
        return text.length() > MAX_MESSAGE ? "..." + text.substring(text.length() - MAX_MESSAGE) : text;
    }
}
