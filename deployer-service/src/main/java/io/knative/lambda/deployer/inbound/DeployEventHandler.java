package io.knative.lambda.deployer.inbound;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.deployer.core.BucketUnavailableException;
import io.knative.lambda.deployer.core.BuildVerifier;
import io.knative.lambda.deployer.core.ClusterUnavailableException;
import io.knative.lambda.deployer.core.DeployOutcome;
import io.knative.lambda.deployer.core.Deployer;
import io.knative.lambda.deployer.core.Removals;
import io.knative.lambda.events.BuildCompleted;
import io.knative.lambda.events.DeployFailed;
import io.knative.lambda.events.EventTypes;
import io.knative.lambda.events.FailureReason;
import io.knative.lambda.events.FunctionKey;
import io.knative.lambda.events.InvalidFunctionKeyException;
import io.knative.lambda.events.InvalidS3EventException;
import io.knative.lambda.events.RollbackRequested;
import io.knative.lambda.events.S3Notifications;
import io.knative.lambda.events.S3ObjectEvent;
import io.knative.lambda.service.CloudEventChecks;
import io.knative.lambda.service.EventHandler;
import io.knative.lambda.service.InboundEvent;
import io.knative.lambda.service.InvalidEventException;
import io.knative.lambda.service.ReplyEvent;
import io.knative.lambda.service.TransientFailureException;
import io.knative.lambda.service.UnsupportedEventTypeException;

/**
 * What the deployer does with one CloudEvent, whatever carried it (Knative HTTP delivery or Kafka):
 * {@code build.completed} rolls out, {@code rollback.requested} pins traffic, S3 {@code ObjectRemoved:*}
 * removes; the reply is {@code deploy.completed}, {@code deploy.failed} or {@code function.deleted}
 * with an id derived from the request, or none when a duplicate finds the outcome already reported.
 * A removal is acted on only when the bucket confirms the object is gone ({@link Removals}).
 * Other types throw {@link UnsupportedEventTypeException}; API and bucket failures {@link TransientFailureException}. A
 * {@code build.completed} that {@link BuildVerifier} does not trust is {@code deploy.failed Unverified}, nothing written.
 */
@ApplicationScoped
public class DeployEventHandler implements EventHandler {

    private static final Logger LOG = Logger.getLogger(DeployEventHandler.class);
    /** The types this service handles, for messages. */
    public static final String HANDLED = EventTypes.BUILD_COMPLETED + ", " + EventTypes.ROLLBACK_REQUESTED + " and "
            + EventTypes.S3_OBJECT_REMOVED_PREFIX + "*";

    @Inject
    Deployer deployer;

    @Inject
    Removals removals;

    @Inject
    DeployMetrics metrics;

    @Inject
    BuildVerifier verifier;

    @Inject
    ObjectMapper mapper;

    @Override
    public boolean handles(String type) {
        return EventTypes.BUILD_COMPLETED.equals(type) || EventTypes.ROLLBACK_REQUESTED.equals(type)
                || EventTypes.isS3ObjectRemoved(type);
    }

    /** Acts on the event; the reply, or {@code null} when there is nothing to say. */
    @Override
    public ReplyEvent handle(InboundEvent event) {
        CloudEventChecks.requireAttributes(event);
        String type = event.type();
        long started = System.nanoTime();
        DeployOutcome outcome;
        try {
            if (EventTypes.BUILD_COMPLETED.equals(type)) {
                outcome = buildCompleted(event);
            } else if (EventTypes.ROLLBACK_REQUESTED.equals(type)) {
                outcome = rollbackRequested(event);
            } else if (EventTypes.isS3ObjectRemoved(type)) {
                outcome = objectRemoved(event);
            } else {
                throw new UnsupportedEventTypeException(type, HANDLED);
            }
        } catch (ClusterUnavailableException e) {
            metrics.recordTransient();
            LOG.warnf("event %s (%s, subject %s): Kubernetes API failure, answering 503 for a retry: %s", event.id(), type,
                    event.subject(), e.getMessage());
            throw new TransientFailureException("ClusterUnavailable", e.getMessage(), e);
        } catch (BucketUnavailableException e) {
            metrics.recordTransient();
            LOG.warnf("event %s (%s, subject %s): the bucket cannot confirm, answering 503 for a retry: %s", event.id(), type,
                    event.subject(), e.getMessage());
            throw new TransientFailureException("BucketUnavailable", e.getMessage(), e);
        }
        metrics.record(outcome, System.nanoTime() - started);
        log(event, outcome);
        return reply(event, outcome);
    }

