package io.knative.lambda.builder.http;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.BuildOutcome;
import io.knative.lambda.builder.core.BuildRequest;
import io.knative.lambda.builder.core.BuildService;
import io.knative.lambda.events.BuildFailed;
import io.knative.lambda.events.BuildRequested;
import io.knative.lambda.events.EventTypes;
import io.knative.lambda.events.FailureReason;
import io.knative.lambda.events.InvalidS3EventException;
import io.knative.lambda.events.S3Notifications;
import io.knative.lambda.events.S3ObjectEvent;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventBuilder;
import io.quarkus.funqy.knative.events.CloudEventMapping;

/**
 * The builder's Knative inbound adapter: every CloudEvent posted to {@code /} (binary or structured)
 * lands here; S3 {@code ObjectCreated:*} and {@code build.requested} become a build, and the reply
 * ({@code build.completed} or {@code build.failed}) goes back in the same mode. Other types are refused
 * with 400 by {@link UnsupportedEventTypeException}; transient failures leave as 503 through
 * {@link CloudEventErrorHandler}.
 */
public class BuilderFunction {

    private static final Logger LOG = Logger.getLogger(BuilderFunction.class);
    static final String HANDLED = EventTypes.S3_OBJECT_CREATED_PREFIX + "* and " + EventTypes.BUILD_REQUESTED;

    @Inject
    BuildService builds;

    @Inject
    BuildMetrics metrics;

    @Inject
    ObjectMapper mapper;

    @Funq("build")
    @CloudEventMapping(trigger = "*")
    public CloudEvent<Object> build(CloudEvent<JsonNode> event) {
        CloudEventChecks.requireAttributes(event.id(), event.source(), event.specVersion(), event.type());
        String type = event.type();
        BuildOutcome outcome;
        if (EventTypes.isS3ObjectCreated(type)) {
            outcome = buildFromS3(event);
        } else if (EventTypes.BUILD_REQUESTED.equals(type)) {
            outcome = buildFromRequest(event);
        } else {
            throw new UnsupportedEventTypeException(type, HANDLED);
        }
        return reply(event, outcome);
    }

    private BuildOutcome buildFromS3(CloudEvent<JsonNode> event) {
        S3ObjectEvent s3;
        try {
            s3 = S3Notifications.parseCloudEvent(event.type(), dataText(event.data()));
        } catch (InvalidS3EventException e) {
            return invalid(event, null, null, e.getMessage());
        }
        return run(new BuildRequest(s3.bucket(), s3.key(), s3.versionId(), event.id()));
    }

    private BuildOutcome buildFromRequest(CloudEvent<JsonNode> event) {
        BuildRequested request;
        try {
            JsonNode data = event.data();
            request = data == null || !data.isObject() ? null : mapper.treeToValue(data, BuildRequested.class);
        } catch (Exception e) {
            request = null;
        }
        if (request == null || blank(request.bucket()) || blank(request.key())) {
            return invalid(event, request == null ? null : request.bucket(), request == null ? null : request.key(),
                    "build.requested data must be a JSON object with 'bucket' and 'key' (and optional 'versionId')");
        }
        return run(new BuildRequest(request.bucket(), request.key(), request.versionId(), event.id()));
    }

    private BuildOutcome run(BuildRequest request) {
        long started = System.nanoTime();
        try {
            BuildOutcome outcome = builds.build(request);
            metrics.record(outcome, System.nanoTime() - started);
            if (outcome instanceof BuildOutcome.Completed completed) {
                LOG.infof("build.completed event=%s key=s3://%s/%s image=%s pushed=%s in %d ms", request.eventId(),
                        request.bucket(), request.key(), completed.event().image(), completed.pushed(),
                        completed.event().durationMs());
            } else if (outcome instanceof BuildOutcome.Failed failed) {
                LOG.infof("build.failed event=%s key=s3://%s/%s reason=%s: %s", request.eventId(), request.bucket(),
                        request.key(), failed.event().reason(), failed.event().message());
            }
            return outcome;
        } catch (BuildException e) {
            metrics.recordTransient(e.reason());
            LOG.warnf("build of s3://%s/%s (event %s) failed transiently, answering 503 for a retry: %s", request.bucket(),
                    request.key(), request.eventId(), e.getMessage());
            throw new TransientFailureException(e);
        }
    }

    private BuildOutcome invalid(CloudEvent<JsonNode> event, String bucket, String key, String message) {
        BuildOutcome outcome = new BuildOutcome.Failed(BuildFailed.of(null, bucket, key, FailureReason.INVALID_EVENT, message));
        metrics.record(outcome, 0);
        LOG.infof("build.failed event=%s type=%s reason=InvalidEvent: %s", event.id(), event.type(), message);
        return outcome;
    }

    /** The reply: a deterministic id per (request, reply type), so a redelivered request gives the same reply id. */
    private static CloudEvent<Object> reply(CloudEvent<JsonNode> request, BuildOutcome outcome) {
        String id = UUID.nameUUIDFromBytes((request.source() + "\n" + request.id() + "\n" + outcome.eventType())
                .getBytes(StandardCharsets.UTF_8)).toString();
        CloudEventBuilder builder = CloudEventBuilder.create()
                .specVersion("1.0")
                .id(id)
                .type(outcome.eventType())
                .source(EventTypes.SOURCE_BUILDER)
                .time(OffsetDateTime.now(ZoneOffset.UTC));
        if (outcome.subject() != null) {
            builder.subject(outcome.subject());
        }
        return builder.build(outcome.data());
    }

    private String dataText(JsonNode data) {
        if (data == null || data.isNull()) {
            return null;
        }
        return data.isTextual() ? data.asText() : data.toString();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
