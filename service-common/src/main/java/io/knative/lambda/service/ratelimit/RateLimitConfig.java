package io.knative.lambda.service.ratelimit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Per-client rate limits of a service's public routes ({@code klambda.rate-limit.*}, also as environment variables:
 * {@code KLAMBDA_RATE_LIMIT_RATE}). Generous by default: they stop a flood, not a busy broker.
 */
@ConfigMapping(prefix = "klambda.rate-limit")
public interface RateLimitConfig {

    /** Limit at all ({@code KLAMBDA_RATE_LIMIT_ENABLED}). */
    @WithDefault("true")
    boolean enabled();

    /** Requests a second a client may keep sending ({@code KLAMBDA_RATE_LIMIT_RATE}). */
    @WithDefault("100")
    double rate();

    /** Requests a client may send at once ({@code KLAMBDA_RATE_LIMIT_BURST}). */
    @WithDefault("1000")
    int burst();

    /** Clients tracked at most; the least recently seen is forgotten first ({@code KLAMBDA_RATE_LIMIT_MAX_CLIENTS}). */
    @WithName("max-clients")
    @WithDefault("10000")
    int maxClients();
}
