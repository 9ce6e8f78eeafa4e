package io.knative.lambda.service.auth;

import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.knative.lambda.service.http.JsonAnswers;
import io.quarkus.runtime.Startup;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * The route handler that authenticates event senders before any work, when {@link OidcConfig} names an issuer:
 * the bearer JWT is verified ({@link JwtVerifier}) and its subject recorded ({@link Authenticated}); a refusal is
 * answered 401 (with {@code WWW-Authenticate: Bearer}), 403 or 503 with a JSON body. Without an issuer it passes
 * every request on (Knative without sender identity, local mode). Checked at start: a half-configured issuer stops
 * the service with a message naming the key. Runs on a worker thread (fetching the JWKS blocks).
 */
@Singleton
@Startup
public class EventSenderAuth implements Handler<RoutingContext> {

    private static final Logger LOG = Logger.getLogger(EventSenderAuth.class);

    private final Optional<JwtVerifier> verifier;

    @Inject
    public EventSenderAuth(OidcConfig config) {
        Optional<OidcSettings> settings = OidcSettings.of(config);
        this.verifier = settings.map(s -> new JwtVerifier(s, new JwksKeys(s)));
        settings.ifPresentOrElse(s -> LOG.infof("event senders authenticated: issuer %s, audience %s, subjects %s",
                s.issuer(), s.audience(), s.allowedSubjects()),
                () -> LOG.info("event senders not authenticated (klambda.auth.oidc.issuer is not set)"));
    }

    /** Whether requests need a token. */
    public boolean enabled() {
        return verifier.isPresent();
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (verifier.isEmpty()) {
            ctx.next();
            return;
        }
        try {
            Authenticated.set(ctx, verifier.get().verify(ctx.request().getHeader("Authorization")));
            ctx.next();
        } catch (AuthenticationException e) {
            LOG.debugf("%s %s from %s refused %d: %s", ctx.request().method(), ctx.request().path(),
                    ctx.request().remoteAddress(), e.status(), e.getMessage());
            refuse(ctx, e);
        }
    }

    /** Answers {@code e}'s status with its JSON body (and the headers a client needs to react). */
    public static void refuse(RoutingContext ctx, AuthenticationException e) {
        if (!ctx.response().ended() && !ctx.response().closed()) {
            if (e.status() == 401) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer");
            } else if (e.status() == 503) {
                ctx.response().putHeader("Retry-After", "5");
            }
        }
        JsonAnswers.error(ctx, e.status(), e.code(), e.getMessage());
    }
}
