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
}
