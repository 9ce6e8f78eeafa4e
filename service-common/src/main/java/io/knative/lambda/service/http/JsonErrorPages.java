package io.knative.lambda.service.http;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.vertx.core.http.HttpClosedException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * JSON {@code {"error", "message"}} instead of Vert.x' and Quarkus' empty or HTML pages for what no route
 * answered: an unknown path (404), a body over a route's limit (413), a request the router refused (400,
 * e.g. no {@code Host}), a failure no other failure handler took (500, logged). A request whose client went away mid-body is only logged
 * (debug): there is nobody to answer, and a client must not be able to fill the log with stack traces.
 */
@ApplicationScoped
public class JsonErrorPages {

    private static final Logger LOG = Logger.getLogger(JsonErrorPages.class);

    /** Before the services' own failure handlers, so that a closed connection never reaches them. */
    void install(@Observes @Priority(1000) Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(JsonErrorPages::early);
        router.route().order(Integer.MIN_VALUE + 1).failureHandler(JsonErrorPages::answer);
        for (int status : new int[] { 404, 405 }) {
            router.errorHandler(status, ctx -> JsonAnswers.error(ctx, status, JsonAnswers.codeFor(status),
                    JsonAnswers.messageFor(status)));
        }
    }

    /**
     * A closed connection is only logged; a request the router refused with a 4xx status (a missing
     * {@code Host}, a body over the limit) is answered with that status, its reason in the message.
     */
    static void early(RoutingContext ctx) {
        if (ctx.response().closed() || ctx.failure() instanceof HttpClosedException) {
            LOG.debugf("%s %s: the client closed the connection (%s)", ctx.request().method(), ctx.request().path(),
                    ctx.failure());
            return;
        }
        int status = ctx.statusCode();
        if (status >= 400 && status < 500 && !ctx.response().ended() && !ctx.response().headWritten()) {
            String why = ctx.failure() == null || ctx.failure().getMessage() == null ? JsonAnswers.messageFor(status)
                    : Sanitized.text(ctx.failure().getMessage(), 200);
            JsonAnswers.error(ctx, status, JsonAnswers.codeFor(status), why);
            return;
        }
        ctx.next();
    }

    static void answer(RoutingContext ctx) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        int status = ctx.failure() == null && ctx.statusCode() >= 400 ? ctx.statusCode() : 500;
        if (status >= 500) {
            LOG.errorf(ctx.failure(), "unexpected failure on %s %s", ctx.request().method(), ctx.request().path());
        }
        JsonAnswers.error(ctx, status, JsonAnswers.codeFor(status), JsonAnswers.messageFor(status));
    }
}
