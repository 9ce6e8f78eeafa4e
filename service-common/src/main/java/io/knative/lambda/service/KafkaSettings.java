package io.knative.lambda.service;

import java.time.Duration;

import io.knative.lambda.events.RetryPolicy;
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

    /** Where events wait that failed transiently, until their next attempt (each service reads its own from it). */
    @WithName("retry-topic")
    @WithDefault("knative-lambda-retries")
    String retryTopic();

    /** The first retry's delay; doubled for each further attempt. */
    @WithDefault(RetryPolicy.DEFAULT_BACKOFF)
    Duration backoff();

    /** The largest delay between two attempts. */
    @WithName("max-backoff")
    @WithDefault(RetryPolicy.DEFAULT_MAX_BACKOFF)
    Duration maxBackoff();

    /** How long after its first attempt a transiently failing event is still retried; then the dead-letter topic. */
    @WithName("max-event-age")
    @WithDefault(RetryPolicy.DEFAULT_MAX_EVENT_AGE)
    Duration maxEventAge();
}
