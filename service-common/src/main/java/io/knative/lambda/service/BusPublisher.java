package io.knative.lambda.service;

import java.net.URI;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.events.TraceParent;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;

/** Puts a service's reply events on the bus topic (Kafka binary binding, channel {@code bus-out}) in their trace, done once Kafka has them. */
@ApplicationScoped
public class BusPublisher {

    @Inject
    ObjectMapper mapper;

    @Inject
    @Channel("bus-out")
    Emitter<byte[]> out;

    /** Publishes the reply; the stage completes when Kafka acknowledged it, exceptionally when it did not. */
    public CompletionStage<Void> publish(ReplyEvent reply) {
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(reply.data());
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
        var builder = OutgoingCloudEventMetadata.builder()
                .withId(reply.id())
                .withType(reply.type())
                .withSource(URI.create(reply.source()))
                .withSubject(reply.subject())
                .withTimestamp(ZonedDateTime.now(ZoneOffset.UTC))
                .withDataContentType("application/json");
        if (reply.traceparent() != null) {
            builder.withExtension(TraceParent.ATTRIBUTE, reply.traceparent());
        }
        OutgoingCloudEventMetadata<Object> metadata = builder.build();
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
}
