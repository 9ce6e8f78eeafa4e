package io.knative.lambda.service;

import org.jboss.logging.Logger;

/**
 * What became of one attempt to handle an event, whatever carried it: a reply (or none), a refusal (the event can
 * never be processed: the handler's refusal event, if it has one), a transient failure to retry, or a failure nobody
 * foresaw.
 */
public sealed interface HandlerOutcome {

    /** Handled; {@code reply} is {@code null} when there is nothing to say. */
    record Replied(ReplyEvent reply) implements HandlerOutcome {
    }

    /** Never processable; {@code reply} is the handler's answer to that, or {@code null} (dead-letter it). */
    record Refused(ReplyEvent reply, String why) implements HandlerOutcome {
    }

    /** A dependency failed: retry later. */
    record Transient(TransientFailureException failure) implements HandlerOutcome {
    }

    /** Something nobody foresaw. */
    record Broken(RuntimeException failure) implements HandlerOutcome {
    }

    /** Hands {@code event} to {@code handler} once, in the event's trace, and says what became of it. */
    static HandlerOutcome of(EventTracing tracing, EventHandler handler, InboundEvent event) {
        try {
            return new Replied(tracing.handle(event, handler));
        } catch (InvalidEventException | UnsupportedEventTypeException e) {
            return refuse(tracing, handler, event, e.getMessage());
        } catch (TransientFailureException e) {
            return new Transient(e);
        } catch (RuntimeException e) {
            Logger.getLogger(HandlerOutcome.class).errorf(e, "event %s (%s) failed unexpectedly", event.id(), event.type());
            return new Broken(e);
        }
    }

    /** The refusal of an event that can never be processed, in the event's trace. */
    static HandlerOutcome refuse(EventTracing tracing, EventHandler handler, InboundEvent event, String why) {
        return new Refused(tracing.inTrace(event, handler.refused(event, why)), why);
    }
}
