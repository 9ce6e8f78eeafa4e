package io.knative.lambda.builder.inbound;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.BuildOutcome;
import io.knative.lambda.builder.core.BuildRequest;
import io.knative.lambda.builder.core.BuildService;
import io.knative.lambda.builder.trust.BuildSigner;
import io.knative.lambda.events.BuildFailed;
import io.knative.lambda.events.BuildRequested;
import io.knative.lambda.events.EventTypes;
import io.knative.lambda.events.FailureReason;
import io.knative.lambda.events.InvalidS3EventException;
import io.knative.lambda.events.S3Notifications;
import io.knative.lambda.events.S3ObjectEvent;
import io.knative.lambda.service.CloudEventChecks;
import io.knative.lambda.service.EventHandler;
import io.knative.lambda.service.InboundEvent;
import io.knative.lambda.service.ReplyEvent;
import io.knative.lambda.service.TransientFailureException;
import io.knative.lambda.service.UnsupportedEventTypeException;

/**
 * What the builder does with one CloudEvent, whatever carried it (Knative HTTP delivery or Kafka):
 * S3 {@code ObjectCreated:*} and {@code build.requested} become a build; the reply is
 * {@code build.completed} or {@code build.failed} with an id derived from the request, so that a
 * redelivered event gets the same reply id. Other types throw {@link UnsupportedEventTypeException};
 * transient failures throw {@link TransientFailureException} (503 over HTTP, retried on Kafka). The data of
 * {@code build.completed} is signed ({@link BuildSigner}).
 */
@ApplicationScoped
public class BuildEventHandler implements EventHandler {

    private static final Logger LOG = Logger.getLogger(BuildEventHandler.class);
    /** The types this service handles, for messages. */
    public static final String HANDLED = EventTypes.S3_OBJECT_CREATED_PREFIX + "* and " + EventTypes.BUILD_REQUESTED;

    @Inject
    BuildService builds;

    @Inject
    BuildMetrics metrics;

    @Inject
    ObjectMapper mapper;

    @Inject
    BuildSigner signer;

    @Override
    public boolean handles(String type) {
        return EventTypes.isS3ObjectCreated(type) || EventTypes.BUILD_REQUESTED.equals(type);
    }

    /** Builds what the event asks for and says the outcome. */
    @Override
    public ReplyEvent handle(InboundEvent event) {
        CloudEventChecks.requireAttributes(event);
        BuildOutcome outcome;
        if (EventTypes.isS3ObjectCreated(event.type())) {
            outcome = buildFromS3(event);
        } else if (EventTypes.BUILD_REQUESTED.equals(event.type())) {
            outcome = buildFromRequest(event);
        } else {
            throw new UnsupportedEventTypeException(event.type(), HANDLED);
        }
        Object data = outcome instanceof BuildOutcome.Completed ? signer.sign(outcome.data()) : outcome.data();
        return new ReplyEvent(ReplyEvent.idFor(event, outcome.eventType()), outcome.eventType(), EventTypes.SOURCE_BUILDER,
                outcome.subject() != null ? outcome.subject() : event.subject(), data);
    }

    /** {@code build.failed} {@code InvalidEvent}, once, for an event of the builder's types that cannot be processed. */
    @Override
    public ReplyEvent refused(InboundEvent event, String why) {
        if (!handles(event.type())) {
            return null;
        }
        BuildOutcome outcome = invalid(event, null, null, why);
        return new ReplyEvent(ReplyEvent.idFor(event, outcome.eventType()), outcome.eventType(), EventTypes.SOURCE_BUILDER,
                event.subject(), outcome.data());
    }

    private BuildOutcome buildFromS3(InboundEvent event) {
        S3ObjectEvent s3;
        try {
            s3 = S3Notifications.parseCloudEvent(event.type(), dataText(event.data()));
        } catch (InvalidS3EventException e) {
            return invalid(event, null, null, e.getMessage());
        }
        return run(new BuildRequest(s3.bucket(), s3.key(), s3.versionId(), event.id()));
    }

    private BuildOutcome buildFromRequest(InboundEvent event) {
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
            LOG.warnf("build of s3://%s/%s (event %s) failed transiently, to be retried: %s", request.bucket(),
                    request.key(), request.eventId(), e.getMessage());
            throw new TransientFailureException(e.reason().code(), e.getMessage(), e);
        }
    }

    private BuildOutcome invalid(InboundEvent event, String bucket, String key, String message) {
        BuildOutcome outcome = new BuildOutcome.Failed(BuildFailed.of(null, bucket, key, FailureReason.INVALID_EVENT, message));
        metrics.record(outcome, 0);
        LOG.infof("build.failed event=%s type=%s reason=InvalidEvent: %s", event.id(), event.type(), message);
        return outcome;
    }

    private static String dataText(JsonNode data) {
        if (data == null || data.isNull()) {
            return null;
        }
        return data.isTextual() ? data.asText() : data.toString();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
