package io.knative.lambda.builder.jib;

import java.time.Duration;

import org.apache.http.client.config.RequestConfig;

/**
 * How long the builder waits on a registry. {@code request} bounds every request on the connection pools: the wait
 * for a pooled connection, the connect and each read (whatever Jib asked for, including its 0 = forever); {@code push}
 * bounds one attempt at a function image's registry work (base image, blobs, manifest), a backstop for what a
 * request's own bounds cannot see (a write to a peer that stopped reading). Past either, the build fails as
 * {@code RegistryUnavailable} and is retried.
 *
 * @param request {@code KLAMBDA_REGISTRY_TIMEOUT}
 * @param push    {@code KLAMBDA_REGISTRY_PUSH_TIMEOUT}
 */
public record RegistryTimeouts(Duration request, Duration push) {

    /** Jib's own request timeout (20 s), and five minutes for one attempt at a push. */
    public static final RegistryTimeouts DEFAULT = new RegistryTimeouts(Duration.ofSeconds(20), Duration.ofMinutes(5));

    public RegistryTimeouts {
        positive("klambda.registry-timeout", request);
        positive("klambda.registry-push-timeout", push);
        if (request.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("klambda.registry-timeout must be at most " + Integer.MAX_VALUE + " ms, was "
                    + request);
        }
    }

    /** {@code given} (Jib's per-request settings) with the pool lease, connect and read bounded by {@link #request}. */
    RequestConfig bound(RequestConfig given) {
        int millis = (int) request.toMillis();
        RequestConfig.Builder builder = given == null ? RequestConfig.custom() : RequestConfig.copy(given);
        return builder.setConnectionRequestTimeout(millis).setConnectTimeout(millis).setSocketTimeout(millis).build();
    }

    /** A duration as it is configured: {@code 20s}, {@code 5m}, {@code 0.5s}. */
    static String text(Duration value) {
        return value.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }

    private static void positive(String key, Duration value) {
        if (value == null || value.toMillis() < 1) {
            throw new IllegalArgumentException(key + " must be at least 1 ms, was " + value);
        }
    }
}
