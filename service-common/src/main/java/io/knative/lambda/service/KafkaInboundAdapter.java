package io.knative.lambda.service;

import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.events.TraceParent;
import io.knative.lambda.service.http.InvalidJsonException;
import io.knative.lambda.service.http.StrictJson;
import io.knative.lambda.service.retry.KafkaRetries;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.ce.IncomingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * A service's Kafka inbound adapter (local mode, {@code make run}): consumes the platform's CloudEvents topic
 * (Kafka binary binding) in the service's own group (channel {@code bus-in}), keeps only the types its
 * {@link EventHandler} handles, and publishes the reply to the same topic ({@link BusPublisher}) before
 * acknowledging — so the offset is committed only after the outcome is on the bus, in the request's trace
 * ({@link EventTracing}: {@code ce_traceparent}) and with its time. A transient failure hands the
 * event to {@link KafkaRetries} (the retry topic: capped exponential backoff up to {@code klambda.kafka.max-event-age},
 * then the dead-letter topic) and acknowledges it, so no event waits behind it; what is no CloudEvent goes to the
 * dead-letter topic. An event that can never be processed (a missing attribute, data that is not JSON, data the
 * handler refuses) is tried once and answered once: the handler's {@link EventHandler#refused} event, or the
 * dead-letter topic when it has none.
 */
@ApplicationScoped
public class KafkaInboundAdapter {

    private static final Logger LOG = Logger.getLogger(KafkaInboundAdapter.class);

    @Inject
    EventHandler handler;

    @Inject
    EventTracing tracing;

    @Inject
    BusPublisher bus;

    @Inject
    KafkaRetries retries;

    @Incoming("bus-in")
    @Blocking(ordered = false)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        IncomingCloudEventMetadata<?> ce = message.getMetadata(IncomingCloudEventMetadata.class).orElse(null);
        if (ce == null) {
            LOG.warn("a record without CloudEvent headers on the bus: sent to the dead-letter topic");
            return message.nack(new InvalidEventException("not a CloudEvent (Kafka binary binding: ce_* headers)"));
        }
        if (!handler.handles(ce.getType())) {
            return message.ack();
        }
        Object trace = ce.getExtension(TraceParent.ATTRIBUTE).orElse(null);
        InboundEvent envelope = new InboundEvent(ce.getId(), ce.getSource() == null ? null : ce.getSource().toString(),
                ce.getSpecVersion(), ce.getType(), ce.getSubject().orElse(null), null, trace == null ? null : trace.toString());
        InboundEvent inbound;
        try {
            byte[] payload = message.getPayload();
            JsonNode data = payload == null || payload.length == 0 ? null : StrictJson.parse(payload);
            inbound = new InboundEvent(envelope.id(), envelope.source(), envelope.specVersion(), envelope.type(),
                    envelope.subject(), data, envelope.traceparent());
        } catch (InvalidJsonException e) {
            return answer(message, envelope, HandlerOutcome.refuse(tracing, handler, envelope, "the event's data is not valid JSON: "
                    + e.getMessage()));
        }
        return answer(message, inbound, HandlerOutcome.of(tracing, handler, inbound));
    }

    private CompletionStage<Void> answer(Message<byte[]> message, InboundEvent event, HandlerOutcome outcome) {
        if (outcome instanceof HandlerOutcome.Replied replied) {
            return replied.reply() == null ? message.ack() : bus.publish(replied.reply()).thenCompose(x -> message.ack());
        }
        if (outcome instanceof HandlerOutcome.Refused refused) {
            if (refused.reply() == null) {
                LOG.warnf("event %s (%s) refused, sent to the dead-letter topic: %s", event.id(), event.type(), refused.why());
                return message.nack(new InvalidEventException(refused.why()));
            }
            LOG.infof("event %s (%s) refused, answered with %s: %s", event.id(), event.type(), refused.reply().type(),
                    refused.why());
            return bus.publish(refused.reply()).thenCompose(x -> message.ack());
        }
        if (outcome instanceof HandlerOutcome.Transient t) {
            IncomingKafkaRecordMetadata<?, ?> kafka = message.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
            Headers headers = kafka == null ? new RecordHeaders() : kafka.getHeaders();
            Object k = kafka == null ? null : kafka.getKey();
            byte[] key = k instanceof byte[] bytes ? bytes
                    : k instanceof String text ? text.getBytes(java.nio.charset.StandardCharsets.UTF_8) : null;
            return retries.failed(headers, key, message.getPayload(), event, t.failure()).thenCompose(x -> message.ack());
        }
        RuntimeException failure = ((HandlerOutcome.Broken) outcome).failure();
        LOG.warnf("event %s (%s) sent to the dead-letter topic: %s", event.id(), event.type(), failure.getMessage());
        return message.nack(failure);
    }
}
