package io.knative.lambda.localbroker;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.common.errors.RecordTooLargeException;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.service.InvalidEventException;
import io.knative.lambda.service.http.CloudEventHttp;
import io.knative.lambda.service.http.HttpCloudEvent;
import io.knative.lambda.service.http.JsonAnswers;
import io.knative.lambda.service.http.UnsupportedMediaTypeException;
import io.knative.lambda.service.ratelimit.RateLimiter;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The broker ingress of local mode, like the Kafka broker's: {@code POST /} (or
 * {@code /<namespace>/<broker>}) takes a CloudEvent in binary or structured mode and answers 202 once
 * it is on the Kafka topic. What is refused is refused here, never after the 202: the event is read
 * strictly ({@code CloudEventHttp}: 400 for a malformed event or JSON data that does not parse, 415 for no
 * CloudEvent), 413 for one the bus cannot hold. {@code GET /events} shows recent events ({@code ?type=}prefix,
 * {@code &subject=}, {@code &limit=}, {@code &after=} the sequence number its {@code Klambda-Last-Event} header gave);
 * {@code GET /routes} the functions invoke events reach. Other methods: 405.
 * Every POST is rate limited per client address first ({@code klambda.rate-limit.*}: 429 with {@code Retry-After}).
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

    @Inject
    RateLimiter rateLimiter;

    void install(@Observes Router router) {
        router.post("/*").order(-101).handler(rateLimiter);
        router.post("/*").order(-100).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        router.post("/").order(-99).handler(this::accept);
        router.post("/:namespace/:broker").order(-99).handler(this::accept);
        router.get("/events").order(-99).handler(this::events);
        router.get("/routes").order(-99).handler(ctx -> json(ctx, 200, routesView()));
        router.route("/").order(-98).handler(ctx -> JsonAnswers.methodNotAllowed(ctx, "POST"));
        router.route("/events").order(-98).handler(ctx -> JsonAnswers.methodNotAllowed(ctx, "GET"));
        router.route("/routes").order(-98).handler(ctx -> JsonAnswers.methodNotAllowed(ctx, "GET"));
    }

    void accept(RoutingContext ctx) {
        HttpCloudEvent ce;
        try {
            byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
            ce = CloudEventHttp.parse(ctx.request().headers(), body);
        } catch (InvalidEventException e) {
            JsonAnswers.error(ctx, 400, "InvalidEvent", e.getMessage());
            return;
        } catch (UnsupportedMediaTypeException e) {
            JsonAnswers.error(ctx, 415, "UnsupportedMediaType", e.getMessage());
            return;
        }
        Event event = new Event(ce.attributes(), ce.contentType(), ce.data());
        if (recordBytes(event) > Dispatcher.MAX_EVENT_BYTES) {
            JsonAnswers.error(ctx, 413, "PayloadTooLarge", "the event is larger than the bus takes (Kafka's record size"
                    + " limit): at most " + Dispatcher.MAX_EVENT_BYTES + " bytes of data and attributes");
            return;
        }
        bus.publish(event).whenComplete((ok, failure) -> ctx.vertx().runOnContext(v -> {
            if (ctx.response().closed()) {
                LOG.debugf("event %s: the client went away before the bus answered", event.id());
            } else if (failure == null) {
                ctx.response().setStatusCode(202).end();
            } else if (tooLarge(failure)) {
                JsonAnswers.error(ctx, 413, "PayloadTooLarge", "the event is larger than the bus takes (Kafka's record"
                        + " size limit): " + failure.getMessage());
            } else {
                LOG.warnf("event %s (%s) not accepted by Kafka: %s", event.id(), event.type(), failure.getMessage());
                JsonAnswers.error(ctx, 503, "BusUnavailable", "Kafka did not take the event; retry");
            }
        }));
    }

    /** About what the event takes in a Kafka record: its data and its attribute headers. */
    private static long recordBytes(Event event) {
        long bytes = event.data().length + (event.contentType() == null ? 0 : event.contentType().length());
        for (Map.Entry<String, String> a : event.attributes().entrySet()) {
            bytes += a.getKey().length() + 3 + a.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        return bytes;
    }

    private static boolean tooLarge(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RecordTooLargeException) {
                return true;
            }
        }
        return false;
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
            JsonAnswers.error(ctx, 400, "BadRequest", "limit and after must be numbers");
            return;
        }
        EventLog.Found found = log.find(type, subject, Math.max(1, limit), after);
        ctx.response().putHeader(LAST_EVENT_HEADER, Long.toString(found.last()));
        json(ctx, 200, found.events().stream().map(e -> e.structured(mapper)).toList());
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
