package io.knative.lambda.service;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The CloudEvent a service answers with.
 *
 * @param id          derived from the request ({@link #idFor}), so a redelivered request gets the same reply id
 * @param subject     the function id, or {@code null}
 * @param data        the payload record
 * @param traceparent the reply's trace context (a child of the request's: {@link EventTracing}), or {@code null}
 */
public record ReplyEvent(String id, String type, String source, String subject, Object data, String traceparent) {

    /** A reply whose trace context the adapter sets ({@link EventTracing}). */
    public ReplyEvent(String id, String type, String source, String subject, Object data) {
        this(id, type, source, subject, data, null);
    }

    /** The same reply in the trace {@code traceparent}. */
    public ReplyEvent traced(String traceparent) {
        return new ReplyEvent(id, type, source, subject, data, traceparent);
    }

    /** The reply id for a request and a reply type: the same for every delivery of that request. */
    public static String idFor(InboundEvent request, String replyType) {
        return UUID.nameUUIDFromBytes((request.source() + "\n" + request.id() + "\n" + replyType)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }
}
