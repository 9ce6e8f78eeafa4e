package io.knative.lambda.localbroker;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** The local broker's configuration, prefix {@code klambda} (environment: {@code KLAMBDA_KAFKA_TOPIC}, ...). */
@ConfigMapping(prefix = "klambda")
public interface BrokerConfig {

    /** The bus. */
    Kafka kafka();

    /** Delivery of invoke events to functions (the local Triggers). */
    Dispatch dispatch();

    /** How many recent events {@code GET /events} keeps. */
    @WithName("recent-events")
    @WithDefault("1000")
    int recentEvents();

    /** The Kafka bus. */
    interface Kafka {
        @WithName("bootstrap-servers")
        @WithDefault("127.0.0.1:9092")
        String bootstrapServers();

        @WithDefault("knative-lambda")
        String topic();

        @WithName("dead-letter-topic")
        @WithDefault("knative-lambda-dead-letters")
        String deadLetterTopic();
    }

    /** Like a Trigger's delivery spec. */
    interface Dispatch {
        /** Per-attempt timeout of a call to a function. */
        @WithDefault("30s")
        Duration timeout();

        /** Attempts before the event is dead-lettered (as {@code retry: 5} plus the first try). */
        @WithName("max-attempts")
        @WithDefault("6")
        int maxAttempts();

        /** Delay before the first retry; doubled each time (exponential, like {@code backoffDelay: PT1S}). */
        @WithDefault("1s")
        Duration backoff();
    }
}
