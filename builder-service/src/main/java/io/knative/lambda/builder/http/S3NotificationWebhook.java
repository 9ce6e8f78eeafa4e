package io.knative.lambda.builder.http;

import java.net.URI;
import java.time.Duration;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.builder.config.BuilderConfig;
import io.knative.lambda.builder.inbound.BuildMetrics;
import io.knative.lambda.events.ErrorResponse;
import io.knative.lambda.events.TraceParent;
import io.knative.lambda.service.EventTracing;
import io.knative.lambda.service.auth.BearerToken;
import io.knative.lambda.service.http.InvalidJsonException;
import io.knative.lambda.service.http.JsonAnswers;
import io.knative.lambda.service.http.SinkClient;
import io.knative.lambda.service.http.StrictJson;
import io.knative.lambda.service.ratelimit.RateLimiter;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * {@code POST /s3/notifications}: the webhook an S3 server (MinIO {@code mc event add}, s3rver, an SQS bridge) calls
 * with raw notification JSON. Each record is answered on its own ({@link NotificationRecord}): one whose key decodes
 * becomes a CloudEvent in the AWS-S3 adapter format, sent in binary mode to {@code K_SINK} (the broker, via a
 * SinkBinding), where a key that names no function is answered {@code build.failed} by the build itself; a created
 * object whose key is not URL-encoded is answered here with {@code build.failed} {@code InvalidFunctionId}. So a bad
 * key never blocks the S3 server's queue: the answer is 200 whatever the keys. It is 502/503 only when the sink is
 * unreachable or failing (the S3 server retries; duplicates are harmless, ids derive from the records), 400 for a body
 * that is not strict JSON ({@code StrictJson}) or no notification, 405 for another method than POST.
 * Each event starts the upload's trace ({@code ce-traceparent}), or continues the one the request's {@code traceparent}
 * header names. Before the body is read: the shared token of {@link WebhookConfig} when one is set (401 otherwise),
 * then the per-client rate limit (429). The OIDC token Knative's SinkBinding mounts, if any, goes with every event to
 * the sink.
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
    BuildMetrics metrics;

    @Inject
    EventTracing tracing;

    @Inject
    WebhookConfig webhook;

    @Inject
    RateLimiter rateLimiter;

    private final SinkClient sink = new SinkClient(Duration.ofSeconds(30));

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
        List<NotificationRecord> records;
        try {
            records = NotificationRecord.all(StrictJson.parse(body));
        } catch (InvalidJsonException e) {
            answer(ctx, 400, new ErrorResponse("InvalidEvent", "not an S3 event notification: the body is not valid JSON: "
                    + e.getMessage()));
            return;
        } catch (NotificationRecord.NotANotificationException e) {
            answer(ctx, 400, new ErrorResponse("InvalidEvent", "not an S3 event notification: " + e.getMessage()));
            return;
        }
        Optional<URI> target = config.sink();
        if (target.isEmpty()) {
            answer(ctx, 503, new ErrorResponse("NoSink", "K_SINK is not set: bind this service to the broker with a"
                    + " SinkBinding (eventing/) or set K_SINK"));
            return;
        }
        List<String> ids = new ArrayList<>();
        List<Answered> answers = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            NotificationRecord record = records.get(i);
            NotificationRecord.Outgoing out = record.outgoing();
            if (out == null) {
                LOG.infof("record %d (%s s3://%s/%s) ignored: %s", i, record.eventName(), record.bucket(), record.rawKey(),
                        record.problem());
                answers.add(new Answered(record.rawKey(), "ignored", null));
                continue;
            }
            Map<String, String> attributes = new LinkedHashMap<>(out.attributes());
            attributes.put(TraceParent.ATTRIBUTE, tracing.start(ctx.request().getHeader(TraceParent.ATTRIBUTE), out.id()).header());
            String refusal = sink.send(target.get(), attributes, out.data().toString(), sinkToken().orElse(null));
            if (refusal != null && refusal.startsWith("HTTP 4")) {
                // the broker will never take this event: retrying the notification cannot help
                LOG.warnf("sink %s refused %s for s3://%s/%s for good: %s", target.get(), out.type(), record.bucket(),
                        record.rawKey(), refusal);
                answers.add(new Answered(record.rawKey(), "refused", out.id()));
                continue;
            }
            if (refusal != null) {
                LOG.warnf("sink %s refused %s for s3://%s/%s: %s", target.get(), out.type(), record.bucket(), record.rawKey(),
                        refusal);
                answer(ctx, 502, new ErrorResponse("SinkRejected", "the sink refused record " + i + " (" + out.type() + " "
                        + record.rawKey() + "): " + refusal + "; retry the notification"));
                return;
            }
            if (out.buildFailed() != null) {
                metrics.recordRefusedKey(out.buildFailed().reason());
                LOG.infof("build.failed key=s3://%s/%s reason=%s: %s", record.bucket(), record.rawKey(),
                        out.buildFailed().reason(), out.buildFailed().message());
                answers.add(new Answered(record.rawKey(), "build.failed", out.id()));
            } else {
                answers.add(new Answered(record.rawKey(), "forwarded", out.id()));
                ids.add(out.id());
            }
        }
        LOG.infof("forwarded %d of %d S3 record(s) to %s", ids.size(), records.size(), target.get());
        ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                .end(toJson(new Summary(ids.size(), ids, answers)));
    }

    /** The 200 answer: how many records were forwarded, their ids, and what became of each record. */
    record Summary(int forwarded, List<String> ids, List<Answered> records) {
    }

    /** What became of one record: forwarded, answered with build.failed, refused by the sink, or ignored. */
    record Answered(String key, String outcome, String id) {
    }

    /** The OIDC token for the sink, when Knative's SinkBinding mounted one (it is refreshed in place). */
    private Optional<String> sinkToken() {
        try {
            return SinkClient.token(webhook.sinkTokenFile());
        } catch (IOException e) {
            LOG.warnf("cannot read the sink token %s: %s", webhook.sinkTokenFile(), e.getMessage());
            return Optional.empty();
        }
    }

    private String toJson(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return "{}";
        }
    }

    private void answer(RoutingContext ctx, int status, ErrorResponse error) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(toJson(error));
    }
}
