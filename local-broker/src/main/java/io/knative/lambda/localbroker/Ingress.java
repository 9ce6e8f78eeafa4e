package io.knative.lambda.localbroker;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.events.ErrorResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The broker ingress of local mode, like the Kafka broker's: {@code POST /} (or
 * {@code /<namespace>/<broker>}) takes a CloudEvent in binary or structured mode and answers 202 once
 * it is on the Kafka topic. {@code GET /events} shows recent events ({@code ?type=}prefix,
 * {@code &subject=}, {@code &limit=}, {@code &after=} the sequence number its {@code Klambda-Last-Event} header gave);
 * {@code GET /routes} the functions invoke events reach.
 */
@ApplicationScoped
public class Ingress {

    private static final Logger LOG = Logger.getLogger(Ingress.class);
    private static final int MAX_BODY_BYTES = 1024 * 1024;
    /** The sequence number of the newest event in the log, for {@code GET /events?after=} (following). */
    static final String LAST_EVENT_HEADER = "Klambda-Last-Event";

    @Inject
    Bus bus;

    @Inject
    EventLog log;

    @Inject
    RouteTable routes;

    @Inject
    ObjectMapper mapper;

    void install(@Observes Router router) {
        router.post("/*").order(-100).handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES));
        router.post("/").order(-99).handler(this::accept);
        router.post("/:namespace/:broker").order(-99).handler(this::accept);
        router.get("/events").order(-99).handler(this::events);
        router.get("/routes").order(-99).handler(ctx -> json(ctx, 200, routesView()));
    }

    void accept(RoutingContext ctx) {
        String contentType = ctx.request().getHeader("Content-Type");
        Event event;
        if (contentType != null && contentType.startsWith("application/cloudevents+json")) {
            JsonNode json = readJson(ctx);
            if (json == null || !json.isObject()) {
                json(ctx, 400, new ErrorResponse("InvalidEvent", "the structured CloudEvent is not a JSON object"));
                return;
            }
            try {
                event = Event.fromStructured(json);
            } catch (IllegalArgumentException e) {
                json(ctx, 400, new ErrorResponse("InvalidEvent", "the structured CloudEvent is not valid: " + e.getMessage()));
                return;
            }
        } else if (ctx.request().getHeader("ce-id") != null || ctx.request().getHeader("ce-type") != null) {
            byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
            event = Event.fromHttpBinary(ctx.request().headers(), contentType, body);
        } else {
            json(ctx, 415, new ErrorResponse("UnsupportedMediaType", "send a CloudEvent: binary mode (ce-* headers) or"
                    + " structured mode (Content-Type: application/cloudevents+json)"));
            return;
        }
        List<String> missing = event.missingRequired();
        if (!missing.isEmpty()) {
            json(ctx, 400, new ErrorResponse("InvalidEvent", "the CloudEvent lacks required attribute(s) "
                    + String.join(", ", missing)));
            return;
        }
        if (!"1.0".equals(event.attributes().get("specversion"))) {
            json(ctx, 400, new ErrorResponse("InvalidEvent", "specversion must be 1.0"));
            return;
        }
        bus.publish(event).whenComplete((ok, failure) -> ctx.vertx().runOnContext(v -> {
            if (failure != null) {
                LOG.warnf("event %s (%s) not accepted by Kafka: %s", event.id(), event.type(), failure.getMessage());
                json(ctx, 503, new ErrorResponse("BusUnavailable", "Kafka did not take the event; retry"));
            } else {
                ctx.response().setStatusCode(202).end();
            }
        }));
    }

    void events(RoutingContext ctx) {
        String type = ctx.request().getParam("type");
        String subject = ctx.request().getParam("subject");
        int limit;
        long after;
        try {
            limit = Integer.parseInt(ctx.request().getParam("limit", "100"));
            after = Long.parseLong(ctx.request().getParam("after", "0"));
        } catch (NumberFormatException e) {
            json(ctx, 400, new ErrorResponse("BadRequest", "limit and after must be numbers"));
            return;
        }
        EventLog.Found found = log.find(type, subject, Math.max(1, limit), after);
        ctx.response().putHeader(LAST_EVENT_HEADER, Long.toString(found.last()));
        json(ctx, 200, found.events().stream().map(e -> e.structured(mapper)).toList());
    }

    /** The body as JSON, or {@code null} when it is none. */
    private JsonNode readJson(RoutingContext ctx) {
        try {
            return ctx.body().buffer() == null ? null : mapper.readTree(ctx.body().buffer().getBytes());
        } catch (IOException e) {
            return null;
        }
    }

    private Map<String, String> routesView() {
        return routes.snapshot();
    }

    private void json(RoutingContext ctx, int status, Object body) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(mapper.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            ctx.response().setStatusCode(500).end();
        }
    }
}