    /** {@code deploy.failed} {@code InvalidEvent}, once, for an event of the deployer's types that cannot be processed. */
    @Override
    public ReplyEvent refused(InboundEvent event, String why) {
        if (!handles(event.type())) {
            return null;
        }
        DeployOutcome outcome = invalid(event.subject(), why);
        metrics.record(outcome, 0);
        log(event, outcome);
        return reply(event, outcome);
    }

    private DeployOutcome buildCompleted(InboundEvent event) {
        BuildCompleted build = read(event.data(), BuildCompleted.class);
        if (build == null) {
            return invalid(event.subject(), "build.completed data must be a JSON object as in the event catalogue");
        }
        if (event.subject() != null && build.functionId() != null && !event.subject().equals(build.functionId())) {
            return invalid(build.functionId(), "subject '" + event.subject() + "' is not the data's functionId '"
                    + build.functionId() + "'");
        }
        java.util.Optional<String> untrusted = verifier.refusal(event.data(), build);
        if (untrusted.isPresent()) {
            return new DeployOutcome.Failed(new DeployFailed(build.functionId(), FailureReason.UNVERIFIED.code(),
                    untrusted.get(), FailureReason.UNVERIFIED.retryable()));
        }
        return deployer.deploy(build, event.id());
    }

    private DeployOutcome rollbackRequested(InboundEvent event) {
        RollbackRequested request = read(event.data(), RollbackRequested.class);
        return deployer.rollback(event.subject(), request, event.id());
    }

    private DeployOutcome objectRemoved(InboundEvent event) {
        S3ObjectEvent s3;
        try {
            JsonNode data = event.data();
            s3 = S3Notifications.parseCloudEvent(event.type(),
                    data == null || data.isNull() ? null : data.isTextual() ? data.asText() : data.toString());
        } catch (InvalidS3EventException e) {
            throw new InvalidEventException(e.getMessage());
        }
        FunctionKey key;
        try {
            key = FunctionKey.parse(s3.key());
        } catch (InvalidFunctionKeyException e) {
            return new DeployOutcome.Ignored(null, "s3://" + s3.bucket() + "/" + s3.key() + " is not a function: "
                    + e.getMessage());
        }
        return removals.removeIfGone(s3.bucket(), key);
    }

    private <T> T read(JsonNode data, Class<T> type) {
        if (data == null || !data.isObject()) {
            return null;
        }
        try {
            return mapper.treeToValue(data, type);
        } catch (Exception e) {
            return null;
        }
    }

    private static DeployOutcome invalid(String functionId, String message) {
        return new DeployOutcome.Failed(new DeployFailed(functionId, FailureReason.INVALID_EVENT.code(), message, FailureReason.INVALID_EVENT.retryable()));
    }

    private static void log(InboundEvent event, DeployOutcome outcome) {
        if (outcome instanceof DeployOutcome.Failed f) {
            LOG.infof("deploy.failed event=%s type=%s function=%s reason=%s: %s", event.id(), event.type(),
                    f.functionId(), f.event().reason(), f.event().message());
        } else if (outcome instanceof DeployOutcome.Completed c) {
            LOG.infof("deploy.completed event=%s function=%s service=%s revision=%s url=%s in %d ms", event.id(),
                    c.functionId(), c.event().service(), c.event().revision(), c.event().url(), c.event().durationMs());
        } else if (outcome instanceof DeployOutcome.Deleted d) {
            LOG.infof("function.deleted event=%s function=%s service=%s", event.id(), d.functionId(), d.event().service());
        } else if (outcome instanceof DeployOutcome.AlreadyReported r) {
            LOG.infof("event=%s type=%s function=%s: outcome of %s generation %d already reported (%s); no event",
                    event.id(), event.type(), r.functionId(), r.service(), r.generation(), r.outcome());
        } else if (outcome instanceof DeployOutcome.Refused r) {
            LOG.warnf("event=%s type=%s source=%s function=%s: removal refused, %s; no event", event.id(), event.type(),
                    event.source(), r.functionId(), r.why());
        } else if (outcome instanceof DeployOutcome.Ignored i) {
            LOG.infof("event=%s type=%s ignored: %s", event.id(), event.type(), i.why());
        }
    }

    /** The reply; a deterministic id per (request, reply type); {@code null} (no event) when there is nothing to say. */
    private static ReplyEvent reply(InboundEvent request, DeployOutcome outcome) {
        if (outcome.eventType() == null) {
            return null;
        }
        return new ReplyEvent(ReplyEvent.idFor(request, outcome.eventType()), outcome.eventType(), EventTypes.SOURCE_DEPLOYER,
                outcome.functionId(), outcome.data());
    }
}
