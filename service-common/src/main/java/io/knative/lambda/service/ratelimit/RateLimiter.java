package io.knative.lambda.service.ratelimit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.knative.lambda.service.auth.Authenticated;
import io.knative.lambda.service.http.JsonAnswers;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * The route handler that applies {@link RateLimitConfig} before any work: one {@link TokenBuckets} per service, the
 * client being the token's subject when the request was authenticated ({@link Authenticated}), else the remote
 * address. Over the limit: 429 {@code TooManyRequests} with {@code Retry-After} and a JSON body.
 */
@ApplicationScoped
public class RateLimiter implements Handler<RoutingContext> {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);

    private final TokenBuckets buckets;
    private final boolean enabled;

    @Inject
    public RateLimiter(RateLimitConfig config) {
        this.enabled = config.enabled();
        this.buckets = new TokenBuckets(config.rate(), config.burst(), config.maxClients(), System::nanoTime);
        if (!enabled) {
            LOG.warn("klambda.rate-limit.enabled=false: no per-client rate limit on this service's routes");
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (!enabled) {
            ctx.next();
            return;
        }
        String client = client(ctx);
        TokenBuckets.Decision decision = buckets.tryAcquire(client);
        if (decision.allowed()) {
            ctx.next();
            return;
        }
        LOG.debugf("%s %s from %s: over the rate limit", ctx.request().method(), ctx.request().path(), client);
        if (!ctx.response().ended() && !ctx.response().closed()) {
            ctx.response().putHeader("Retry-After", Long.toString(decision.retryAfterSeconds()));
        }
        JsonAnswers.error(ctx, 429, "TooManyRequests", "over the rate limit of this service for " + client
                + "; retry after " + decision.retryAfterSeconds() + " s");
    }

    /** The token subject of an authenticated request, else the remote address. */
    static String client(RoutingContext ctx) {
        String subject = Authenticated.subject(ctx);
        if (subject != null) {
            return "sub:" + subject;
        }
        return ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
    }
}
