package io.knative.lambda.service.retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.knative.lambda.events.RetryPolicy;
import io.knative.lambda.service.BusPublisher;
import io.knative.lambda.service.EventHandler;
import io.knative.lambda.service.EventTracing;
import io.knative.lambda.service.HandlerOutcome;
import io.knative.lambda.service.InboundEvent;
import io.knative.lambda.service.InvalidEventException;
import io.knative.lambda.service.ReplyEvent;
import io.knative.lambda.service.TransientFailureException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The Kafka path's answer to a transient failure (local mode): the event goes to the retry topic with its failures so
 * far and the time of its next attempt ({@link RetryPolicy}: capped exponential backoff up to the maximum event age),
 * the original record is acknowledged, and this service's {@link RetryLoop} attempts it again when due; once the
 * maximum age is reached it goes to the dead-letter topic with the reason, the attempts and the first and last time
 * ({@code DeadLetterHeaders}). Nothing waits in the consumer of the bus, so one failing event holds up no other.
 */
@ApplicationScoped
public class KafkaRetries {

    private static final Logger LOG = Logger.getLogger(KafkaRetries.class);
    private static final long SEND_TIMEOUT_SECONDS = 30;

    @ConfigProperty(name = "klambda.kafka.enabled", defaultValue = "false")
    boolean enabled;

    @ConfigProperty(name = "klambda.kafka.bootstrap-servers", defaultValue = "127.0.0.1:9092")
    String bootstrapServers;

    @ConfigProperty(name = "klambda.kafka.retry-topic", defaultValue = "knative-lambda-retries")
    String retryTopic;

    @ConfigProperty(name = "klambda.kafka.dead-letter-topic", defaultValue = "knative-lambda-dead-letters")
    String deadLetterTopic;

    @ConfigProperty(name = "klambda.kafka.backoff", defaultValue = RetryPolicy.DEFAULT_BACKOFF)
    Duration backoff;

    @ConfigProperty(name = "klambda.kafka.max-backoff", defaultValue = RetryPolicy.DEFAULT_MAX_BACKOFF)
    Duration maxBackoff;

    @ConfigProperty(name = "klambda.kafka.max-event-age", defaultValue = RetryPolicy.DEFAULT_MAX_EVENT_AGE)
    Duration maxEventAge;

    @ConfigProperty(name = "mp.messaging.incoming.bus-in.group.id", defaultValue = "service")
    String group;

    @Inject
    EventHandler handler;

    @Inject
    EventTracing tracing;

    @Inject
    BusPublisher bus;

    private final Clock clock = Clock.systemUTC();
    private RetryPolicy policy;
    private KafkaProducer<byte[], byte[]> producer;
    private RetryLoop loop;

    void start(@Observes StartupEvent started) {
        policy = new RetryPolicy(backoff, maxBackoff, maxEventAge);
        if (!enabled) {
            return;
        }
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new ByteArraySerializer(), new ByteArraySerializer());
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, group + "-retries",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        loop = new RetryLoop(consumer, retryTopic, group, 4, this::attempt, clock).start();
        LOG.infof("transient failures: retried via %s from %s doubling to %s for up to %s, then %s", retryTopic, backoff,
                maxBackoff, maxEventAge, deadLetterTopic);
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (loop != null) {
            loop.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** The policy in force. */
    public RetryPolicy policy() {
        return policy;
    }

    /**
     * Records one more failed attempt of the event (its record's headers, key and value as they came) and hands it to
     * the retry topic, or to the dead-letter topic once it is too old; completes when Kafka has it.
     */
    public CompletionStage<Void> failed(Headers headers, byte[] key, byte[] value, InboundEvent event,
            TransientFailureException failure) {
        Instant now = clock.instant();
        RetryRecords.Failures before = RetryRecords.failures(headers, now);
        RetryRecords.Failures after = new RetryRecords.Failures(before.attempts() + 1, before.firstAttempt(), now,
                failure.code(), failure.getMessage());
        Optional<Instant> next = policy.nextAttempt(after.attempts(), after.firstAttempt(), now);
        ProducerRecord<byte[], byte[]> record;
        if (next.isPresent()) {
            record = RetryRecords.retry(retryTopic, headers, key, value, group, after, next.get());
            LOG.infof("event %s (%s, subject %s): attempt %d failed (%s), next in %d ms", event.id(), event.type(),
                    event.subject(), after.attempts(), failure.code(), Duration.between(now, next.get()).toMillis());
        } else {
            record = RetryRecords.deadLetter(deadLetterTopic, headers, key, value, group, after);
            LOG.warnf("event %s (%s, subject %s) sent to %s after %d attempts since %s: %s", event.id(), event.type(),
                    event.subject(), deadLetterTopic, after.attempts(), after.firstAttempt(), failure.getMessage());
        }
        return send(record);
    }

    /** Gives up on an event for good (no transient cause): the dead-letter topic with why. */
    public CompletionStage<Void> deadLetter(Headers headers, byte[] key, byte[] value, String reason, String message) {
        Instant now = clock.instant();
        RetryRecords.Failures before = RetryRecords.failures(headers, now);
        return send(RetryRecords.deadLetter(deadLetterTopic, headers, key, value, group,
                new RetryRecords.Failures(before.attempts() + 1, before.firstAttempt(), now, reason, message)));
    }

    private CompletionStage<Void> send(ProducerRecord<byte[], byte[]> record) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        producer.send(record, (metadata, e) -> {
            if (e == null) {
                sent.complete(null);
            } else {
                sent.completeExceptionally(e);
            }
        });
        return sent;
    }

    /** One due attempt of a retry record: handled, answered, or failed once more. */
    void attempt(ConsumerRecord<byte[], byte[]> record) {
        InboundEvent event;
        try {
            event = RetryRecords.event(record.headers(), record.value());
        } catch (InvalidEventException e) {
            await(deadLetter(record.headers(), record.key(), record.value(), "InvalidEvent", e.getMessage()));
            return;
        }
        HandlerOutcome outcome = HandlerOutcome.of(tracing, handler, event);
        CompletionStage<Void> done;
        if (outcome instanceof HandlerOutcome.Replied replied) {
            ReplyEvent reply = replied.reply();
            done = reply == null ? CompletableFuture.completedFuture(null) : bus.publish(reply);
        } else if (outcome instanceof HandlerOutcome.Refused refused) {
            done = refused.reply() != null ? bus.publish(refused.reply())
                    : deadLetter(record.headers(), record.key(), record.value(), "InvalidEvent", refused.why());
        } else if (outcome instanceof HandlerOutcome.Transient t) {
            done = failed(record.headers(), record.key(), record.value(), event, t.failure());
        } else {
            HandlerOutcome.Broken broken = (HandlerOutcome.Broken) outcome;
            done = deadLetter(record.headers(), record.key(), record.value(), "InternalError", broken.failure().toString());
        }
        await(done);
    }

    private static void await(CompletionStage<Void> stage) {
        try {
            stage.toCompletableFuture().get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            // not acknowledged: the record stays uncommitted and is attempted again after a restart
            throw new IllegalStateException("the outcome of a retried event was not acknowledged by Kafka: " + e, e);
        }
    }
}
