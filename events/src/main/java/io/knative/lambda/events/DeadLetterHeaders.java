package io.knative.lambda.events;

/**
 * The Kafka record headers the platform adds to an event it retries later or gives up on, beside the event's
 * own {@code ce_*} headers (binary binding): who retries it, how often it was tried, when first and last, why it
 * failed. Written by the services' Kafka adapter, read by the dead-letter tool.
 */
public final class DeadLetterHeaders {

    /** The consumer group (service) that retries the event: a retry record is only that service's. */
    public static final String RETRY_FOR = "klambda-retry-for";
    /** Epoch milliseconds before which a retry record is not attempted. */
    public static final String NOT_BEFORE = "klambda-not-before";
    /** How many attempts failed so far. */
    public static final String ATTEMPTS = "klambda-attempts";
    /** ISO-8601 instant of the first attempt. */
    public static final String FIRST_ATTEMPT = "klambda-first-attempt";
    /** ISO-8601 instant of the last attempt. */
    public static final String LAST_ATTEMPT = "klambda-last-attempt";
    /** The stable reason code of the last failure, e.g. {@code RegistryUnavailable}. */
    public static final String REASON = "klambda-reason";
    /** What the last failure said, for a person. */
    public static final String MESSAGE = "klambda-message";
    /** The service that dead-lettered the event. */
    public static final String SERVICE = "klambda-service";
    /** On a marker record of the dead-letter topic: the id ({@code partition-offset}) of a dead letter sent back to the bus. */
    public static final String REDRIVEN = "klambda-redriven";
    /** SmallRye's header on what a channel's failure strategy dead-lettered: the failure's message. */
    public static final String SMALLRYE_REASON = "dead-letter-reason";

    private DeadLetterHeaders() {
    }
}
