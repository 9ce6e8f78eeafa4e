package io.knative.lambda.builder.python;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.knative.lambda.builder.core.DependencyException;
import io.knative.lambda.events.FailureReason;

/**
 * Why pip failed, in the platform's reasons: the index unreachable (retryable {@code DependencyIndexUnavailable}); a
 * project pip found nothing to install for, told apart for certain by reading its page on the index: no such project
 * or no matching version ({@code DependencyResolutionFailed}), source distributions only or no wheel for the platform
 * ({@code DependencyNotInstallable}); conflicting requirements ({@code DependencyResolutionFailed}, pip's message).
 */
final class PipFailures {

    private static final Pattern NOT_FOUND = Pattern.compile("No matching distribution found for ([A-Za-z0-9][A-Za-z0-9._-]*)");
    private static final List<String> NETWORK = List.of("NewConnectionError", "Failed to establish a new connection",
            "ConnectTimeoutError", "ReadTimeoutError", "Read timed out", "Connection refused", "ProxyError",
            "Temporary failure in name resolution", "RemoteDisconnected", "ConnectionResetError",
            "Max retries exceeded", "503 Service Unavailable", "502 Bad Gateway", "500 Internal Server Error");
    private static final int MAX_MESSAGE = 2000;

    private final PythonIndex index;
    private final PythonTarget target;

    PipFailures(PythonIndex index, PythonTarget target) {
        this.index = index;
        this.target = target;
    }

    /** The failure for pip's exit with {@code output} (already masked). */
    DependencyException classify(String output) {
        if (NETWORK.stream().anyMatch(output::contains)) {
            return unavailable("pip could not reach the package index: " + lastErrors(output), null);
        }
        Matcher m = NOT_FOUND.matcher(output);
        if (m.find()) {
            String project = Requirements.normalise(m.group(1));
            Optional<List<String>> files;
            try {
                files = index.files(project);
            } catch (IOException e) {
                return unavailable("the package index could not be read for " + project + ": " + e.getMessage(), e);
            }
            if (files.isEmpty()) {
                return new DependencyException(FailureReason.DEPENDENCY_RESOLUTION_FAILED, project, "no package '" + project
                        + "' on the index " + index.urls() + ": " + lastErrors(output), null);
            }
            List<String> wheels = files.get().stream().filter(f -> f.endsWith(".whl")).toList();
            if (wheels.isEmpty() && !files.get().isEmpty()) {
                return new DependencyException(FailureReason.DEPENDENCY_NOT_INSTALLABLE, project, "'" + project
                        + "' exists only as a source distribution (" + sample(files.get()) + "); the builder installs"
                        + " binary wheels only, so that no package code runs at build time: use a version that"
                        + " publishes wheels, or a different package", null);
            }
            if (wheels.stream().noneMatch(target::fits)) {
                return new DependencyException(FailureReason.DEPENDENCY_NOT_INSTALLABLE, project, "'" + project
                        + "' has no wheel for " + target.describe() + " (wheels on the index: " + sample(wheels) + ")", null);
            }
        }
        return new DependencyException(FailureReason.DEPENDENCY_RESOLUTION_FAILED, m.find(0) ? Requirements.normalise(m.group(1))
                : null, "pip could not resolve the requirements: " + lastErrors(output), null);
    }

    private static DependencyException unavailable(String message, Throwable cause) {
        return new DependencyException(FailureReason.DEPENDENCY_INDEX_UNAVAILABLE, null, message, cause);
    }

    /** pip's ERROR lines (or its last lines), bounded. */
    static String lastErrors(String output) {
        List<String> errors = output.lines().filter(l -> l.startsWith("ERROR:") || l.contains("conflict")
                || l.contains("ResolutionImpossible") || l.startsWith("WARNING: Retrying")).toList();
        String text = String.join("\n", errors.isEmpty() ? output.lines().toList() : errors).strip();
        return text.length() > MAX_MESSAGE ? "..." + text.substring(text.length() - MAX_MESSAGE) : text;
    }

    private static String sample(List<String> names) {
        String shown = String.join(", ", names.subList(0, Math.min(5, names.size())));
        return names.size() > 5 ? shown + ", ..." : shown;
    }
}
