package io.knative.lambda.builder.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.builder.config.BuilderConfig;
import io.knative.lambda.events.ErrorResponse;
import io.knative.lambda.events.InvalidS3EventException;
import io.knative.lambda.events.S3Notifications;
import io.knative.lambda.events.S3ObjectEvent;
import io.knative.lambda.events.TraceParent;
import io.knative.lambda.service.EventTracing;
import io.knative.lambda.service.auth.BearerToken;
import io.knative.lambda.service.http.HeaderValues;
import io.knative.lambda.service.http.InvalidJsonException;
import io.knative.lambda.service.http.JsonAnswers;
import io.knative.lambda.service.http.StrictJson;
import io.knative.lambda.service.ratelimit.RateLimiter;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * {@code POST /s3/notifications}: the webhook an S3 server (MinIO {@code mc event add}, s3rver, an
 * SQS bridge) calls with raw notification JSON. Each record becomes a CloudEvent in the AWS-S3 adapter
 * format, sent in binary mode to {@code K_SINK} (the broker, via a SinkBinding). Answers 200 only when
 * the sink accepted every record, 502/503 otherwise so that the S3 server retries; duplicates are
 * harmless because the CloudEvent id is derived from the S3 record. A body that is not strict JSON
 * ({@code StrictJson}) or no notification is 400; other methods than POST 405. Attribute headers are
 * percent-encoded as the CloudEvents HTTP binding asks (a key with {@code %} or non-ASCII characters).
 * Each event starts the upload's trace ({@code ce-traceparent}), or continues the one the request's
 * {@code traceparent} header names. Before the body is read: the shared token of {@link WebhookConfig} when one is set (401 otherwise), then the per-client rate
 * limit (429). The OIDC token Knative's SinkBinding mounts, if any, goes with every event to the sink.
 */
@ApplicationScoped
public class S3NotificationWebhook {

    /** The webhook's path. */
    public static final String PATH = "/s3/notifications";
    private static final Logger LOG = Logger.getLogger(S3NotificationWebhook.class);
    private static final int MAX_BODY_BYTES = 1024 * 1024;

    @Inject
    BuilderConfig config;

    @Inject
    ObjectMapper mapper;

    @Inject
    EventTracing tracing;

    @Inject
    WebhookConfig webhook;

    @Inject
    RateLimiter rateLimiter;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    void install(@Observes Router router) {
        if (webhook.token().filter(t -> !t.isBlank()).isEmpty()) {
            LOG.warn("klambda.webhook.token is not set: anyone who reaches " + PATH + " can start builds");
        }
        router.post(PATH).order(-102).handler(this::authenticate);
        router.post(PATH).order(-101).handler(rateLimiter);
        router.post(PATH).order(-100).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        router.post(PATH).order(-99).blockingHandler(this::handle, false);
        router.route(PATH).order(-98).handler(ctx -> JsonAnswers.methodNotAllowed(ctx, "POST"));
    }

    /** The shared token, compared in constant time; never logged. */
    void authenticate(RoutingContext ctx) {
        String token = webhook.token().filter(t -> !t.isBlank()).orElse(null);
        if (token == null || BearerToken.matches(ctx.request().getHeader("Authorization"), token)) {
            ctx.next();
            return;
        }
        LOG.debugf("%s from %s refused: no or a wrong webhook token", PATH, ctx.request().remoteAddress());
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        answer(ctx, 401, new ErrorResponse("Unauthorized", "send the webhook token as Authorization: Bearer <token>"
                + " (MinIO: auth_token of the webhook target)"));
    }

    void handle(RoutingContext ctx) {
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        List<S3ObjectEvent> events;
        List<JsonNode> records = new ArrayList<>();
        try {
            JsonNode notification = StrictJson.parse(body);
            events = S3Notifications.parseNotification(notification.toString());
            notification.path("Records").forEach(records::add);
        } catch (InvalidJsonException e) {
            answer(ctx, 400, new ErrorResponse("InvalidEvent", "not an S3 event notification: the body is not valid JSON: "
                    + e.getMessage()));
            return;
        } catch (InvalidS3EventException e) {
            answer(ctx, 400, new ErrorResponse("InvalidEvent", "not an S3 event notification: " + e.getMessage()));
            return;
        }
        Optional<URI> sink = config.sink();
        if (sink.isEmpty()) {
            answer(ctx, 503, new ErrorResponse("NoSink", "K_SINK is not set: bind this service to the broker with a"
                    + " SinkBinding (eventing/) or set K_SINK"));
            return;
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            S3ObjectEvent event = events.get(i);
            String refusal = send(sink.get(), event, records.get(i),
                    tracing.start(ctx.request().getHeader(TraceParent.ATTRIBUTE), event.cloudEventId()));
            if (refusal != null) {
                LOG.warnf("sink %s refused %s for s3://%s/%s: %s", sink.get(), event.cloudEventType(), event.bucket(),
                        event.key(), refusal);
                answer(ctx, 502, new ErrorResponse("SinkRejected", "the sink refused record " + i + " ("
                        + event.cloudEventType() + " " + event.key() + "): " + refusal + "; retry the notification"));
                return;
            }
            ids.add(event.cloudEventId());
        }
        LOG.infof("forwarded %d S3 record(s) to %s", ids.size(), sink.get());
        ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                .end("{\"forwarded\":" + ids.size() + ",\"ids\":" + toJson(ids) + "}");
    }

    /** Sends one record in binary mode; {@code null} when the sink accepted it, else why not. */
    private String send(URI sink, S3ObjectEvent event, JsonNode record, TraceParent trace) {
        HttpRequest.Builder request = HttpRequest.newBuilder(sink)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("ce-specversion", "1.0")
                .header("ce-id", HeaderValues.encode(event.cloudEventId()))
                .header("ce-source", HeaderValues.encode(event.cloudEventSource()))
                .header("ce-type", HeaderValues.encode(event.cloudEventType()))
                .header("ce-subject", HeaderValues.encode(event.key()))
                .header("ce-" + TraceParent.ATTRIBUTE, trace.header())
                .POST(HttpRequest.BodyPublishers.ofString(record.toString()));
        if (event.eventTime() != null) {
            request.header("ce-time", event.eventTime().toString());
        }
        sinkToken().ifPresent(token -> request.header("Authorization", "Bearer " + token));
        try {
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() / 100 == 2 ? null : "HTTP " + response.statusCode();
        } catch (IOException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The OIDC token for the sink, when Knative's SinkBinding mounted one (it is refreshed in place). */
    private Optional<String> sinkToken() {
        try {
            String token = java.nio.file.Files.readString(webhook.sinkTokenFile()).trim();
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.warnf("cannot read the sink token %s: %s", webhook.sinkTokenFile(), e.getMessage());
            return Optional.empty();
        }
    }

    private String toJson(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return "[]";
        }
    }

    private void answer(RoutingContext ctx, int status, ErrorResponse error) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(toJson(error));
    }
}
