package io.knative.lambda.service;

/** What a service does with one CloudEvent; each service has exactly one, shared by its HTTP and Kafka adapters. */
public interface EventHandler {

    /** Whether events of this type are this service's (others are left alone on Kafka, 400 over HTTP). */
    boolean handles(String type);

    /**
     * Acts on the event.
     *
     * @return the reply, or {@code null} when there is nothing to say (e.g. an outcome already reported)
     * @throws InvalidEventException          the event is malformed (400)
     * @throws UnsupportedEventTypeException  the type is not this service's (400)
     * @throws TransientFailureException      a dependency failed; retry later (503)
     */
    ReplyEvent handle(InboundEvent event);

    /**
     * The answer to an event of this service's type that can never be processed (a missing attribute, data
     * that is not JSON, data that is not what the catalogue says), where no HTTP status can say so: on
     * Kafka it is published once instead of the event going to the dead-letter topic.
     *
     * @param why what is wrong, for a person
     * @return the failure event, or {@code null} to dead-letter the event once
     */
    default ReplyEvent refused(InboundEvent event, String why) {
        return null;
    }
}
