package io.knative.lambda.localbroker;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/** Publishes CloudEvents on the Kafka topic in the binary binding, keyed by subject so a function's events stay in order. */
@ApplicationScoped
public class Bus {

    @Inject
    @Channel("bus-out")
    Emitter<byte[]> out;

    /** Completes when Kafka has the event (acks=all), fails when it refused it. */
    public CompletionStage<Void> publish(Event event) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        String key = event.subject() != null ? event.subject() : event.id();
        OutgoingKafkaRecordMetadata<byte[]> metadata = OutgoingKafkaRecordMetadata.<byte[]>builder()
                .withKey(key == null ? null : key.getBytes(StandardCharsets.UTF_8))
                .withHeaders(event.kafkaHeaders())
                .build();
        out.send(Message.of(event.data()).addMetadata(metadata)
                .withAck(() -> {
                    done.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    done.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                }));
        return done;
    }
}
