package io.knative.lambda.service;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.service.http.InvalidJsonException;
import io.knative.lambda.service.http.StrictJson;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.ce.IncomingCloudEventMetadata;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;

/**
 * A service's Kafka inbound adapter (local mode, {@code make run}): consumes the platform's CloudEvents topic
 * (Kafka binary binding) in the service's own group (channel {@code bus-in}), keeps only the types its
 * {@link EventHandler} handles, and publishes the reply to the same topic (channel {@code bus-out})
 * before acknowledging — so the offset is committed only after the outcome is on the bus. Transient
 * failures are retried with exponential backoff ({@code klambda.kafka.max-attempts}, {@code .backoff});
 * what keeps failing, and what is no CloudEvent, goes to the dead-letter topic. An event that can never
 * be processed (a missing attribute, data that is not JSON, data the handler refuses) is tried once and
 * answered once: the handler's {@link EventHandler#refused} event, or the dead-letter topic when it has none.
 */
@ApplicationScoped
public class KafkaInboundAdapter {

    private static final Logger LOG = Logger.getLogger(KafkaInboundAdapter.class);

    @Inject
    EventHandler handler;

    @ConfigProperty(name = "klambda.kafka.max-attempts", defaultValue = "5")
    int maxAttempts;

    @ConfigProperty(name = "klambda.kafka.backoff", defaultValue = "1s")
    Duration firstBackoff;

    @Inject
    ObjectMapper mapper;

    @Inject
    @Channel("bus-out")
    Emitter<byte[]> out;

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
        InboundEvent envelope = new InboundEvent(ce.getId(), ce.getSource() == null ? null : ce.getSource().toString(),
                ce.getSpecVersion(), ce.getType(), ce.getSubject().orElse(null), null);
        InboundEvent inbound;
        try {
            byte[] payload = message.getPayload();
            JsonNode data = payload == null || payload.length == 0 ? null : StrictJson.parse(payload);
            inbound = new InboundEvent(envelope.id(), envelope.source(), envelope.specVersion(), envelope.type(),
                    envelope.subject(), data);
        } catch (InvalidJsonException e) {
            return refuse(message, envelope, new InvalidEventException("the event's data is not valid JSON: " + e.getMessage()));
        }
        ReplyEvent reply;
        try {
            reply = withRetries(inbound);
        } catch (InvalidEventException | UnsupportedEventTypeException e) {
            return refuse(message, inbound, e);
        } catch (RuntimeException e) {
            LOG.warnf("event %s (%s) sent to the dead-letter topic: %s", ce.getId(), ce.getType(), e.getMessage());
            return message.nack(e);
        }
        if (reply == null) {
            return message.ack();
        }
        return publish(reply).thenCompose(x -> message.ack());
    }

    /** One answer to an event that can never be processed: the handler's refusal event, else the dead-letter topic. */
    private CompletionStage<Void> refuse(Message<byte[]> message, InboundEvent event, RuntimeException why) {
        ReplyEvent reply = handler.refused(event, why.getMessage());
        if (reply == null) {
            LOG.warnf("event %s (%s) refused, sent to the dead-letter topic: %s", event.id(), event.type(), why.getMessage());
            return message.nack(why);
        }
        LOG.infof("event %s (%s) refused, answered with %s: %s", event.id(), event.type(), reply.type(), why.getMessage());
        return publish(reply).thenCompose(x -> message.ack());
    }

    private ReplyEvent withRetries(InboundEvent inbound) {
        Duration backoff = firstBackoff;
        for (int attempt = 1;; attempt++) {
            try {
                return handler.handle(inbound);
            } catch (TransientFailureException e) {
                if (attempt >= maxAttempts) {
                    throw e;
                }
                LOG.infof("event %s: attempt %d of %d failed transiently, retrying in %d ms", inbound.id(), attempt,
                        maxAttempts, backoff.toMillis());
                sleep(backoff);
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    private CompletionStage<Void> publish(ReplyEvent reply) {
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(reply.data());
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
        OutgoingCloudEventMetadata<Object> metadata = OutgoingCloudEventMetadata.builder()
                .withId(reply.id())
                .withType(reply.type())
                .withSource(URI.create(reply.source()))
                .withSubject(reply.subject())
                .withDataContentType("application/json")
                .build();
        CompletableFuture<Void> sent = new CompletableFuture<>();
        out.send(Message.of(body).addMetadata(metadata)
                .withAck(() -> {
                    sent.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    sent.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                }));
        return sent;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off", e);
        }
    }
}
