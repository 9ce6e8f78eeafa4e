package io.knative.lambda.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.events.ErrorResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Turns every failure on a service's HTTP surface into the Knative data-plane answer that
 * {@link ErrorAnswer} decides, with a JSON body {@code {"error", "message"}}. Never a stack trace in the
 * body; it goes to the log.
 */
@ApplicationScoped
public class CloudEventErrorHandler {

    private static final Logger LOG = Logger.getLogger(CloudEventErrorHandler.class);

    @Inject
    ObjectMapper mapper;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::handle);
    }

    void handle(RoutingContext ctx) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        ErrorAnswer answer = ErrorAnswer.of(ctx.failure(), ctx.statusCode(), ctx.request().getHeader("Content-Type"));
        ErrorResponse body = answer.body();
        if (answer.status() == 500) {
            LOG.errorf(ctx.failure(), "unexpected failure on %s %s", ctx.request().method(), ctx.request().path());
        } else if (answer.status() == 503) {
            LOG.warnf("%s %s -> 503: %s", ctx.request().method(), ctx.request().path(), body.message());
        } else {
            LOG.debugf("%s %s -> %d %s: %s", ctx.request().method(), ctx.request().path(), answer.status(), body.error(),
                    body.message());
        }
        if (answer.retryAfter()) {
            ctx.response().putHeader("Retry-After", ErrorAnswer.RETRY_AFTER_SECONDS);
        }
        String json;
        try {
            json = mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            json = "{\"error\":\"InternalError\",\"message\":\"\"}";
        }
        ctx.response().setStatusCode(answer.status()).putHeader("Content-Type", "application/json").end(json);
    }
}
