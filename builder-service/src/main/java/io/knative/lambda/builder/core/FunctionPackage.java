package io.knative.lambda.builder.core;

import java.util.Map;

/**
 * The {@code /function} layer of a function image and how the runtime finds the handler in it.
 *
 * @param files       absolute image path to bytes, all under {@code /function}
 * @param environment variables that tell the runtime what to load ({@code FUNCTION_FILE}, ...)
 */
public record FunctionPackage(Map<String, byte[]> files, Map<String, String> environment) {
}
