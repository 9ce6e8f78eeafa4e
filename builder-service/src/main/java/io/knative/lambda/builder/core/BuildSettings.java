package io.knative.lambda.builder.core;

import java.time.Duration;
import java.util.Map;

/**
 * The builder's knobs, already validated.
 *
 * @param registry        where function images go, {@code host[:port]/path}
 * @param baseImages      the runtime base image of each runtime id ({@code scratch} allowed)
 * @param maxSourceBytes  largest source accepted
 * @param maxConcurrent   builds running at once
 * @param queueTimeout    how long a build waits for a slot before it is refused as transient
 */
public record BuildSettings(String registry, Map<String, String> baseImages, long maxSourceBytes, int maxConcurrent,
        Duration queueTimeout) {
}
