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
 * Turns every failure on a service's HTTP surface into the Knative data-plane answer with a JSON body
 * {@code {"error", "message"}}: 400 for a malformed CloudEvent or a type the builder does not handle
 * (not retried), 415 for a media type that is no CloudEvent, 503 for a transient failure (retried with
 * backoff), 500 for a bug. Never a stack trace in the body; it goes to the log.
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
        Throwable failure = unwrap(ctx.failure());
        int status;
        ErrorResponse body;
        if (failure instanceof TransientFailureException t) {
            status = 503;
            body = new ErrorResponse(t.code(), t.getMessage());
            ctx.response().putHeader("Retry-After", "5");
        } else if (failure instanceof InvalidEventException) {
            status = 400;
            body = new ErrorResponse("InvalidEvent", failure.getMessage());
        } else if (failure instanceof UnsupportedEventTypeException) {
            status = 400;
            body = new ErrorResponse("UnsupportedEventType", failure.getMessage());
        } else if (failure instanceof JsonProcessingException json) {
            status = 400;
            body = new ErrorResponse("InvalidEvent", "the body is not valid JSON: " + json.getOriginalMessage());
        } else if (failure instanceof NullPointerException && isStructuredCloudEvent(ctx)) {
            // Funqy dereferences 'type' and 'specversion' of a structured event before any code of ours runs.
            status = 400;
            body = new ErrorResponse("InvalidEvent", "the structured CloudEvent lacks required attribute type or specversion");
        } else if (failure == null && ctx.statusCode() == 406) {
            status = 415;
            body = new ErrorResponse("UnsupportedMediaType", "send a CloudEvent: binary mode (ce-* headers, JSON body) or"
                    + " structured mode (Content-Type: application/cloudevents+json)");
        } else if (failure == null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            status = ctx.statusCode();
            body = new ErrorResponse(status == 413 ? "PayloadTooLarge" : status == 404 ? "NotFound" : "BadRequest",
                    status == 413 ? "the request body is too large" : "the request was refused (" + status + ")");
        } else {
            status = 500;
            body = new ErrorResponse("InternalError", "unexpected failure; see the service log");
            LOG.errorf(failure, "unexpected failure on %s %s", ctx.request().method(), ctx.request().path());
        }
        if (status == 503) {
            LOG.warnf("%s %s -> 503: %s", ctx.request().method(), ctx.request().path(), body.message());
        } else if (status != 500) {
            LOG.debugf("%s %s -> %d %s: %s", ctx.request().method(), ctx.request().path(), status, body.error(), body.message());
        }
        String json;
        try {
            json = mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            json = "{\"error\":\"InternalError\",\"message\":\"\"}";
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(json);
    }

    private static boolean isStructuredCloudEvent(RoutingContext ctx) {
        String contentType = ctx.request().getHeader("Content-Type");
        return contentType != null && contentType.startsWith("application/cloudevents+json");
    }

    /** The first failure in the cause chain that this handler knows how to answer, else the failure itself. */
    private static Throwable unwrap(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof TransientFailureException || c instanceof InvalidEventException
                    || c instanceof UnsupportedEventTypeException || c instanceof JsonProcessingException) {
                return c;
            }
        }
        return t;
    }
}
