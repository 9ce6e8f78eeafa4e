package io.knative.lambda.service;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The CloudEvent a service answers with.
 *
 * @param id      derived from the request ({@link #idFor}), so a redelivered request gets the same reply id
 * @param subject the function id, or {@code null}
 * @param data    the payload record
 */
public record ReplyEvent(String id, String type, String source, String subject, Object data) {

    /** The reply id for a request and a reply type: the same for every delivery of that request. */
    public static String idFor(InboundEvent request, String replyType) {
        return UUID.nameUUIDFromBytes((request.source() + "\n" + request.id() + "\n" + replyType)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }
}
