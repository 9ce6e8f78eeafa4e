package io.knative.lambda.service;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.knative.lambda.events.TraceParent;
import io.knative.lambda.service.auth.EventSenderAuth;
import io.knative.lambda.service.http.CloudEventHttp;
import io.knative.lambda.service.http.HeaderValues;
import io.knative.lambda.service.http.HttpCloudEvent;
import io.knative.lambda.service.http.JsonAnswers;
import io.knative.lambda.service.http.UnsupportedMediaTypeException;
import io.knative.lambda.service.ratelimit.RateLimiter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * A service's Knative inbound adapter: {@code POST /} takes one CloudEvent (binary or structured mode, read
 * by {@link CloudEventHttp}), hands it to the service's {@link EventHandler} on a worker thread and sends the
 * reply back in the request's mode (200 with the event, or 204 when there is none). Every other method on
 * {@code /} is 405; a request that is no CloudEvent or whose data is not JSON is 415; a malformed CloudEvent
 * 400. Handler failures go to {@link CloudEventErrorHandler} (400 / 503 / 500). The reply continues the request's
 * trace ({@link EventTracing}, the {@code traceparent} extension). Before the body is read, the sender is
 * authenticated ({@link EventSenderAuth}: 401/403 when an issuer is configured) and rate limited ({@link RateLimiter}: 429).
 */
@ApplicationScoped
public class CloudEventRoute {

    /** The largest request body, as {@code quarkus.http.limits.max-body-size} (413 above). */
    public static final long MAX_BODY_BYTES = 1024 * 1024;
    private static final String STRUCTURED = "application/cloudevents+json";

    @Inject
    EventHandler handler;

    @Inject
    ObjectMapper mapper;

    @Inject
    EventTracing tracing;

    @Inject
    EventSenderAuth auth;

    @Inject
    RateLimiter rateLimiter;

    void install(@Observes Router router) {
        if (auth.enabled()) {
            router.post("/").order(-202).blockingHandler(auth, false);
        }
        router.post("/").order(-201).handler(rateLimiter);
        router.post("/").order(-200).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        router.post("/").order(-199).blockingHandler(this::handle, false);
        router.route("/").order(-198).handler(ctx -> JsonAnswers.methodNotAllowed(ctx, "POST"));
    }

    void handle(RoutingContext ctx) {
        HttpCloudEvent event;
        try {
            Buffer body = ctx.body().buffer();
            event = CloudEventHttp.parse(ctx.request().headers(), body == null ? new byte[0] : body.getBytes());
            if (!event.jsonOrEmpty()) {
                throw new UnsupportedMediaTypeException("this service takes JSON event data, not " + event.contentType());
            }
        } catch (UnsupportedMediaTypeException e) {
            JsonAnswers.error(ctx, 415, "UnsupportedMediaType", e.getMessage());
            return;
        }
        InboundEvent inbound = new InboundEvent(event.attribute("id"), event.attribute("source"),
                event.attribute("specversion"), event.attribute("type"), event.attribute("subject"), event.json(),
                event.attribute(TraceParent.ATTRIBUTE));
        ReplyEvent reply = tracing.handle(inbound, handler);
        if (reply == null) {
            ctx.response().setStatusCode(204).end();
        } else if (event.structured()) {
            structured(ctx.response(), reply);
        } else {
            binary(ctx.response(), reply);
        }
    }

    private void binary(HttpServerResponse response, ReplyEvent reply) {
        response.putHeader("ce-specversion", "1.0").putHeader("ce-id", HeaderValues.encode(reply.id()))
                .putHeader("ce-source", HeaderValues.encode(reply.source()))
                .putHeader("ce-type", HeaderValues.encode(reply.type())).putHeader("ce-time", now());
        if (reply.subject() != null) {
            response.putHeader("ce-subject", HeaderValues.encode(reply.subject()));
        }
        if (reply.traceparent() != null) {
            response.putHeader("ce-" + TraceParent.ATTRIBUTE, reply.traceparent());
        }
        response.setStatusCode(200).putHeader("Content-Type", "application/json").end(Buffer.buffer(json(reply.data())));
    }

    private void structured(HttpServerResponse response, ReplyEvent reply) {
        ObjectNode event = mapper.createObjectNode().put("specversion", "1.0").put("id", reply.id())
                .put("source", reply.source()).put("type", reply.type());
        if (reply.subject() != null) {
            event.put("subject", reply.subject());
        }
        if (reply.traceparent() != null) {
            event.put(TraceParent.ATTRIBUTE, reply.traceparent());
        }
        event.put("time", now()).put("datacontenttype", "application/json");
        event.set("data", mapper.valueToTree(reply.data()));
        response.setStatusCode(200).putHeader("Content-Type", STRUCTURED).end(Buffer.buffer(json(event)));
    }

    private byte[] json(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the reply cannot be written as JSON", e);
        }
    }

    private static String now() {
        return OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }
}
