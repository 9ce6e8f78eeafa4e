package io.knative.lambda.service;

import java.time.Duration;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Kafka as the event bus instead of Knative HTTP delivery (local mode); the {@code klambda.kafka} group of each service. */
public interface KafkaSettings {

    /** Consume and publish CloudEvents on Kafka ({@code KLAMBDA_KAFKA_ENABLED}). */
    @WithDefault("false")
    boolean enabled();

    /** {@code host:port,...} ({@code KLAMBDA_KAFKA_BOOTSTRAP_SERVERS}). */
    @WithName("bootstrap-servers")
    @WithDefault("127.0.0.1:9092")
    String bootstrapServers();

    /** The topic every CloudEvent travels on. */
    @WithDefault("knative-lambda")
    String topic();

    /** Where events go that keep failing. */
    @WithName("dead-letter-topic")
    @WithDefault("knative-lambda-dead-letters")
    String deadLetterTopic();

    /** Attempts of a transiently failing event before it is dead-lettered. */
    @WithName("max-attempts")
    @WithDefault("5")
    int maxAttempts();

    /** The first retry's delay; doubled for each further attempt. */
    @WithDefault("1s")
    Duration backoff();
}
